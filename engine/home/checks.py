"""Checks of the `home` document at publish: known roles, block kinds, forms, filter fields, operators and values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.definitions.checker import Report, unknown_field
from engine.definitions.model import Definitions, Source
from engine.definitions.suggest import closest
from engine.fields.base import RELATIVE_DATE_OPS
from engine.fields.registry import field_type
from engine.fields.types.ids import MeOperand
from engine.home.model import DEFAULT_ROLE, BlockDef
from engine.i18n import zh_en

BlockCheck = Callable[[Definitions, BlockDef, Report], None]
NO_VALUE_OPS = frozenset({"empty", "not_empty", *(op for op in RELATIVE_DATE_OPS if op not in ("last_n_days", "next_n_days"))})
TIME_WORDS = ("$now", "$today")  # resolved when the home is shown, in the viewer's zone


@dataclass(frozen=True)
class BlockKind:
    """A kind of home block as the definitions know it: its name and what is checked of its settings."""

    name: str
    label: dict[str, str]
    check: BlockCheck | None = None


_BLOCKS: dict[str, BlockKind] = {}


def register_block(kind: BlockKind) -> BlockKind:
    """Make a block kind known to the `home` document."""
    if kind.name in _BLOCKS:
        raise ValueError(f"home block '{kind.name}' is registered twice")
    _BLOCKS[kind.name] = kind
    return kind


def block_kinds() -> tuple[BlockKind, ...]:
    """Every block kind, in registration order."""
    return tuple(_BLOCKS.values())


def check_home(defs: Definitions, report: Report) -> None:
    """Every role of the home document exists, and every block is a known kind with sound settings."""
    home = defs.home
    if home is None:
        return
    role_ids = [r.id for r in defs.roles]
    for role, blocks in home.roles.items():
        if role != DEFAULT_ROLE and role not in role_ids:
            report.add(Source(home.source.file, 0, f"/roles/{role}"), "",
                       zh_en(f"没有角色“{role}”", f"no role '{role}'"), closest(role, [*role_ids, DEFAULT_ROLE]))
        for block in blocks:
            kind = _BLOCKS.get(block.block)
            if kind is None:
                names = list(_BLOCKS)
                report.add(block.source, "/block", zh_en(
                    f"没有“{block.block}”这种区块(可用:{'、'.join(names)})",
                    f"no block '{block.block}' (there are {', '.join(names)})"), closest(block.block, names))
            elif kind.check is not None:
                kind.check(defs, block, report)


def check_records_block(defs: Definitions, block: BlockDef, report: Report) -> None:
    """A block listing records: a known form, and filters a list of that form can apply."""
    if not block.form:
        report.add(block.source, "", zh_en("该区块需要表单(form)", "this block needs a form"))
        return
    form = defs.forms.get(block.form)
    if form is None:
        report.add(block.source, "/form", zh_en(f"没有表单“{block.form}”", f"no form '{block.form}'"),
                   closest(block.form, list(defs.forms)))
        return
    names = [f.id for f in form.fields if field_type(f.type).filterable(f)]
    for i, flt in enumerate(block.filters):
        f = form.field(flt.field)
        if f is None or flt.field not in names:
            report.add(block.source, f"/filter/{i}/field", unknown_field(flt.field), closest(flt.field, names))
            continue
        ft = field_type(f.type)
        ops = ft.operators_for(f)
        if flt.op not in ops:
            report.add(block.source, f"/filter/{i}/op", zh_en(
                f"“{flt.field}”没有运算符“{flt.op}”(可用:{'、'.join(ops)})",
                f"'{flt.field}' has no operator '{flt.op}' (it has {', '.join(ops)})"), closest(flt.op, ops))
        elif flt.op not in NO_VALUE_OPS and flt.value in (None, "", ()):
            report.add(block.source, f"/filter/{i}", zh_en(f"“{flt.field} {flt.op}”需要一个值",
                                                           f"'{flt.field} {flt.op}' needs a value"))
        elif flt.value == "$me" and not isinstance(ft, MeOperand):
            report.add(block.source, f"/filter/{i}/value", zh_en(f"“{flt.field}”不是人员字段,不能与 $me 比较",
                                                                 f"'{flt.field}' is not a person field: it cannot be compared with $me"))
        elif flt.value in TIME_WORDS and ft.result_type(f).value_type not in ("date", "datetime"):
            report.add(block.source, f"/filter/{i}/value", zh_en(f"“{flt.field}”不是日期字段,不能与 {flt.value} 比较",
                                                                 f"'{flt.field}' is not a date field: it cannot be compared with {flt.value}"))
    if block.sort and block.sort not in {f.id for f in form.fields} | {"created_at", "updated_at", "id"}:
        report.add(block.source, "/sort", unknown_field(block.sort), closest(block.sort, [f.id for f in form.fields]))


register_block(BlockKind("todos", {"zh": "我的待办", "en": "My to-dos"}))
register_block(BlockKind("attention", {"zh": "需要关注的记录", "en": "Records that need attention"}, check_records_block))
register_block(BlockKind("dashboards", {"zh": "我的仪表盘", "en": "My dashboards"}))
register_block(BlockKind("apps", {"zh": "应用", "en": "Apps"}))
