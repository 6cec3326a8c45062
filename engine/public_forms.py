"""Public forms: a form's anonymous share link `/f/{token}` (`public:` in its definition). Which fields a link may
show, the signed page token that carries the time the page was served, records made through a link (`via:
"public"`, owned by nobody until an assignment gives them an owner), and switching a link off or giving it a new
token (a new version of the form's definition)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from io import StringIO
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML

from engine.definitions.model import Definitions, FieldDef, FormDef, PublicDef
from engine.errors import FormworkError, RecordInvalid
from engine.fields.registry import field_type
from engine.files.policy import max_bytes
from engine.i18n import I18n, zh_en
from engine.records.model import Actor, Record

if TYPE_CHECKING:
    from engine.workspace import Workspace

VIA = "public"
MIN_SECONDS = 2.0  # a page posted sooner than this after it was served is a robot's
MAX_AGE_SECONDS = 24 * 3600  # a page older than this is served again (its token has expired)
HONEYPOT = "website"  # a field hidden from people; robots fill it
_PROCESS_KEY = secrets.token_bytes(32)  # without a workspace secret, page tokens hold only in this process
SUCCESS: I18n = {"zh": "提交成功,谢谢!", "en": "Thank you, your answer was sent."}


class PublicLinkError(FormworkError):
    """A public link cannot be changed as asked (no such form, or the form has no public link)."""

    def __init__(self, message: I18n):
        super().__init__(str(message))
        self.text = message


def why_not_public(f: FieldDef, public: PublicDef | None = None) -> I18n | None:
    """Why a public page may not offer the field, or None when it may: people fill it in, and it neither points at
    users, departments or records (a picker would reveal them) nor takes rows, nor files unless the link allows
    them for it (`uploads:`)."""
    ftype = field_type(f.type)
    if ftype.layout_only:
        return zh_en("布局元素,不是字段", "a layout element, not a field")
    if ftype.computed or f.formula or ftype.system_fact:
        return zh_en("由系统计算,不需要填写", "computed by the system, nobody fills it in")
    if ftype.holds_rows:
        return zh_en("子表单不能公开填写", "subforms are not filled in publicly")
    if ftype.refers_to(f) is not None:
        return zh_en("选择人员、部门或记录会让访客看到它们", "picking users, departments or records would show them "
                     "to visitors")
    if not ftype.public_input:
        return zh_en("这种字段不能在公开页面上填写", "this kind of field cannot be filled in on a public page")
    if ftype.upload_max_mb > 0 and not (public is not None and public.allows_upload(f.id)):
        return zh_en("公开表单不接受文件(除非允许上传)", "public forms take no files (unless uploads are allowed)")
    return None


def may_be_public(f: FieldDef, public: PublicDef | None = None) -> bool:
    """Whether a public page of the link may offer the field (see why_not_public)."""
    return why_not_public(f, public) is None


def eligibility(form: FormDef) -> list[tuple[FieldDef, I18n | None]]:
    """Every field of the form (layout elements left out) with why it cannot be public (None: it can)."""
    return [(f, why_not_public(f, form.public)) for f in form.fields if not field_type(f.type).layout_only]


def problems(form: FormDef) -> list[tuple[str, I18n]]:
    """(pointer below `/public`, message) of every problem of the form's public link."""
    public = form.public
    if public is None:
        return []
    found: list[tuple[str, I18n]] = []
    for i, fid in enumerate(public.fields):
        f = form.field(fid)
        if f is None:
            found.append((f"/fields/{i}", zh_en(f"未知字段“{fid}”", f"unknown field '{fid}'")))
        elif not may_be_public(f, public):
            found.append((f"/fields/{i}", zh_en(
                f"字段“{fid}”不能放在公开表单上(计算字段、关联、人员、部门、文件、签名、地址、位置和子表单都不能公开填写)",
                f"field '{fid}' cannot be on a public form (computed fields, relations, users, departments, files, "
                "signatures, addresses, locations and subforms are not filled in publicly)")))
    for fid in public.fixed:
        if form.field(fid) is None:
            found.append((f"/fixed/{fid}", zh_en(f"未知字段“{fid}”", f"unknown field '{fid}'")))
    for i, fid in enumerate(public.uploads if isinstance(public.uploads, tuple) else ()):
        f = form.field(fid)
        if f is None or field_type(f.type).upload_max_mb == 0 or not field_type(f.type).public_input:
            found.append((f"/uploads/{i}", zh_en(f"“{fid}”不是可以公开上传的文件或图片字段",
                                                 f"'{fid}' is not a file or image field visitors may upload to")))
    for i, fid in enumerate(public.prefill):
        if fid not in public.fields:
            found.append((f"/prefill/{i}", zh_en(f"预填字段“{fid}”须在公开字段(fields)中",
                                                 f"pre-filled field '{fid}' must be one of the public fields")))
    return found


