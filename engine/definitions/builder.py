"""Turn schema-checked YAML data into frozen definition objects, keeping each element's source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.model import (
    ActionDef, AppDef, AutomationDef, FieldDef, FormDef, FormPermission, Numbering, RoleDef, Rule, Source, TemplateDef, TriggerDef,
    KanbanDef, LayoutItem, LayoutRow, LayoutSection, LayoutTab, PublicDef, PrintTemplateDef, RecordLinkDef,
    PipelineDef, StageDef,
    AssigneeDef, BranchDef, NodeDef, TimeoutDef, WorkflowDef,
    frozen,
)
from engine.definitions.yamlsource import YamlDocument

COMMON_FIELD_KEYS = {"id", "type", "label", "required", "unique", "index", "default", "formula", "help", "fields"}
RULE_KINDS = ("show", "require", "readonly", "check")


def _src(doc: YamlDocument, pointer: str) -> Source:
    return Source(doc.file, doc.line(pointer), pointer)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def build_field(doc: YamlDocument, data: Mapping[str, Any], pointer: str) -> FieldDef:
    """One field (recursing into subform columns)."""
    children = tuple(
        build_field(doc, child, f"{pointer}/fields/{i}")
        for i, child in enumerate(_list(data.get("fields"))) if isinstance(child, Mapping)
    )
    props = {k: v for k, v in data.items() if k not in COMMON_FIELD_KEYS}
    if data.get("type") == "formula" and "formula" in data:
        props["formula"] = data["formula"]
    return FieldDef(
        id=str(data.get("id", "")),
        type=str(data.get("type", "")),
        label=data.get("label") or str(data.get("id", "")),
        required=bool(data.get("required", False)),
        unique=bool(data.get("unique", False)),
        index=bool(data.get("index", False)),
        default=data.get("default"),
        formula=data.get("formula"),
        help=data.get("help"),
        props=frozen(props),
        fields=children,
        source=_src(doc, pointer),
    )


def build_rule(doc: YamlDocument, data: Mapping[str, Any], pointer: str) -> Rule:
    """One rule: the kind is whichever of show/require/readonly/check is present."""
    kind = next((k for k in RULE_KINDS if k in data), "check")
    fields = data.get("fields") if kind == "check" else data.get(kind)
    return Rule(
        kind=kind,
        fields=tuple(str(f) for f in _list(fields)),
        when=data.get("when"),
        check=data.get("check") if kind == "check" else None,
        message=data.get("message"),
        source=_src(doc, pointer),
    )


def build_layout(data: Any) -> tuple[LayoutItem, ...]:
    """Layout rows, sections and tabs."""
    items: list[LayoutItem] = []
    for item in _list(data):
        if isinstance(item, Mapping) and "tab" in item:
            items.append(LayoutTab(item.get("tab") or "", tuple(_build_block(x) for x in _list(item.get("layout")))))
        else:
            items.append(_build_block(item))
    return tuple(items)


def _build_block(item: Any) -> LayoutRow | LayoutSection:
    """A row, or a section of rows."""
    if isinstance(item, Mapping):
        return LayoutSection(item.get("section") or "", tuple(_build_row(r) for r in _list(item.get("rows"))))
    return _build_row(item)


def _build_row(item: Any) -> LayoutRow:
    return tuple(str(x) for x in _as_row(item))


def _as_row(item: Any) -> list[Any]:
    return item if isinstance(item, list) else [item]


def build_numbering(doc: YamlDocument, data: Any, pointer: str) -> tuple[Numbering, ...]:
    """One numbering object or a list of them."""
    if isinstance(data, Mapping):
        return (Numbering(str(data.get("field", "")), str(data.get("pattern", "")), _src(doc, pointer)),)
    return tuple(
        Numbering(str(d.get("field", "")), str(d.get("pattern", "")), _src(doc, f"{pointer}/{i}"))
        for i, d in enumerate(_list(data)) if isinstance(d, Mapping)
    )


def build_form(doc: YamlDocument, app: str) -> FormDef:
    """A form document."""
    data = _dict(doc.data)
    return FormDef(
        id=str(data.get("form", "")),
        app=app,
        label=data.get("label") or str(data.get("form", "")),
        description=data.get("description"),
        title=data.get("title"),
        fields=tuple(
            build_field(doc, f, f"/fields/{i}") for i, f in enumerate(_list(data.get("fields"))) if isinstance(f, Mapping)
        ),
        rules=tuple(
            build_rule(doc, r, f"/rules/{i}") for i, r in enumerate(_list(data.get("rules"))) if isinstance(r, Mapping)
        ),
        numbering=build_numbering(doc, data.get("numbering"), "/numbering"),
        layout=build_layout(data.get("layout")),
        search=tuple(str(s) for s in _list(data.get("search"))),
        status=str(data["status"]) if data.get("status") else None,
        key_fields=tuple(str(k) for k in _list(data.get("key_fields"))),
        source=_src(doc, ""),
        public=build_public(doc, data.get("public")),
        print_templates=tuple(
            PrintTemplateDef(str(t.get("id", "")), t.get("label") or str(t.get("id", "")), str(t.get("html") or ""),
                             _src(doc, f"/print_templates/{i}"))
            for i, t in enumerate(_list(data.get("print_templates"))) if isinstance(t, Mapping)
        ),
        record_links=tuple(build_record_link(doc, d, f"/record_links/{i}")
                           for i, d in enumerate(_list(data.get("record_links"))) if isinstance(d, Mapping)),
        kanban=build_kanban(doc, data.get("kanban")),
    )


def build_kanban(doc: YamlDocument, data: Any) -> KanbanDef:
    """A form's `kanban:` settings (all defaults without one)."""
    if not isinstance(data, Mapping):
        return KanbanDef()
    cards = data.get("card_fields")
    total = data.get("sum")
    return KanbanDef(
        by=str(data["by"]) if data.get("by") else None,
        card_fields=tuple(str(c) for c in cards) if isinstance(cards, list) else None,
        sum="" if total is False else (str(total) if total else None),
        source=_src(doc, "/kanban"),
    )


