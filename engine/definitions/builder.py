"""Turn schema-checked YAML data into frozen definition objects, keeping each element's source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.model import (
    ActionDef, AppDef, AutomationDef, FieldDef, FormDef, FormPermission, LayoutSection, Numbering, RoleDef, Rule, Source, TemplateDef, TriggerDef,
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


def build_layout(data: Any) -> tuple[tuple[str, ...] | LayoutSection, ...]:
    """Layout rows and sections."""
    rows: list[tuple[str, ...] | LayoutSection] = []
    for item in _list(data):
        if isinstance(item, Mapping):
            section_rows = tuple(tuple(str(x) for x in _as_row(r)) for r in _list(item.get("rows")))
            rows.append(LayoutSection(item.get("section") or "", section_rows))
        else:
            rows.append(tuple(str(x) for x in _as_row(item)))
    return tuple(rows)


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
        source=_src(doc, ""),
    )


def build_app(doc: YamlDocument, forms: tuple[str, ...]) -> AppDef:
    """An app document; `forms` is the order of its forms."""
    data = _dict(doc.data)
    return AppDef(
        id=str(data.get("app", "")),
        label=data.get("label") or str(data.get("app", "")),
        description=data.get("description"),
        icon=data.get("icon"),
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
