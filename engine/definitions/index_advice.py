"""Indexes that follow use: the publish plan suggests `index: true` on a field that a big form's lists, boards,
reports or permissions select by, group by or sort on, while nothing indexes it.

Uses are read from the definitions (the kanban grouping, report dimensions and filters, scope conditions of roles)
and from the saved views people keep (their conditions and sort). Relation, user, department and serial fields, and
`unique` or `index: true` ones, are indexed already. Only forms with at least ADVISE_ROWS live records get advice:
a small table is read whole faster than through an index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from engine.definitions.impact import Impact
from engine.definitions.kanban import grouping_fields
from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.errors import FormulaError
from engine.fields.registry import field_type
from engine.formulas import compile_formula
from engine.formulas.ast import references
from engine.i18n import text

ADVISE_ROWS = 10_000
INDEXED_TYPES = frozenset({"relation", "user", "department", "serial"})  # engine.storage.formtables indexes these

# How each use reads in the plan line, zh and en.
USES: dict[str, dict[str, str]] = {
    "kanban": {"zh": "看板分组", "en": "kanban grouping"},
    "report": {"zh": "报表维度或筛选", "en": "report dimensions or filters"},
    "scope": {"zh": "数据权限条件", "en": "data scope conditions"},
    "view": {"zh": "保存的视图(筛选或排序)", "en": "saved views (filters or sorts)"},
}
TEXT = {"zh": "建议索引:“{label}”用于{uses},但没有索引;该表已有 {total} 条以上记录,在字段上设置 index: true 后,"
              "列表、看板和报表将按索引读取而不必扫描整表",
        "en": "Index suggested: {label} is used by {uses} but has no index; with {total}+ records, set index: true on "
              "the field so lists, boards and reports read it through an index instead of scanning the whole table"}


def needs_index(f: FieldDef) -> bool:
    """True for a stored one-column field that nothing indexes yet."""
    ftype = field_type(f.type)
    if not ftype.stored or ftype.layout_only or ftype.many or f.index or f.unique or f.type in INDEXED_TYPES:
        return False
    return len(ftype.columns(f)) == 1


def definition_uses(defs: Definitions) -> dict[str, dict[str, set[str]]]:
    """form id → field id → the uses ("kanban", "report", "scope") the definitions make of it."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for form in defs.forms.values():
        grouping = grouping_fields(form)
        if grouping:
            found[form.id][grouping[0].id].add("kanban")
    for report in defs.reports.values():
        names = [d.field for d in report.dimensions] + [f.field for f in report.filters]
        for name in names:
            found[report.form][name.split(".")[0]].add("report")
    for role in defs.roles:
        for form_id, permission in role.permissions.items():
            for name in _condition_fields(permission.condition):
                found[form_id][name].add("scope")
    return found


def _condition_fields(condition: str | None) -> Iterator[str]:
    if not condition:
        return
    try:
        expr = compile_formula(condition)
    except FormulaError:
        return
    for path in references(expr):
        yield path[0]


def view_uses(queries: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, dict[str, set[str]]]:
    """form id → field id → {"view"} for the fields saved views filter (`f` tokens `field:op:value`) or sort by."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for form_id, query in queries:
        tokens = query.get("f") or []
        names = [str(t).split(":", 1)[0] for t in tokens if isinstance(t, str)]
        if isinstance(query.get("sort"), str) and query["sort"]:
            names.append(query["sort"])
        for name in names:
            found[form_id][name].add("view")
    return found


def advice(conn: sa.Connection, defs: Definitions, saved: sa.Table) -> list[Impact]:
    """A plan line for each used, unindexed field of a form with at least ADVISE_ROWS live records."""
    uses = definition_uses(defs)
    rows = conn.execute(sa.select(saved.c.form, saved.c.query)).all()
    for form_id, fields in view_uses((str(f), q) for f, q in rows if isinstance(q, Mapping)).items():
        for name, kinds in fields.items():
            uses[form_id][name] |= kinds
    impacts: list[Impact] = []
    for form_id, fields in sorted(uses.items()):
        form = defs.forms.get(form_id)
        wanted = [(f, fields[f.id]) for f in (form.fields if form is not None else ()) if f.id in fields
                  and needs_index(f)]
        if form is None or not wanted:
            continue
        if _live_rows(conn, form) < ADVISE_ROWS:
            continue
        impacts.extend(_impact(form, f, kinds, ADVISE_ROWS) for f, kinds in wanted)
    return impacts


def _live_rows(conn: sa.Connection, form: FormDef) -> int:
    """Live records of a form, counted up to ADVISE_ROWS (0 when its table is not there yet)."""
    if not sa.inspect(conn).has_table(form.table):
        return 0
    t = sa.table(form.table, sa.column("deleted_at"))
    some = sa.select(sa.literal(1)).select_from(t).where(t.c.deleted_at.is_(None)).limit(ADVISE_ROWS).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(some)).scalar() or 0)


def _impact(form: FormDef, f: FieldDef, kinds: set[str], total: int) -> Impact:
    message = {}
    for lang in ("zh", "en"):
        uses = ("、" if lang == "zh" else ", ").join(USES[k][lang] for k in sorted(kinds))
        message[lang] = TEXT[lang].format(label=text(f.label, lang) or f.id, uses=uses, total=f"{total:,}")
    return Impact(form.id, f.id, "index_suggested", 0, total, message, table=form.table, column=f.id)
