"""What a record page shows around its fields: the header (title, status tag, owner, key fields) and the tabs below
the fields (a tab per related list with records, comments, the timeline, the workflow), one of them open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from engine.definitions.model import FieldDef, FormDef
from engine.definitions.palette import COLORS
from engine.fields.registry import field_type
from engine.fields.types.options import OptionsMixin
from engine.records.model import Actor, Record
from engine.workspace import Workspace
from web.views.display import Formatter
from web.views.related import RelatedList


@dataclass
class Header:
    """The record page's header: its title, status tag, owner and key fields (label, value as HTML)."""

    title: str
    status: Markup | None = None
    owner: str = ""
    key_fields: list[tuple[FieldDef, Markup]] = field(default_factory=list)


def record_header(ws: Workspace, form: FormDef, record: Record, fmt: Formatter, hidden: set[str]) -> Header:
    """The header of `form`'s page of `record`; a field the viewer may not see or a show rule hides is left out."""
    title_field = form.field(form.title_field())
    title = fmt.value(title_field, record.values.get(title_field.id)) if title_field else ""
    pipeline = ws.definitions.pipeline_of(form.id)
    status = form.field(form.status_field(pipeline.field if pipeline else None) or "")
    keys = [f for f in (form.field(name) for name in form.key_fields) if f is not None and f.id not in hidden]
    return Header(title or f"#{record.id}",
                  status_tag(fmt, status, fmt.get(record, status)) if status and status.id not in hidden else None,
                  fmt.user(record.owner_id), [(f, fmt.html(f, fmt.get(record, f))) for f in keys])


def status_tag(fmt: Formatter, f: FieldDef, value: Any) -> Markup | None:
    """The option as a tag in its colour (a plain tag for an option without one); None without a value."""
    ftype = field_type(f.type)
    if value in (None, "") or not isinstance(ftype, OptionsMixin):
        return None
    colour = ftype.option_colour(f, value)
    return Markup('<span class="status-tag option-badge{}" data-status="{}">{}</span>').format(
        f" app-color-{colour}" if colour in COLORS else " plain", f.id, fmt.value(f, value))


@dataclass
class PanelTab:
    """A tab below the fields: `key` names it (`?tab=` opens it), `kind` says what it holds."""

    key: str
    kind: str  # related | comments | timeline | workflow
    count: int | None = None
    related: RelatedList | None = None


def panel_tabs(related: list[RelatedList], comments: int, workflow: bool) -> list[PanelTab]:
    """The workflow first (when the form has one), a tab per related list the viewer sees records of, then
    comments and the timeline."""
    tabs = [PanelTab("workflow", "workflow")] if workflow else []
    tabs += [PanelTab(related_key(rel), "related", rel.total, rel) for rel in related if rel.total]
    return tabs + [PanelTab("comments", "comments", comments), PanelTab("timeline", "timeline")]


def addable(ws: Workspace, actor: Actor, related: list[RelatedList]) -> list[RelatedList]:
    """The related lists without a record the viewer sees, for which the viewer may add one (an "add" line)."""
    return [rel for rel in related if not rel.total and ws.records.guard(actor, rel.form.id).access.can("create")]


def related_key(rel: RelatedList) -> str:
    """The tab key of a related list: `related-<form>-<field>`."""
    return f"related-{rel.form.id}-{rel.field.id}"


def opened_tab(tabs: list[PanelTab], wanted: str) -> str:
    """The key of the tab open at first: the one asked for if there is one, else the first."""
    return wanted if any(t.key == wanted for t in tabs) else tabs[0].key
