"""What a publish does to the data already stored, measured in SQL on the live tables before anything is written.

Each figure is one COUNT (or GROUP BY) query; rows never come into Python, only up to five example values.
An impact is `blocking` when publishing would lose values (a type change whose values do not all convert,
text cut to a shorter column) or cannot succeed (a field made unique whose values repeat). Losses can be
accepted (`Workspace.publish(accept_losses=True)`): the values that do not convert become empty.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import Definitions, FieldDef, Source
from engine.definitions.typechange import FieldPair, converter, field_pairs
from engine.errors import Problem, PublishRefused
from engine.fields.conversion import ConversionContext
from engine.fields.registry import field_type
from engine.fields.types.lists import json_list_has
from engine.fields.types.options import OptionsMixin
from engine.fields.types.text import TextBase
from engine.i18n import I18n, text, zh_en

EXAMPLES = 5
EXAMPLE_LENGTH = 40
Rewrite = Callable[[ColumnElement[Any]], ColumnElement[Any]]

# What each kind of impact says; {label} is the field's label, {count}/{total} figures, {examples} quoted values.
TEXTS: dict[str, dict[str, str]] = {
    "required": {"zh": "{count} 条记录的“{label}”没有值,而你把它设为必填;这些记录下次编辑时须填写",
                 "en": "{count} of {total} records have no value for {label}, which you made required; they must be "
                       "filled in when those records are next edited",
                 "en_one": "1 of {total} records has no value for {label}, which you made required; it must be filled "
                           "in when that record is next edited"},
    "unique": {"zh": "“{label}”有 {count} 个值被多条记录重复使用(如“{example}”),不能设为唯一;发布会被拒绝,请先修改这些记录",
               "en": "{label} cannot be made unique: {count} of its values are used by more than one record (such as "
                     "'{example}'); the publish will be refused until those records are changed",
               "en_one": "{label} cannot be made unique: 1 of its values is used by more than one record (such as "
                         "'{example}'); the publish will be refused until those records are changed"},
    "option_removed": {"zh": "{count} 条记录使用你删除的选项“{option}”(字段“{label}”);它们保留该值,直到被编辑",
                       "en": "{count} records use the option '{option}' of {label} that you removed; they keep it "
                             "until they are edited",
                       "en_one": "1 record uses the option '{option}' of {label} that you removed; it keeps it until "
                                 "it is edited"},
    "type_loss": {"zh": "“{label}”有 {count} 个值(共 {total} 个)无法转换为{type}:{examples};发布后这些值将被清空",
                  "en": "{count} of {total} values of {label} do not convert to {type}: {examples}; publishing anyway "
                        "empties them",
                  "en_one": "1 of {total} values of {label} does not convert to {type}: {examples}; publishing anyway "
                            "empties it"},
    "type_ok": {"zh": "“{label}”的全部 {total} 个值都可以转换为{type}",
                "en": "all {total} values of {label} convert to {type}",
                "en_one": "the one value of {label} converts to {type}"},
    "too_long": {"zh": "“{label}”有 {count} 个值超过 {max} 个字符:{examples};这些记录下次编辑时须缩短",
                 "en": "{count} values of {label} are longer than {max} characters: {examples}; they must be "
                       "shortened when those records are next edited",
                 "en_one": "1 value of {label} is longer than {max} characters: {examples}; it must be shortened when "
                           "that record is next edited"},
    "cut": {"zh": "“{label}”有 {count} 个值超过 {max} 个字符:{examples};发布后这些值将被截断",
            "en": "{count} values of {label} are longer than {max} characters: {examples}; publishing anyway cuts "
                  "them to {max} characters",
            "en_one": "1 value of {label} is longer than {max} characters: {examples}; publishing anyway cuts it to "
                      "{max} characters"},
    "out_of_range": {"zh": "“{label}”有 {count} 个值超出新的范围({bounds}):{examples};这些记录下次编辑时须修改",
                     "en": "{count} values of {label} fall outside the new range ({bounds}): {examples}; they must be "
                           "changed when those records are next edited",
                     "en_one": "1 value of {label} falls outside the new range ({bounds}): {examples}; it must be "
                               "changed when that record is next edited"},
}


@dataclass(frozen=True)
class Impact:
    """One effect of a publish on stored data: `count` of `total` values or records of a form's field."""

    form: str
    field: str  # the field id, `subform.column` for a column of a subform
    kind: str  # required | unique | option_removed | type_change | too_long | out_of_range
    count: int
    total: int
    message: Mapping[str, str]  # {zh, en}
    examples: tuple[str, ...] = ()
    blocking: bool = False  # publish is refused unless `lossy` and the publisher accepts the losses
    lossy: bool = False  # publishing with accept_losses empties (or cuts) the `count` values
    table: str = dataclasses.field(default="", compare=False)  # where the values are (table, column)
    column: str = dataclasses.field(default="", compare=False)

    def text(self, lang: str) -> str:
        return self.message.get(lang) or self.message.get("en", "")


