"""The form's rules in the designer: show/hide, require, read-only and submit checks; each with its fields, a
condition written in the formula editor and, for checks, a message in both languages. Each change is one
operation (add_rule, change_rule, remove_rule, move_rule) on the user's draft."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.definitions.edit_error import EditError
from engine.fields.registry import field_type, type_names
from engine.i18n import text
from web.endpoints import form_view
from web.render import page
from web.texts.designer_props import RULE_KINDS
from web.views.designer.draft_access import (
    DRAFT_CHANGED, Designing, designing, edit_error_text, fingerprint, problems,
)
from web.views.designer.formula_help import suggestions
from web.views.designer.prop_editors import i18n_parts, i18n_value

KINDS = tuple(RULE_KINDS)  # show, require, readonly, check
MESSAGE_KINDS = ("require", "check")  # what a person is told: why a field is required, why a check failed
MAX_FORMULA = 10_000


class RuleInput(Exception):
    """A posted rule that cannot be written as it is (no fields chosen, no check formula)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ShownRule:
    """One rule as the editor draws it."""

    index: int
    kind: str
    fields: list[str]
    when: str
    check: str
    zh: str
    en: str
    problems: list[str]


def kind_of(rule: Mapping[str, Any]) -> str:
    return next((k for k in KINDS if k in rule), "")


def shown_rules(doc: Mapping[str, Any], at_rule: Mapping[int, list[str]]) -> list[ShownRule]:
    found = []
    for i, rule in enumerate(doc.get("rules") or []):
        if not isinstance(rule, Mapping):
            continue
        kind = kind_of(rule)
        ids = rule.get("fields") if kind == "check" else rule.get(kind)
        zh, en = i18n_parts(rule.get("message"))
        found.append(ShownRule(i, kind, [str(x) for x in ids or []], str(rule.get("when") or ""),
                               str(rule.get("check") or "") if kind == "check" else "", zh, en,
                               list(at_rule.get(i, []))))
    return found


def field_choices(d: Designing) -> list[tuple[str, str]]:
    """(id, label) of the fields a rule may name: every field of the draft but layout-only ones."""
    found = []
    for f in d.doc.get("fields") or []:
        if isinstance(f, Mapping) and str(f.get("type")) in type_names() \
                and not field_type(str(f["type"])).layout_only:
            found.append((str(f.get("id")), text(f.get("label") or str(f.get("id")), d.lang)))
    return found


def read_rule(d: Designing, data: FormData, current: Mapping[str, Any] | None) -> dict[str, Any]:
    """The rule the posted inputs describe (RuleInput when it cannot be one)."""
    kind = str(data.get("kind") or "")
    if kind not in KINDS:
        raise RuleInput(d.t("dp_rule_bad_kind"))
    known = {fid for fid, _ in field_choices(d)}
    ids = [str(x) for x in data.getlist("fields") if str(x) in known]
    when = str(data.get("when") or "").strip()[:MAX_FORMULA]
    rule: dict[str, Any] = {}
    if kind == "check":
        check = str(data.get("check") or "").strip()[:MAX_FORMULA]
        if not check:
            raise RuleInput(d.t("dp_rule_needs_check"))
        rule["check"] = check
        if ids:
            rule["fields"] = ids
    else:
        if not ids:
            raise RuleInput(d.t("dp_rule_needs_fields"))
        rule[kind] = ids
    if when:
        rule["when"] = when
    if kind in MESSAGE_KINDS:
        message = i18n_value(data, "message", (current or {}).get("message"))
        if message:
            rule["message"] = message
    return rule


def rules_panel(request: Request, d: Designing, *, status: int = 200, message: str = "", at: int | None = None,
                headers: Mapping[str, str] | None = None) -> Response:
    placed = problems(d)
    rules = shown_rules(d.doc, placed.at_rule)
    if message and at is not None:
        for r in rules:
            if r.index == at:
                r.problems.insert(0, message)
    response = page(request, "design/_rules.html", {
        "tp": d.t, "d": d, "rules": rules, "kinds": [(k, v.get(d.lang, v["en"])) for k, v in RULE_KINDS.items()],
        "message_kinds": MESSAGE_KINDS,
        "field_choices": field_choices(d), "suggest": suggestions(d), "parent_id": "",
        "message": message if at is None else "", "saved": bool(headers),
        "url": f"/design/forms/{d.form_id}/rules", "seen": fingerprint(d.doc.get("rules")),
    }, status=status)
    if headers:
        response.headers.update(headers)
    return response


def _index(request: Request) -> int | None:
    raw = request.query_params.get("index", "")
    return int(raw) if raw.isdigit() and len(raw) < 6 else None


@form_view
def rules_view(request: Request, data: FormData) -> Response:
    """GET the rules; POST `?do=add|change|remove|move&index=i` (move: `to`)."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    if request.method == "GET":
        return rules_panel(request, d)
    action = request.query_params.get("do", "")
    index = _index(request)
    if action != "add" and data.get("seen") != fingerprint(d.doc.get("rules")):
        return rules_panel(request, d, status=409, message=d.t("dp_stale"))
    rules = [r for r in d.doc.get("rules") or []]
    current = rules[index] if index is not None and index < len(rules) and isinstance(rules[index], Mapping) \
        else None
    op: dict[str, Any]
    try:
        if action == "add":
            op = {"op": "add_rule", "rule": read_rule(d, data, None)}
        elif action == "change" and index is not None:
            op = {"op": "change_rule", "index": index, "rule": read_rule(d, data, current)}
        elif action == "remove" and index is not None:
            op = {"op": "remove_rule", "index": index}
        elif action == "move" and index is not None and str(data.get("to", "")).isdigit():
            op = {"op": "move_rule", "index": index, "to": int(str(data.get("to")))}
        else:
            return rules_panel(request, d, status=400, message=d.t("dp_rule_bad_index"))
    except RuleInput as exc:
        return rules_panel(request, d, status=400, message=exc.message, at=index if action == "change" else None)
    try:
        d.edit(op)
    except EditError as exc:
        return rules_panel(request, d, status=400, message=edit_error_text(exc, d.lang),
                           at=index if action == "change" else None)
    return rules_panel(request, d, headers=DRAFT_CHANGED)


ROUTES: list[Route] = [
    Route("/design/forms/{form}/rules", rules_view, methods=["GET", "POST"]),
]
