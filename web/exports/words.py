"""A report's filters in words, in the reader's language: "阶段 不是其中任何一个 输单", "Close date is this month"."""

from __future__ import annotations

from typing import Any

from engine.i18n import text
from engine.records.model import Filter
from engine.records.paths import resolve_path
from engine.records.service import RecordService
from engine.reports.model import ReportDef
from web.i18n import translator

DAY_COUNT_OPS = ("last_n_days", "next_n_days")
ME = "$me"


def filter_words(records: RecordService, report: ReportDef, lang: str) -> list[str]:
    """Each of the report's filters as a phrase: the field's label, the operator's words, the value's labels."""
    t = translator(lang)
    rt = records.runtime(report.form) if report.form in records.runtimes else None
    found = []
    for flt in report.filters:
        path = resolve_path(rt, flt.field) if rt is not None else None
        label = _path_label(rt, flt.field, lang) if path is not None else flt.field
        if flt.op in DAY_COUNT_OPS:
            found.append(f"{label} {t(f'op_{flt.op}_n').format(n=flt.value)}")
            continue
        words = [label, t(f"op_{flt.op}")]
        if flt.value not in (None, "", ()):
            members = {str(k): text(v, lang) for k, v, _ in path.ftype.members(path.field)} if path else {}
            words.append(_value(flt, members, t))
        found.append(" ".join(words))
    return found


def _path_label(rt: Any, name: str, lang: str) -> str:
    """A field's label, or "客户 · 行业" for a field reached through a relation."""
    head, _, tail = name.partition(".")
    first = rt.field(head)
    own = text(first.label, lang) if first is not None else head
    if not tail:
        return own
    path = resolve_path(rt, name)
    return f"{own} · {text(path.field.label, lang)}" if path is not None else name


def _value(flt: Filter, members: dict[str, str], t: Any) -> str:
    values = flt.value if isinstance(flt.value, (tuple, list)) else (flt.value,)
    shown = [t("me") if v == ME else members.get(str(v), str(v)) for v in values]
    return (" – " if flt.op == "between" else ", ").join(shown)