def _render(kind: str, **params: Any) -> dict[str, str]:
    result = {}
    one = params.get("count", params.get("total")) == 1  # the singular when the figure a text counts by is one
    for lang in ("zh", "en"):
        template = TEXTS[kind].get(f"{lang}_one", TEXTS[kind][lang]) if one else TEXTS[kind][lang]
        values = {k: text(v, lang) if isinstance(v, Mapping) else v for k, v in params.items()}
        values.update({k: f"{v:,}" for k, v in params.items() if isinstance(v, int) and not isinstance(v, bool)})
        values["examples"] = ("、" if lang == "zh" else ", ").join(f"'{e}'" for e in params.get("examples", ()))
        result[lang] = template.format_map(values)
    return result


def _example(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)
    return shown if len(shown) <= EXAMPLE_LENGTH else shown[:EXAMPLE_LENGTH - 1] + "…"


class _Measure:
    """The queries of one measure run, with the live-record total of each table counted once."""

    def __init__(self, conn: sa.Connection, ctx: ConversionContext):
        self.conn, self.ctx = conn, ctx
        self._totals: dict[str, int] = {}
        self._columns: dict[str, set[str]] = {}

    def table(self, pair: FieldPair, *columns: str) -> tuple[sa.TableClause, sa.FromClause, ColumnElement[bool]]:
        """The field's table, what to select from, and the test for rows of live records."""
        t = sa.table(pair.table, *(sa.column(c) for c in {*columns, "id", "parent_id", "deleted_at"}))
        if pair.parent is None:
            return t, t, t.c.deleted_at.is_(None)
        parent = sa.table(pair.form.table, sa.column("id"), sa.column("deleted_at"))
        return t, t.join(parent, parent.c.id == t.c.parent_id), parent.c.deleted_at.is_(None)

    def live(self, pair: FieldPair) -> int:
        if pair.table not in self._totals:
            _, source, live = self.table(pair)
            self._totals[pair.table] = self.scalar(sa.select(sa.func.count()).select_from(source).where(live))
        return self._totals[pair.table]

    def has_column(self, table: str, column: str) -> bool:
        if table not in self._columns:
            self._columns[table] = {c["name"] for c in sa.inspect(self.conn).get_columns(table)}
        return column in self._columns[table]

    def scalar(self, query: sa.Select[Any]) -> int:
        return int(self.conn.execute(query).scalar() or 0)

    def examples(self, query: sa.Select[Any]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_example(v) for v in self.conn.execute(query.limit(EXAMPLES)).scalars()))


def measure(conn: sa.Connection, old: Definitions, new: Definitions) -> list[Impact]:
    """The data impacts of replacing `old` by `new`, measured through `conn` (nothing is written)."""
    m = _Measure(conn, ConversionContext(conn.dialect.name))
    impacts: list[Impact] = []
    for pair in field_pairs(old, new):
        ftype = field_type(pair.new.type)
        if not ftype.stored or ftype.layout_only:
            continue
        column = ftype.columns(pair.new)[0].name
        impacts.extend(option_impacts(m, pair, column))
        for check in (required_impact, unique_impact, type_impact, length_impact, range_impact):
            found = check(m, pair, column)
            if found is not None:
                impacts.append(found)
    return impacts