def build_public(doc: YamlDocument, data: Any) -> PublicDef | None:
    """A form's `public:` share link, or None without one."""
    if not isinstance(data, Mapping):
        return None
    return PublicDef(
        enabled=bool(data.get("enabled", True)),
        token=str(data.get("token") or ""),
        fields=tuple(str(f) for f in _list(data.get("fields"))),
        title=data.get("title") or None,
        intro=data.get("intro") or None,
        fixed=frozen(_dict(data.get("fixed"))),
        prefill=tuple(str(f) for f in _list(data.get("prefill"))),
        success=data.get("success"),
        redirect=str(data["redirect"]) if data.get("redirect") else None,
        origins=tuple(str(o).rstrip("/") for o in _list(data.get("origins"))),
        uploads=data.get("uploads") is True or tuple(str(f) for f in _list(data.get("uploads"))),
        source=_src(doc, "/public"),
    )


def build_record_link(doc: YamlDocument, data: Mapping[str, Any], pointer: str) -> RecordLinkDef:
    """One entry of a form's `record_links:`."""
    days = data.get("expires_days")
    return RecordLinkDef(
        id=str(data.get("id", "")),
        kind=str(data.get("kind") or "update"),
        label=data.get("label") or str(data.get("id", "")),
        fields=tuple(str(f) for f in _list(data.get("fields"))),
        show=tuple(str(f) for f in _list(data.get("show"))),
        form=str(data["form"]) if data.get("form") else None,
        relation=str(data["relation"]) if data.get("relation") else None,
        fixed=frozen(_dict(data.get("fixed"))),
        once=bool(data.get("once", False)),
        expires_days=int(days) if isinstance(days, int) and not isinstance(days, bool) else None,
        title=data.get("title") or None,
        intro=data.get("intro") or None,
        success=data.get("success") or None,
        source=_src(doc, pointer),
    )


