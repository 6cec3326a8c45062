"""Turn records into what a page shows: formatted values, relation titles and user names, in batches."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from markupsafe import Markup

from engine.definitions.model import FieldDef, FormDef, layout_cells
from engine.fields.registry import field_type
from engine.fields.screen import DEPARTMENT, USER, Reference
from engine.fields.types.options import OptionsMixin
from engine.fields.types.system import WORKFLOW_FACTS
from engine.i18n import text
from engine.org.departments import department_names
from engine.org.users import display_names
from engine.records.export import lookup_target
from engine.records.model import Record
from engine.workflow.current import flow_facts
from engine.workspace import Workspace
from web.views.media_display import cell_html, value_html
from web.views.retired_options import retired_options

EMPTY = Markup('<span class="none">—</span>')  # an empty value on a record page

PEOPLE, DEPARTMENTS = Reference(USER), Reference(DEPARTMENT)


def list_columns(form: FormDef, limit: int = 7) -> list[FieldDef]:
    """The fields a list shows: in layout order, skipping bulky types."""
    order = [name for _, name in layout_cells(form.layout)]
    order += [f.id for f in form.fields if f.id not in order]
    fields = [form.field(name) for name in order]
    return [f for f in fields if f is not None and field_type(f.type).in_lists][:limit]


def record_facts(ws: Workspace, form: FormDef, records: list[Record]) -> dict[int, dict[str, Any]]:
    """The facts the form's system fields show, by record id: system columns, and workflow steps and assignees
    when a field asks for them (one query for the whole page)."""
    wanted = {field_type(f.type).system_fact for f in form.fields} - {""}
    if not wanted:
        return {}
    facts = {r.id: r.system() for r in records}
    if wanted & WORKFLOW_FACTS:
        with ws.reading() as conn:
            flows = flow_facts(conn, ws.definitions, form.id, [(r.id, r.wf_state) for r in records])
        for record_id, found in flows.items():
            facts[record_id].update(found)
    return facts


class Formatter:
    """Formats values of many records, resolving relation titles and user names in one query each. Dates, numbers
    and money come out in the reader's language (`lang`, through the field types' `format` and
    engine/locale_format.py): 2026年12月6日 · Dec 6, 2026, ¥1,234.50."""

    def __init__(self, ws: Workspace, form: FormDef, records: Iterable[Record], lang: str, tz: tzinfo | None = None):
        self.ws, self.form, self.lang = ws, form, lang
        self.tz = tz or ws.tz  # the reader's zone for date-times
        self.records = list(records)
        self.facts = record_facts(ws, form, self.records)
        self.titles: dict[str, dict[int, str]] = {}
        self.users: dict[int, str] = {}
        self.departments: dict[int, str] = {}
        self.retired: dict[str, dict[str, Any]] | None = None  # labels of removed options, read when one shows
        self._load()

    def _load(self) -> None:
        wanted: dict[Reference, set[int]] = {PEOPLE: set(), DEPARTMENTS: set()}
        for record in self.records:
            wanted[PEOPLE].update(i for i in (record.owner_id, record.created_by, record.updated_by) if i)
            for f, value in self._shown_values(record):
                f = lookup_target(self.ws.definitions, self.form, f)[0]
                ref = field_type(f.type).refers_to(f)
                if ref is not None:
                    ids = value if isinstance(value, list) else [value]
                    wanted.setdefault(ref, set()).update(int(i) for i in ids if isinstance(i, int))
        for ref, found in wanted.items():
            if ref.form:
                self.titles[ref.form] = self.ws.records.titles(ref.form, sorted(found))
        with self.ws.reading() as conn:
            self.users = display_names(conn, wanted[PEOPLE])
            self.departments = department_names(conn, wanted[DEPARTMENTS], self.lang)

    def _shown_values(self, record: Record) -> Iterable[tuple[FieldDef, Any]]:
        """(field, value) of a record's fields and of its subform rows' columns."""
        for f in self.form.fields:
            value = self.get(record, f)
            if field_type(f.type).holds_rows:
                for row in value or []:
                    if isinstance(row, dict):
                        yield from ((c, row.get(c.id)) for c in f.fields)
            else:
                yield f, value

    def get(self, record: Record, f: FieldDef) -> Any:
        """The field's value in the record: its own, or the system fact it shows (who created it, its step…)."""
        fact = field_type(f.type).system_fact
        return self.facts.get(record.id, {}).get(fact) if fact else record.values.get(f.id)

    def cell(self, record: Record, f: FieldDef) -> str:
        """The display text of a field of a record."""
        return self.value(f, self.get(record, f))

    def cell_html(self, record: Record, f: FieldDef) -> Markup:
        """A list's cell as safe HTML: the display text, or badges for options with colours."""
        value = self.get(record, f)
        return cell_html(f, value, self.value(f, value), self.lang)

    def user(self, user_id: int | None) -> str:
        return self.users.get(int(user_id), f"#{user_id}") if user_id else ""

    def names(self, ref: Reference) -> dict[int, str]:
        """The loaded names of what `ref` points at, by id."""
        if ref == PEOPLE:
            return self.users
        return self.departments if ref == DEPARTMENTS else self.titles.get(ref.form, {})

    def value(self, f: FieldDef, value: Any) -> str:
        """The display text of a field's value."""
        if value is None or value == [] or value == "":
            return ""
        target, many = lookup_target(self.ws.definitions, self.form, f)
        if target is not f:  # a lookup shows as the field it reads: option labels, titles, names, money...
            if many and isinstance(value, list):
                return ", ".join(text for text in (self.value(target, v) for v in value) if text)
            return self.value(target, value)
        ref = field_type(f.type).refers_to(f)
        if ref is not None:
            names = self.names(ref)
            ids = value if isinstance(value, list) else [value]
            return ", ".join(names.get(int(i), f"#{i}") for i in ids)
        ftype = field_type(f.type)
        if isinstance(ftype, OptionsMixin) and ftype.outside(f, value if isinstance(value, list) else [value]):
            return self._with_removed_options(f, ftype, value)
        return ftype.format(f, value, self.lang, self.tz)

    def _with_removed_options(self, f: FieldDef, ftype: OptionsMixin, value: Any) -> str:
        """Option labels, a value whose option the form no longer has by the label it last had (else as stored)."""
        if self.retired is None:
            self.retired = retired_options(self.ws, self.form)
        known, labels = set(ftype.option_values(f)), self.retired.get(f.id, {})
        shown = [ftype.option_label(f, v, self.lang) if str(v) in known or str(v) not in labels
                 else text(labels[str(v)], self.lang) for v in (value if isinstance(value, list) else [value])]
        return ("、" if self.lang == "zh" else ", ").join(shown)

    def html(self, f: FieldDef, value: Any) -> Markup:
        """The value as safe HTML: media as thumbnails and links, ratings as stars, rich text sanitised; an empty
        value as a muted dash."""
        shown = value_html(f, value, self.value(f, value), self.lang)
        return shown if shown or field_type(f.type).layout_only else EMPTY