def rewrites(old: Definitions, new: Definitions, impacts: list[Impact],
             ctx: ConversionContext) -> dict[tuple[str, str], Rewrite]:
    """How publish rewrites stored values, by (table, column): type conversions (values that do not convert
    become NULL) and text cut to a shorter column. Only columns whose values change are listed."""
    losses = {(i.table, i.column): i for i in impacts if i.lossy and i.count}
    found: dict[tuple[str, str], Rewrite] = {}
    for pair in field_pairs(old, new):
        key = (pair.table, pair.new.id)
        conv = converter(pair, ctx)
        if conv is not None and (conv.rewrites or key in losses):
            found[key] = conv.converted
        elif conv is None and key in losses and losses[key].kind == "too_long":
            found[key] = _cutter(field_type(pair.new.type).max_length(pair.new) or 0)  # type: ignore[attr-defined]
    return found


def _cutter(longest: int) -> Rewrite:
    def cut(col: ColumnElement[Any]) -> ColumnElement[Any]:
        return sa.case((sa.func.length(col) > longest, sa.func.substr(col, 1, longest)), else_=col)

    return cut


def _impact(pair: FieldPair, kind: str, count: int, total: int, message: dict[str, str], **extra: Any) -> Impact:
    return Impact(pair.form.id, pair.path, kind, count, total, message, table=pair.table, column=pair.new.id, **extra)


def required_impact(m: _Measure, pair: FieldPair, column: str) -> Impact | None:
    """A field made required (or a new required field): live records without a value."""
    if not pair.new.required or (pair.old is not None and pair.old.required):
        return None
    total = m.live(pair)
    if not total:
        return None
    if pair.old is None and not m.has_column(pair.table, column):
        count = total
    else:
        t, source, live = m.table(pair, column)
        count = m.scalar(sa.select(sa.func.count()).select_from(source).where(live, t.c[column].is_(None)))
    if not count:
        return None
    return _impact(pair, "required", count, total, _render("required", count=count, total=total, label=pair.new.label))


def unique_impact(m: _Measure, pair: FieldPair, column: str) -> Impact | None:
    """A field made unique: how many values repeat among live records (the publish cannot go through)."""
    if not pair.new.unique or pair.old is None or pair.old.unique or pair.parent is not None:
        return None
    t, source, live = m.table(pair, column)
    col = t.c[column]
    repeated = sa.select(col).select_from(source).where(live, col.is_not(None)).group_by(col) \
        .having(sa.func.count() > 1)
    count = m.scalar(sa.select(sa.func.count()).select_from(repeated.subquery()))
    if not count:
        return None
    example = m.examples(repeated)[0]
    return _impact(pair, "unique", count, m.live(pair), _render("unique", count=count, label=pair.new.label,
                                                                  example=example),
                   examples=(example,), blocking=True)


def option_impacts(m: _Measure, pair: FieldPair, column: str) -> list[Impact]:
    """Options removed from a choice field: live records using each of them."""
    ftype = field_type(pair.new.type)
    if pair.old is None or pair.type_changed or not isinstance(ftype, OptionsMixin):
        return []
    kept = set(ftype.option_values(pair.new))
    removed = [(v, label) for v, label in ftype.options(pair.old) if v not in kept]
    if not removed:
        return []
    t, source, live = m.table(pair, column)
    col = t.c[column]
    tests = [json_list_has(col, v) if ftype.many else col == v for v, _ in removed]
    counts = m.conn.execute(sa.select(*(sa.func.count(sa.case((test, 1))) for test in tests))
                            .select_from(source).where(live)).one()
    total = m.live(pair)
    return [_impact(pair, "option_removed", int(n), total,
                    _render("option_removed", count=int(n), option=label, label=pair.new.label),
                    examples=(text(label),))
            for (_, label), n in zip(removed, counts) if n]


