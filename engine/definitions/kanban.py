"""What a form's kanban board groups by, what its cards show and what its columns add up (`kanban:` of a form,
or the defaults), the problems of a `kanban:` that names fields unfit for it, and the fields a calendar can use."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import FieldDef, FormDef
from engine.fields.registry import field_type
from engine.fields.screen import USER, Reference
from engine.fields.types.choice import SingleChoice
from engine.i18n import I18n, zh_en

PEOPLE = Reference(USER)


def grouping_fields(form: FormDef) -> list[FieldDef]:
    """Single-choice fields a person sets: each can group a board (the declared `by` first)."""
    fields = [f for f in form.fields if isinstance(field_type(f.type), SingleChoice) and not f.formula]
    first = [f for f in fields if f.id == form.kanban.by]
    return first + [f for f in fields if f not in first]


def summable(f: FieldDef) -> bool:
    """Whether a column may add the field up: one stored number (money, number, integer, percent…)."""
    return field_type(f.type).measurable(f)


def is_money(f: FieldDef) -> bool:
    return summable(f) and field_type(f.type).currency(f) is not None


def is_date(f: FieldDef) -> bool:
    ftype = field_type(f.type)
    return ftype.stored and not ftype.many and ftype.result_type(f).value_type in ("date", "datetime")


def is_person(f: FieldDef) -> bool:
    ftype = field_type(f.type)
    return not ftype.many and ftype.refers_to(f) == PEOPLE


def calendar_fields(form: FormDef) -> list[FieldDef]:
    """Date fields with one stored value: each can place the records on a month calendar."""
    return [f for f in form.fields if is_date(f) and field_type(f.type).result_type(f).value_type == "date"]


def gallery_fields(form: FormDef) -> list[FieldDef]:
    """Stored image fields: each can show the records as a gallery of picture cards."""
    return [f for f in form.fields if field_type(f.type).stored and field_type(f.type).upload_kinds == "image"]


def sum_field(form: FormDef) -> FieldDef | None:
    """The field each column adds up: the declared `sum` (none for `sum: false`), else the first money field."""
    if form.kanban.sum is not None:
        declared = form.field(form.kanban.sum) if form.kanban.sum else None
        return declared if declared is not None and summable(declared) else None
    return next((f for f in form.fields if is_money(f)), None)


def card_fields(form: FormDef, grouping: str | None = None) -> list[FieldDef]:
    """The fields a card shows under its title: the declared `card_fields`, else the first money field, the owner
    (`owner`, or the first person field) and the first date field. Never the title or the grouping field."""
    skip = {form.title_field(), grouping}
    if form.kanban.card_fields is not None:
        return [f for f in (form.field(name) for name in form.kanban.card_fields)
                if f is not None and f.id not in skip and field_type(f.type).in_lists]
    owner = form.field("owner")
    picks = [next((f for f in form.fields if is_money(f)), None),
             owner if owner is not None and is_person(owner) else next((f for f in form.fields if is_person(f)), None),
             next((f for f in form.fields if is_date(f)), None)]
    return [f for i, f in enumerate(picks) if f is not None and f.id not in skip
            and all(p is None or p.id != f.id for p in picks[:i])]


def problems(form: FormDef) -> Iterator[tuple[str, I18n]]:
    """(pointer under the form, message) of each field `kanban:` names that does not exist or does not fit."""
    board = form.kanban
    ids = form.field_ids()
    if board.by and board.by not in {f.id for f in grouping_fields(form)}:
        yield "/kanban/by", (_unknown(board.by) if board.by not in ids else zh_en(
            f"看板只能按单选或下拉字段分组，“{board.by}”不是", f"a board groups by a select or radio field; '{board.by}' is not one"))
    for i, name in enumerate(board.card_fields or ()):
        f = form.field(name)
        if f is None:
            yield f"/kanban/card_fields/{i}", _unknown(name)
        elif not field_type(f.type).in_lists:
            yield f"/kanban/card_fields/{i}", zh_en(f"卡片上不能显示字段“{name}”", f"a card cannot show the field '{name}'")
    if board.sum:
        f = form.field(board.sum)
        if f is None:
            yield "/kanban/sum", _unknown(board.sum)
        elif not summable(f):
            yield "/kanban/sum", zh_en(f"看板只能合计数字或金额字段，“{board.sum}”不是",
                                       f"a board adds up a number or money field; '{board.sum}' is not one")


def _unknown(name: str) -> I18n:
    return zh_en(f"未知字段“{name}”", f"unknown field '{name}'")