def build_app(doc: YamlDocument, forms: tuple[str, ...]) -> AppDef:
    """An app document; `forms` is the order of its forms."""
    data = _dict(doc.data)
    return AppDef(
        id=str(data.get("app", "")),
        label=data.get("label") or str(data.get("app", "")),
        description=data.get("description"),
        icon=data.get("icon"),
        color=data.get("color"),
        admins=tuple(str(r) for r in _list(data.get("admins"))),
        forms=forms,
        source=_src(doc, ""),
    )


def build_template(doc: YamlDocument) -> TemplateDef:
    """A template document."""
    data = _dict(doc.data)
    return TemplateDef(
        id=str(data.get("template", "")),
        version=str(data.get("version", "0.0.0")),
        label=data.get("label") or str(data.get("template", "")),
        description=data.get("description"),
        apps=tuple(str(a) for a in _list(data.get("apps"))),
        source=_src(doc, ""),
    )


def build_roles(doc: YamlDocument) -> tuple[RoleDef, ...]:
    """The roles of a roles document."""
    roles = []
    for i, item in enumerate(_list(_dict(doc.data).get("roles"))):
        if not isinstance(item, Mapping):
            continue
        perms = {}
        for form_id, p in _dict(item.get("permissions")).items():
            p = _dict(p)
            scope = p.get("scope", "own")
            condition = None
            if isinstance(scope, Mapping):
                condition, scope = scope.get("condition"), "condition"
            perms[str(form_id)] = FormPermission(
                operations=frozenset(str(o) for o in _list(p.get("operations"))),
                scope=str(scope),
                condition=condition,
                fields=frozen({str(k): str(v) for k, v in _dict(p.get("fields")).items()}),
            )
        roles.append(RoleDef(
            id=str(item.get("id", "")),
            label=item.get("label") or str(item.get("id", "")),
            description=item.get("description"),
            permissions=frozen(perms),
            source=_src(doc, f"/roles/{i}"),
        ))
    return tuple(roles)


