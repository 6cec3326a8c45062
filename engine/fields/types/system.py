"""System fields: who created or last changed a record and when, and where its workflow stands (current node,
current assignees). Read-only: computed from the record's system columns and its workflow, never written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from engine.definitions.model import FieldDef
from engine.fields.base import FieldType
from engine.fields.registry import field_type, register
from engine.fields.screen import USER, Reference
from engine.fields.types.common import title
from engine.fields.types.relations import plain
from engine.i18n import I18n, text

# The facts of a record these fields show: its system columns, and what its workflow reader adds.
CREATED_BY, CREATED_AT, UPDATED_BY, UPDATED_AT = "created_by", "created_at", "updated_by", "updated_at"
FLOW_NODES, FLOW_ASSIGNEES = "flow_nodes", "flow_assignees"
WORKFLOW_FACTS = frozenset({FLOW_NODES, FLOW_ASSIGNEES})


class SystemField(FieldType):
    """A read-only fact of the record (no column of its own, not filled in by anyone)."""

    stored = False
    computed = True
    operators = ()
    shows_itself = True
    widget = "system"

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"title": title(f), "readOnly": True, "description": "Set by the system."}

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return plain(value)


class Person(SystemField):
    """A member, by id (named by the page that shows it)."""

    value_type = "number"

    def refers_to(self, f: FieldDef) -> Reference | None:
        return Reference(USER)

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return "" if value is None else f"#{value}"


class Moment(SystemField):
    """A date-time, shown in the reader's zone."""

    value_type = "datetime"

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return field_type("datetime").format(f, value, lang, tz)


@register
class CreatedBy(Person):
    """Who created the record (提交人)."""

    name = "created_by"
    label = {"zh": "提交人", "en": "Created by"}
    system_fact = CREATED_BY


@register
class CreatedAt(Moment):
    """When the record was created (提交时间)."""

    name = "created_at"
    label = {"zh": "提交时间", "en": "Created at"}
    system_fact = CREATED_AT


@register
class UpdatedBy(Person):
    """Who changed the record last (修改人)."""

    name = "updated_by"
    label = {"zh": "修改人", "en": "Updated by"}
    system_fact = UPDATED_BY


@register
class UpdatedAt(Moment):
    """When the record was changed last (更新时间)."""

    name = "updated_at"
    label = {"zh": "更新时间", "en": "Updated at"}
    system_fact = UPDATED_AT


@register
class FlowNode(SystemField):
    """The workflow step the record is at (当前节点): the running nodes' names, or how its flow ended."""

    name = "flow_node"
    label = {"zh": "当前节点", "en": "Workflow step"}
    value_type = "text"
    system_fact = FLOW_NODES

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        labels: Sequence[I18n] = value if isinstance(value, (list, tuple)) else [] if value is None else [value]
        return " / ".join(text(label, lang) for label in labels)


@register
class FlowAssignees(SystemField):
    """Who the record waits for in its workflow (当前负责人): the members with an open to-do item on it."""

    name = "flow_assignees"
    label = {"zh": "当前负责人", "en": "Current assignees"}
    value_type = "list"
    many = True
    system_fact = FLOW_ASSIGNEES

    def refers_to(self, f: FieldDef) -> Reference | None:
        return Reference(USER)

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return ("、" if lang == "zh" else ", ").join(f"#{v}" for v in value or [])
