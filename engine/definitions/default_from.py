"""Defaults taken from a related record (简道云's 数据联动): `default: {from: client, field: industry}`.

When a new record's `client` is chosen and its `industry` was not given, it starts with the chosen client's
industry; the person filling the form may still change it. Only a single relation of the same form can be the
source, and only a field whose values this field can hold as they are (the same type, or a type it takes values
from unchanged, such as text from a phone number).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.definitions.suggest import closest
from engine.fields.registry import field_type, record_target, type_label_zh, type_names
from engine.i18n import zh_en

Add = Callable[[str, Mapping[str, str], "str | None"], None]  # (pointer below the field, message, suggestion)


@dataclass(frozen=True)
class DefaultFrom:
    """The relation field of this form and the field of its target form a default is copied from."""

    relation: str
    field: str


def default_from(f: FieldDef) -> DefaultFrom | None:
    """The related-record default of a field, or None when its default is something else."""
    d = f.default
    if not isinstance(d, dict) or "from" not in d:
        return None
    return DefaultFrom(str(d.get("from") or ""), str(d.get("field") or ""))


def relation_sources(form: FormDef) -> list[FieldDef]:
    """The fields of a form a default may come through: single relations to a form."""
    return [f for f in form.fields if f.type in type_names() and not field_type(f.type).many
            and record_target(f) is not None]


def fits(source: FieldDef, target: FieldDef) -> bool:
    """Whether a value of `source` can be a value of `target` as it is: the same type (and, for references, the
    same target form), or a type `target` takes values from unchanged."""
    if source.type not in type_names() or target.type not in type_names():
        return False
    if record_target(source) != record_target(target):
        return False
    if source.type == target.type:
        return True
    conversion = field_type(target.type).conversion_from(field_type(source.type))
    return conversion is not None and conversion.keeps_values


def fitting_fields(defs: Definitions, relation: FieldDef, target: FieldDef) -> list[FieldDef]:
    """The fields of the form `relation` points at whose values `target` can take (for the designer's select)."""
    form = defs.forms.get(str(record_target(relation)))
    return [f for f in form.fields if fits(f, target)] if form is not None else []


def check_default_from(defs: Definitions, form: FormDef, f: FieldDef, in_row: bool, add: Add) -> None:
    """Problems of a related-record default: at /default/from (not a single relation of this form) or
    /default/field (no such field on the related form, or one whose values this field cannot hold)."""
    spec = default_from(f)
    if spec is None:
        return
    if in_row:
        add("/default", zh_en("取自关联记录的默认值只能用于表单的字段,不能用于子表单的列",
                              "a default from a related record is for fields of the form, not subform columns"), None)
        return
    relations = [r.id for r in relation_sources(form)]
    relation = form.field(spec.relation)
    if relation is None or relation.id not in relations:
        add("/default/from", zh_en(f"“{spec.relation}”不是表单“{form.id}”的单选关联字段",
                                   f"'{spec.relation}' is not a single relation field of form '{form.id}'"),
            closest(spec.relation, relations))
        return
    target = defs.forms.get(str(record_target(relation)))
    if target is None:
        return  # the relation's own check names the unknown form
    source = target.field(spec.field)
    if source is None:
        add("/default/field", zh_en(f"表单“{target.id}”没有字段“{spec.field}”",
                                    f"form '{target.id}' has no field '{spec.field}'"),
            closest(spec.field, target.field_ids()))
    elif not fits(source, f):
        fitting = [s.id for s in target.fields if fits(s, f)]
        add("/default/field", zh_en(f"“{target.id}.{source.id}”({type_label_zh(source.type)})的值不能作为"
                                    f"{type_label_zh(f.type)}字段的值",
                                    f"'{target.id}.{source.id}' ({source.type}) cannot give a value to a {f.type} field"),
            closest(spec.field, fitting))


def defaults_from(form: FormDef) -> Iterator[tuple[FieldDef, DefaultFrom]]:
    """The fields of a form whose default comes from a related record, with where from."""
    for f in form.fields:
        spec = default_from(f)
        if spec is not None:
            yield f, spec