def find(defs: Definitions, token: str) -> FormDef | None:
    """The form whose public link has this token (compared in constant time), or None."""
    given = token.encode("utf-8", "surrogatepass")
    found = None
    for form in defs.forms.values():
        if form.public is not None and form.public.token and \
                hmac.compare_digest(form.public.token.encode(), given):
            found = form
    return found


def shown_fields(form: FormDef) -> list[FieldDef]:
    """The fields the public page offers, in the form's order (fixed ones are never offered)."""
    public = form.public
    if public is None:
        return []
    return [f for f in form.fields if f.id in public.fields and f.id not in public.fixed and may_be_public(f, public)]


def prefill(form: FormDef, params: Mapping[str, str]) -> dict[str, str]:
    """The values URL parameters give the fields the link lets them pre-fill (`?campaign=…`), as posted text."""
    public = form.public
    if public is None:
        return {}
    offered = {f.id for f in shown_fields(form)}
    offered -= {f.id for f in upload_fields(form)}  # a link cannot name a file
    return {k: str(params[k])[:1000] for k in public.prefill if k in offered and params.get(k)}


# -- the page token: which link, when served, signed -------------------------------------------------------------

def _key(ws: Workspace) -> bytes:
    secret = str(ws.settings.secret or "")
    return hashlib.sha256(b"public-form:" + secret.encode()).digest() if secret else _PROCESS_KEY


def page_token(ws: Workspace, public: PublicDef) -> str:
    """A token for the page served now: its time, signed with the link's token (no session, no cookie)."""
    return sign_page(ws, public.token)


def token_problem(ws: Workspace, public: PublicDef, token: str) -> str | None:
    """Why a posted page token is refused: "forged", "too_fast" or "expired"; None when it holds."""
    return page_problem(ws, public.token, token)


def sign_page(ws: Workspace, bound: str) -> str:
    """A page token for a page served now, bound to `bound` (a link's secret part): its time, signed."""
    stamp = f"{ws.now().timestamp():.3f}"
    mac = hmac.new(_key(ws), f"{bound}|{stamp}".encode(), hashlib.sha256).digest()
    return f"{stamp}.{base64.urlsafe_b64encode(mac[:18]).decode()}"


def page_problem(ws: Workspace, bound: str, token: str) -> str | None:
    """Why a page token posted to the page bound to `bound` is refused: "forged", "too_fast" or "expired"."""
    stamp, _, mac = token.rpartition(".")
    try:
        served = float(stamp)
        expected = base64.urlsafe_b64encode(
            hmac.new(_key(ws), f"{bound}|{stamp}".encode(), hashlib.sha256).digest()[:18]).decode()
    except (ValueError, OverflowError):
        return "forged"
    if not hmac.compare_digest(expected.encode(), mac.encode("utf-8", "surrogatepass")):
        return "forged"
    age = ws.now().timestamp() - served
    if age < MIN_SECONDS:
        return "too_fast"
    if age > MAX_AGE_SECONDS:
        return "expired"
    return None


# -- records -------------------------------------------------------------------------------------------------------

def create(ws: Workspace, form: FormDef, raw: Mapping[str, Any], *, fmt: str = "form",
           files: Mapping[str, list[dict[str, Any]]] | None = None) -> Record:
    """A record from a public post: only the link's shown fields are taken from `raw` — never a file field, whose
    references come only from `files` (what this post uploaded, or kept from its previous try) — and its fixed
    values are added; created by nobody (the system), with `via: "public"`, firing automations as any create does.
    RecordInvalid lists the problems (nothing is written)."""
    public = form.public
    assert public is not None
    shown = shown_fields(form)
    uploads = {f.id for f in shown if field_type(f.type).upload_max_mb > 0}
    values = {k: v for k, v in raw.items() if k in {f.id for f in shown} and k not in uploads}
    values.update({k: v for k, v in (files or {}).items() if k in uploads and v})
    fixed = {k: v if fmt == "json" else _as_posted(v) for k, v in public.fixed.items()}
    return ws.records.create(Actor.system_actor(), form.id, {**values, **fixed}, fmt=fmt, via=VIA)


