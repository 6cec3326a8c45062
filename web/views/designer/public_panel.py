"""The form designer's public form panel: the draft's `public:` link (switched on or off, a new token, the page's
texts, the fields offered, fixed and pre-filled values, where a post goes, the websites that may post JSON) — one
set_form operation per change, published with the draft — and the link's embed snippet and QR code."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from collections.abc import Mapping
from typing import Any

import segno
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine import public_forms
from engine.definitions.builder import build_form
from engine.definitions.edit_error import EditError
from engine.definitions.model import AppDef, FormDef
from engine.definitions.yamlsource import YamlDocument
from engine.fields.registry import field_type
from engine.i18n import text
from web.endpoints import form_view, workspace
from web.render import page
from web.views.designer.access import design_form_view
from web.views.designer.draft_access import DRAFT_CHANGED, Designing, designing, edit_error_text
from web.views.designer.prop_editors import i18n_parts, i18n_value
from web.views.widgets import options_of

ORIGIN = re.compile(r"^https?://[^/\s]+$")
MAX_TEXT = 2_000
TEXT_KEYS = ("title", "intro", "success")


def link_of(request: Request, token: str) -> str:
    """The full address of a share link (the site's `base_url`)."""
    base = str(workspace(request).settings.values.get("base_url") or "").rstrip("/")
    return f"{base}/f/{token}"


def draft_form(d: Designing) -> FormDef:
    """The draft as a form definition (built as is: the panel needs its fields, not a clean check)."""
    published = d.ws.definitions.forms[d.form_id]
    return build_form(YamlDocument(d.path, d.doc, {"": 1}), published.app)


def _public(d: Designing) -> dict[str, Any] | None:
    found = d.doc.get("public")
    return dict(found) if isinstance(found, Mapping) else None


def _fixed(public: Mapping[str, Any]) -> Mapping[str, Any]:
    found = public.get("fixed")
    return found if isinstance(found, Mapping) else {}


def fixable(form: FormDef) -> list[Any]:
    """Fields a fixed value may be chosen for in the panel: values people give that are not files, rows or
    pointers at users, departments or records (those stay as the definition has them)."""
    return [f for f in form.fields
            if not (t := field_type(f.type)).layout_only and not t.computed and not f.formula and not t.holds_rows
            and not t.system_fact and t.refers_to(f) is None and t.upload_max_mb == 0 and t.public_input]


def panel(request: Request, d: Designing, *, status: int = 200, message: str = "", saved: bool = False) -> Response:
    public = _public(d)
    form = draft_form(d)
    context: dict[str, Any] = {"d": d, "tp": d.t, "public": public, "message": message, "saved": saved,
                               "url": f"/design/forms/{d.form_id}/public"}
    if public is not None:
        token = str(public.get("token") or "")
        chosen = [str(x) for x in public.get("fields") or []]
        live = d.ws.definitions.forms[d.form_id].public
        fixed = _fixed(public)
        context.update({
            "enabled": bool(public.get("enabled", True)), "token": token, "link": link_of(request, token),
            "published": live is not None and live.token == token,
            "qr": live is not None and live.enabled and live.token == token and bool(public.get("enabled", True)),
            "texts": {k: i18n_parts(public.get(k)) for k in TEXT_KEYS},
            "eligibility": [(f, text(f.label, d.lang), text(why, d.lang) if why else "", f.id in chosen)
                            for f, why in public_forms.eligibility(form)],
            "prefill_choices": [(f.id, text(f.label, d.lang)) for f in form.fields if f.id in chosen
                                and public_forms.may_be_public(f)],
            "prefill": [str(x) for x in public.get("prefill") or []],
            "fixed": [(f, text(f.label, d.lang), options_of(f, {}, d.lang), "" if fixed.get(f.id) is None
                       else str(fixed.get(f.id))) for f in fixable(form)],
            "fixed_open": any(fixed.get(f.id) is not None for f in fixable(form)),
            "embed_title": text(public.get("title") or form.label, d.lang),
            "redirect": str(public.get("redirect") or ""),
            "uploads": bool(public.get("uploads")),
            "origins": "\n".join(str(o) for o in public.get("origins") or []),
            "problems": [p.text(d.lang) for p in d.ws.drafts.problems(d.draft) if p.pointer.startswith("/public")],
        })
    return page(request, "design/_public_panel.html", context, status=status)


def read_public(d: Designing, current: Mapping[str, Any], data: FormData) -> dict[str, Any] | str:
    """The link as the panel posted it (the token and switch kept), or the text key of what is wrong."""
    form = draft_form(d)
    uploads: bool | list[str] = bool(data.get("uploads"))
    if uploads and isinstance(current.get("uploads"), list):
        uploads = [str(x) for x in current["uploads"]]  # the fields the definition names keep being the ones
    public = replace(form.public, uploads=tuple(uploads) if isinstance(uploads, list) else uploads) \
        if form.public is not None else None
    eligible = {f.id for f in form.fields if public_forms.why_not_public(f, public) is None}
    fields = [fid for fid in dict.fromkeys(str(x) for x in data.getlist("fields")) if fid in eligible]
    if not fields:
        return "pp_no_fields"
    redirect = str(data.get("redirect") or "").strip()[:MAX_TEXT]
    if redirect and not re.match(r"^https?://\S+$", redirect):
        return "pp_redirect_bad"
    origins = [o.strip().rstrip("/") for o in str(data.get("origins") or "").splitlines() if o.strip()]
    for origin in origins:
        if not ORIGIN.match(origin):
            return f"pp_origin_bad:{origin[:80]}"
    panel_fixed = {f.id for f in fixable(form)}
    old_fixed = _fixed(current)
    fixed = {k: v for k, v in old_fixed.items() if k not in panel_fixed}  # kept: values the panel cannot edit
    for fid in panel_fixed:
        value = str(data.get(f"fixed.{fid}") or "").strip()[:MAX_TEXT]
        if value:
            fixed[fid] = value
    new: dict[str, Any] = {"enabled": bool(current.get("enabled", True)), "token": current.get("token"),
                           "fields": fields}
    for key in TEXT_KEYS:
        value = i18n_value(data, key, current.get(key))
        if value:
            new[key] = value
    if fixed:
        new["fixed"] = fixed
    prefill = [fid for fid in data.getlist("prefill") if fid in fields]
    if prefill:
        new["prefill"] = prefill
    if redirect:
        new["redirect"] = redirect
    if uploads:
        new["uploads"] = uploads
    if origins:
        new["origins"] = list(dict.fromkeys(origins))
    return new


def _action(d: Designing, action: str, current: dict[str, Any] | None) -> dict[str, Any] | None:
    """The link after a button: turned on for the first time, switched off or on, a new token."""
    if action == "create":
        if current is not None:
            return None
        form = draft_form(d)
        fields = [f.id for f, why in public_forms.eligibility(form) if why is None]
        return {"enabled": True, "token": public_forms.new_token(), "fields": fields} if fields else None
    if current is None:
        return None
    if action in ("off", "on"):
        return {**current, "enabled": action == "on"}
    if action == "regenerate":
        return {**current, "token": public_forms.new_token()}
    return None


@form_view
def public_view(request: Request, data: FormData) -> Response:
    """GET the panel; POST a change (or a button's `action`): one set_form operation on the draft."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    if request.method == "GET":
        return panel(request, d)
    current = _public(d)
    action = str(data.get("action") or "")
    if action:
        new: dict[str, Any] | str | None = _action(d, action, current)
        if new is None:
            return panel(request, d, status=400, message=page_text(request, "pp_bad_action"))
    elif current is None:
        return panel(request, d)
    else:
        new = read_public(d, current, data)
        if isinstance(new, str):
            return panel(request, d, status=400, message=page_text(request, new))
        if new == current:
            return panel(request, d)
    try:
        d.edit({"op": "set_form", "set": {"public": new}, "unset": []})
    except EditError as exc:
        return panel(request, d, status=400, message=edit_error_text(exc, d.lang))
    response = panel(request, d, saved=True)
    response.headers.update(DRAFT_CHANGED)
    return response


def page_text(request: Request, key: str) -> str:
    """A panel text in the request's language; `key:detail` fills the text's `{origin}`."""
    from web.i18n import choose_language, translator

    name, _, detail = key.partition(":")
    said = translator(choose_language(request))(name)
    return said.replace("{origin}", detail)


@design_form_view
def qr_code(request: Request, app: AppDef, form: FormDef, data: FormData) -> Response:
    """GET the QR code of the form's published link, PNG or SVG (`?download` saves it); 404 while the link is off
    or the form has none."""
    public = form.public
    kind = str(request.path_params["kind"])
    if public is None or not public.enabled or kind not in ("png", "svg"):
        return Response("", status_code=404)
    code = segno.make(link_of(request, public.token), error="m")
    out = io.BytesIO()
    if kind == "png":
        code.save(out, kind="png", scale=8, border=2)
    else:
        code.save(out, kind="svg", scale=4, border=2, xmldecl=True, svgns=True, title=form.id)
    headers = {"cache-control": "no-store", "x-content-type-options": "nosniff"}
    if request.query_params.get("download") is not None:
        headers["content-disposition"] = f'attachment; filename="{form.id}-qr.{kind}"'
    media = "image/png" if kind == "png" else "image/svg+xml"
    return Response(out.getvalue(), media_type=media, headers=headers)


ROUTES: list[Route] = [
    Route("/design/forms/{form}/public", public_view, methods=["GET", "POST"]),
    Route("/design/forms/{form}/public/qr.{kind}", form_view(qr_code), methods=["GET"]),
]