def build_pipeline(doc: YamlDocument) -> PipelineDef:
    """A stage pipeline document."""
    data = _dict(doc.data)
    stages = []
    for i, item in enumerate(_list(data.get("stages"))):
        item = _dict(item)
        to = item.get("to")
        stages.append(StageDef(
            stage=str(item.get("stage", "")), to=tuple(str(t) for t in to) if isinstance(to, list) else None,
            require=tuple(str(r) for r in _list(item.get("require"))),
            probability=_number(item.get("probability")), stall_days=_number(item.get("stall_days")),
            source=_src(doc, f"/stages/{i}"),
        ))
    return PipelineDef(
        id=str(data.get("pipeline", "")), label=data.get("label") or str(data.get("pipeline", "")),
        form=str(data.get("form", "")), field=str(data.get("field", "")), stages=tuple(stages),
        probability_field=str(data["probability_field"]) if data.get("probability_field") else None,
        description=data.get("description"), source=_src(doc, ""),
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def build_automation(doc: YamlDocument) -> AutomationDef:
    """An automation document."""
    data = _dict(doc.data)
    trigger = _dict(data.get("trigger"))
    actions = []
    for i, item in enumerate(_list(data.get("actions"))):
        item = _dict(item)
        actions.append(ActionDef(
            id=str(item.get("id") or f"step{i + 1}"), type=str(item.get("type", "")),
            props=frozen({k: v for k, v in item.items() if k not in ("id", "type")}), source=_src(doc, f"/actions/{i}"),
        ))
    return AutomationDef(
        id=str(data.get("automation", "")),
        label=data.get("label") or str(data.get("automation", "")),
        description=data.get("description"),
        form=str(data["form"]) if data.get("form") else None,
        trigger=TriggerDef(on=str(trigger.get("type", "")), props=frozen({k: v for k, v in trigger.items() if k != "type"}),
                           source=_src(doc, "/trigger")),
        condition=str(data["condition"]) if data.get("condition") else None,
        enabled=bool(data.get("enabled", True)),
        actions=tuple(actions),
        source=_src(doc, ""),
    )


WORKFLOW_DEFAULT_ACTIONS = {
    "approval": frozenset({"approve", "reject", "return", "transfer", "add_signer"}),
    "fill": frozenset({"approve", "transfer"}),
}


def build_workflow(doc: YamlDocument) -> WorkflowDef:
    """A workflow document."""
    data = _dict(doc.data)
    nodes = tuple(_build_node(doc, _dict(n), f"/nodes/{i}") for i, n in enumerate(_list(data.get("nodes"))))
    return WorkflowDef(
        id=str(data.get("workflow", "")),
        label=data.get("label") or str(data.get("workflow", "")),
        form=str(data.get("form", "")),
        nodes=nodes,
        auto_start=bool(data.get("auto_start", False)),
        enabled=bool(data.get("enabled", True)),
        description=data.get("description"),
        source=_src(doc, ""),
    )


def _build_node(doc: YamlDocument, data: Mapping[str, Any], pointer: str) -> NodeDef:
    kind = str(data.get("type", ""))
    following = data.get("next")
    actions = data.get("actions")
    return NodeDef(
        id=str(data.get("id", "")),
        type=kind,
        label=data.get("label") or str(data.get("id", "")),
        next=tuple(str(n) for n in following) if isinstance(following, list) else
        ((str(following),) if following else ()),
        branches=tuple(_build_branch(doc, _dict(b), f"{pointer}/branches/{i}")
                       for i, b in enumerate(_list(data.get("branches")))),
        assignees=_build_assignees(doc, data.get("assignees"), f"{pointer}/assignees"),
        sign=str(data.get("sign", "any")),
        fields=frozen({str(k): str(v) for k, v in _dict(data.get("fields")).items()}),
        required=tuple(str(r) for r in _list(data.get("required"))),
        actions=frozenset(str(a) for a in _list(actions)) if actions is not None
        else WORKFLOW_DEFAULT_ACTIONS.get(kind, frozenset()),
        reject_to=str(data["reject_to"]) if data.get("reject_to") else None,
        timeout=_build_timeout(doc, data["timeout"], f"{pointer}/timeout") if isinstance(data.get("timeout"), Mapping)
        else None,
        auto_approve=tuple(str(a) for a in _list(data.get("auto_approve"))),
        set_values=frozen(dict(_dict(data.get("set")))),
        source=_src(doc, pointer),
    )


def _build_branch(doc: YamlDocument, data: Mapping[str, Any], pointer: str) -> BranchDef:
    """A branch: `when` None marks the default; a branch with both or neither gets `when` "" for the checker."""
    has_when, is_default = data.get("when") not in (None, ""), data.get("default") is True
    when = None if is_default and not has_when else (str(data["when"]) if has_when and not is_default else "")
    return BranchDef(next=str(data.get("next", "")), when=when, label=data.get("label"), source=_src(doc, pointer))


def _build_assignees(doc: YamlDocument, data: Any, pointer: str) -> tuple[AssigneeDef, ...]:
    entries = []
    for i, item in enumerate(_list(data)):
        if isinstance(item, Mapping) and item:
            kind, value = next(iter(item.items()))
            entries.append(AssigneeDef(str(kind), _assignee_value(str(kind), value), _src(doc, f"{pointer}/{i}")))
    return tuple(entries)


def _assignee_value(kind: str, value: Any) -> Any:
    if kind == "users":
        return tuple(str(v) for v in _list(value))
    if kind == "manager":
        return value if isinstance(value, int) and not isinstance(value, bool) else 0
    if kind == "department_head":
        return None if value == "record" else (value if isinstance(value, str) else "")
    if kind in ("role", "field"):
        return str(value)
    return None


def _build_timeout(doc: YamlDocument, data: Mapping[str, Any], pointer: str) -> TimeoutDef:
    return TimeoutDef(
        hours=_number(data.get("hours")) or 0.0,
        action=str(data.get("action", "remind")),
        remind_every=_number(data.get("remind_every")),
        to=_build_assignees(doc, data.get("to"), f"{pointer}/to"),
        source=_src(doc, pointer),
    )