def upload_fields(form: FormDef) -> list[FieldDef]:
    """The shown fields the page takes files for (the link allows them)."""
    return [f for f in shown_fields(form) if field_type(f.type).upload_max_mb > 0]


def body_limit(form: FormDef, base: int) -> int:
    """The largest post the link's page may send: `base`, plus what its file fields may take (each field's size
    limit times its most files, 5 when not set), at most 64 MB."""
    extra = sum(max_bytes(f) * int(f.get("max_files") or 5) for f in upload_fields(form))
    return min(base + extra, 64 * 1024 * 1024)


def file_mark(ws: Workspace, public: PublicDef, file_id: str) -> str:
    """A file the link's page stored, as the page carries it to the next try (signed: a page cannot claim a file
    it did not upload)."""
    mac = hmac.new(_key(ws), f"file|{public.token}|{file_id}".encode(), hashlib.sha256).digest()
    return f"{file_id}.{base64.urlsafe_b64encode(mac[:18]).decode()}"


def marked_file(ws: Workspace, public: PublicDef, mark: str) -> str | None:
    """The file id of a mark file_mark made for this link, or None."""
    file_id = mark.rpartition(".")[0]
    return file_id if file_id and hmac.compare_digest(file_mark(ws, public, file_id).encode(),
                                                       mark.encode("utf-8", "surrogatepass")) else None


def live_state(ws: Workspace, form: FormDef, raw: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(hidden, required) of the link's shown fields for what a visitor has typed so far, as the form's rules say
    (the fixed values counted, as a post would). Nothing else of the record is given: no computed values, no
    errors, no state of other fields. Values that cannot be read leave every shown field visible."""
    public = form.public
    assert public is not None
    shown = shown_fields(form)
    ids = {f.id for f in shown}
    values = {k: v for k, v in raw.items() if k in ids}
    fixed = {k: _as_posted(v) for k, v in public.fixed.items()}
    try:
        state = ws.records.preview(Actor.system_actor(), form.id, {**values, **fixed}, fmt="form")
    except RecordInvalid:
        return set(), {f.id for f in shown if f.required}
    return state.hidden & ids, ({f.id for f in shown if f.required} | state.required) & ids - state.hidden


def _as_posted(value: Any) -> Any:
    """A fixed value from the definition as a page would post it (text; a list of texts)."""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, list):
        return [_as_posted(v) for v in value]
    return "" if value is None else str(value)


# -- switching a link off, a new token ------------------------------------------------------------------------------

def new_token() -> str:
    """A fresh secret for a share link."""
    return secrets.token_urlsafe(18)


def fresh_tokens(sources: Mapping[str, str]) -> dict[str, str]:
    """Documents with every public link given a new token (installing a template: no two workspaces share a
    link's address)."""
    out = dict(sources)
    for path, text in sources.items():
        if "\npublic:" not in text:
            continue
        yaml = YAML()
        yaml.preserve_quotes = True
        doc = yaml.load(text)
        if isinstance(doc, Mapping) and isinstance(doc.get("public"), Mapping) and "token" in doc["public"]:
            doc["public"]["token"] = new_token()
            buffer = StringIO()
            yaml.dump(doc, buffer)
            out[path] = buffer.getvalue()
    return out


def change_link(ws: Workspace, form_id: str, *, enabled: bool | None = None, regenerate: bool = False,
                author_id: int | None = None) -> PublicDef:
    """Switch a form's link on or off and/or give it a new token (the old link stops working at once); published
    as a new version of the form's definition. Returns the link as it now is."""
    form = ws.definitions.forms.get(form_id)
    if form is None:
        raise PublicLinkError(zh_en(f"没有表单“{form_id}”", f"There is no form '{form_id}'"))
    if form.public is None:
        raise PublicLinkError(zh_en(f"表单“{form_id}”没有公开链接(在定义中加上 public:)",
                                    f"Form '{form_id}' has no public link (add public: to its definition)"))
    path = form.source.file
    yaml = YAML()
    yaml.preserve_quotes = True
    doc = yaml.load(ws.sources()[path])
    public = doc["public"]
    if enabled is not None:
        public["enabled"] = enabled
    if regenerate:
        public["token"] = new_token()
    out = StringIO()
    yaml.dump(doc, out)
    what = ("regenerate" if regenerate else "") + ("" if enabled is None else (" on" if enabled else " off"))
    ws.publish({path: out.getvalue()}, author_id=author_id, comment=f"public link of {form_id}:{what}")
    changed = ws.definitions.forms[form_id].public
    assert changed is not None
    return changed