def type_impact(m: _Measure, pair: FieldPair, column: str) -> Impact | None:
    """A type change: how many stored values convert and which do not (every record, the recycle bin too)."""
    conv = converter(pair, m.ctx)
    if conv is None or pair.old is None:
        return None
    t = sa.table(pair.table, sa.column(pair.old.id))
    col = t.c[pair.old.id]
    fails = sa.and_(col.is_not(None), sa.not_(conv.converts(col)))
    total, count = m.conn.execute(sa.select(sa.func.count(col), sa.func.count(sa.case((fails, 1))))).one()
    if not total:
        return None
    new_label = field_type(pair.new.type).label
    if not count:
        return _impact(pair, "type_change", 0, int(total), _render("type_ok", total=int(total), label=pair.new.label,
                                                                   type=new_label))
    examples = m.examples(sa.select(col).where(fails))
    return _impact(pair, "type_change", int(count), int(total),
                   _render("type_loss", count=int(count), total=int(total), label=pair.new.label, type=new_label,
                           examples=examples), examples=examples, blocking=True, lossy=True)


def length_impact(m: _Measure, pair: FieldPair, column: str) -> Impact | None:
    """A text field's max_length lowered: values now too long; cut (a loss) when the column itself shrinks."""
    ftype = field_type(pair.new.type)
    if pair.old is None or pair.type_changed or not isinstance(ftype, TextBase):
        return None
    before, after = ftype.max_length(pair.old), ftype.max_length(pair.new)
    if after is None or (before is not None and after >= before):
        return None
    t, source, live = m.table(pair, column)
    col = t.c[column]
    longer = sa.func.length(col) > after
    count = m.scalar(sa.select(sa.func.count()).select_from(source).where(live, longer))
    if not count:
        return None
    examples = m.examples(sa.select(col).select_from(source).where(live, longer))
    cut = getattr(ftype.sql_type(pair.new), "length", None) is not None
    kind = "cut" if cut else "too_long"
    return _impact(pair, "too_long", count, m.live(pair), _render(kind, count=count, max=after, label=pair.new.label,
                                                                  examples=examples),
                   examples=examples, blocking=cut, lossy=cut)


def range_impact(m: _Measure, pair: FieldPair, column: str) -> Impact | None:
    """A number field's min raised or max lowered: live values now outside the range (kept until edited)."""
    ftype = field_type(pair.new.type)
    if pair.old is None or pair.type_changed or ftype.value_type != "number" or ftype.refers_to(pair.new):
        return None
    low, high = _bound(pair.new, "min"), _bound(pair.new, "max")
    was_low, was_high = _bound(pair.old, "min"), _bound(pair.old, "max")
    raised = low is not None and (was_low is None or low > was_low)
    lowered = high is not None and (was_high is None or high < was_high)
    if not (raised or lowered):
        return None
    t, source, live = m.table(pair, column)
    col = t.c[column]
    outside = sa.or_(*(test for test in (col < low if low is not None else None,
                                         col > high if high is not None else None) if test is not None))
    count = m.scalar(sa.select(sa.func.count()).select_from(source).where(live, outside))
    if not count:
        return None
    examples = m.examples(sa.select(col).select_from(source).where(live, outside))
    bounds = " – ".join(str(b) if b is not None else "…" for b in (low, high))
    return _impact(pair, "out_of_range", count, m.live(pair),
                   _render("out_of_range", count=count, label=pair.new.label, bounds=bounds, examples=examples),
                   examples=examples)


def _bound(f: FieldDef, key: str) -> Decimal | None:
    value = f.get(key)
    return None if value is None or isinstance(value, bool) else Decimal(str(value))


def refusal(impacts: list[Impact], defs: Definitions, accept_losses: bool) -> PublishRefused | None:
    """The error refusing a publish that would lose values (None when it may go on, or the publisher accepts the
    losses): each loss becomes a problem at its field. A field made unique on repeated values is refused by
    the schema sync itself, which names the value and how many records use it."""
    stopping = [i for i in impacts if i.lossy and i.count and not accept_losses]
    if not stopping:
        return None
    problems = []
    for impact in stopping:
        src = _field_source(defs, impact)
        problems.append(Problem(src.file, src.line, src.pointer, zh_en(
            impact.text("zh") + "(接受数据损失才能发布)", impact.text("en") + " (accept the losses to publish anyway)")))

    return PublishRefused(problems, impacts)


def _field_source(defs: Definitions, impact: Impact) -> Source:
    form = defs.forms[impact.form]
    head, _, tail = impact.field.partition(".")
    found = form.field(head)
    if found is not None and tail:
        found = found.child(tail)
    return found.source if found is not None else form.source
