"""The fields a publish changes, paired with what they were, and the type changes among them.

`field_pairs` walks the forms of the new definitions that existed before (same table) and pairs each field,
and each column of a subform, with its old definition. A type change is allowed when the new type takes values
of the old one (`FieldType.conversion_from`); otherwise it is a problem at the field's path naming both types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.errors import Problem
from engine.fields.base import FieldType
from engine.fields.conversion import ConversionContext, Converter
from engine.fields.registry import field_type
from engine.i18n import text, zh_en


@dataclass(frozen=True)
class FieldPair:
    """A field of the new definitions and the same field before the publish (None: new field)."""

    form: FormDef
    table: str  # where its column is: the form's table, or a subform's child table
    old: FieldDef | None
    new: FieldDef
    parent: FieldDef | None = None  # the subform, for a column of a subform

    @property
    def path(self) -> str:
        """`budget`, or `items.qty` for a column of a subform."""
        return f"{self.parent.id}.{self.new.id}" if self.parent else self.new.id

    @property
    def type_changed(self) -> bool:
        return self.old is not None and self.old.type != self.new.type


def field_pairs(old: Definitions, new: Definitions) -> Iterator[FieldPair]:
    """Every field of a form that has data already, with its old definition."""
    for form in new.forms.values():
        before = old.forms.get(form.id)
        if before is None or before.table != form.table:
            continue
        for f in form.fields:
            was = before.field(f.id)
            yield FieldPair(form, form.table, was, f)
            if was is not None and f.type == "subform" == was.type:
                child = f"{form.table}__{f.id}"  # engine.storage.formtables.child_table_name (this layer is pure)
                for column in f.fields:
                    yield FieldPair(form, child, was.child(column.id), column, parent=f)


def converter(pair: FieldPair, ctx: ConversionContext) -> Converter | None:
    """How a changed field's stored values convert (None when no stored value moves, or the change is refused)."""
    if not pair.type_changed or pair.old is None:
        return None
    old_type, new_type = field_type(pair.old.type), field_type(pair.new.type)
    if _no_values(old_type) and _no_values(new_type):
        return None
    conversion = new_type.conversion_from(old_type)
    return None if conversion is None else Converter(pair.old, pair.new, conversion, ctx)


def _no_values(t: FieldType) -> bool:
    return (not t.stored or t.layout_only) and not t.holds_rows


def type_change_problems(old: Definitions, new: Definitions) -> list[Problem]:
    """A problem at each field whose new type cannot take its stored values, naming both types and why."""
    problems = []
    for pair in field_pairs(old, new):
        if not pair.type_changed or pair.old is None:
            continue
        old_type, new_type = field_type(pair.old.type), field_type(pair.new.type)
        if (_no_values(old_type) and _no_values(new_type)) or new_type.conversion_from(old_type) is not None:
            continue
        src = pair.new.source
        why = refusal_text(pair.old.type, pair.new.type)
        message = zh_en(f"{text(pair.new.label, 'zh')}:{why['zh']}",
                        f"{text(pair.new.label, 'en')}: a field of type {text(old_type.label, 'en')} cannot become "
                        f"{text(new_type.label, 'en')}: {text(new_type.refusal(old_type), 'en')}")
        problems.append(Problem(src.file, src.line, f"{src.pointer}/type" if src.pointer else "type", message))

    return problems


def refusal_text(old_type: str, new_type: str) -> dict[str, str]:
    """Why a field of `old_type` cannot become `new_type`, in both languages (for the designer)."""
    before, after = field_type(old_type), field_type(new_type)
    reason = after.refusal(before)
    return {"zh": f"{text(before.label, 'zh')}字段不能改为{text(after.label, 'zh')}:{text(reason, 'zh')}",
            "en": f"a {text(before.label, 'en')} field cannot become {text(after.label, 'en')}: "
                  f"{text(reason, 'en')}"}
