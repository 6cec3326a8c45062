"""Semantic checks of dashboard documents at publish: every report and field resolves, filter types fit their
fields, grid items are well formed, links name reports on the dashboard and form no cycle; each problem at its
file:line and path, in Chinese and English, with a closest name."""

from __future__ import annotations


from engine.definitions.checker import Report
from engine.definitions.model import Definitions, Source
from engine.definitions.suggest import closest
from engine.i18n import text, zh_en
from engine.records.paths import resolve_path
from engine.reports.checks import checked_runtime
from engine.reports.dashboard import GRID_COLUMNS, DashboardDef, FilterComponent
from engine.reports.dashboard_filters import ComponentType, component_type, component_types
from engine.reports.model import ReportDef
from engine.reports.ranges import RELATIVE, DateRange
from engine.reports.schedules import check_schedules


def dashboards_of(defs: Definitions) -> dict[str, DashboardDef]:
    found: dict[str, DashboardDef] = dict(getattr(defs, "dashboards", {}) or {})
    return found


def check_dashboards(defs: Definitions, report: Report) -> None:
    for item in dashboards_of(defs).values():
        check_dashboard(defs, item, report)


def check_dashboard(defs: Definitions, board: DashboardDef, report: Report) -> None:
    apps = [a.id for a in defs.apps]
    if board.app and board.app not in apps:
        report.add(board.source, "", zh_en(f"没有与看板所在文件夹对应的应用“{board.app}”",
                                           f"no app '{board.app}' for this dashboard's folder"), closest(board.app, apps))
    roles = [r.id for r in defs.roles]
    for i, role in enumerate(board.roles or ()):
        if role not in roles:
            report.add(board.source, f"/roles/{i}", zh_en(f"未知角色“{role}”", f"unknown role '{role}'"),
                       closest(role, roles))
    reports = _check_items(defs, board, report)
    _check_filters(defs, board, reports, report)
    _check_links(board, reports, report)
    check_schedules(defs, board.schedules, report)


def _check_items(defs: Definitions, board: DashboardDef, report: Report) -> dict[str, ReportDef]:
    """The dashboard's reports that exist (by id); a problem for each bad item."""
    known = {r.id: r for r in getattr(defs, "reports", {}).values()}
    found: dict[str, ReportDef] = {}
    for item in board.items:
        src = item.source
        if (item.report is None) == (item.text is None):
            report.add(src, "", zh_en("格子须有且只有 report 或 text 之一", "an item needs exactly one of report or text"))
        elif item.title is not None and item.report is not None:
            report.add(src, "/title", zh_en("标题只用于文本块(报表显示自己的名称)",
                                            "a title is for text blocks (a report shows its own name)"))
        if item.report is not None:
            app, _, rid = item.report.rpartition(".")
            target = known.get(rid)
            if target is None or target.app != (app or board.app):
                same = [r.id for r in known.values() if r.app == (app or board.app)]
                report.add(src, "/report", zh_en(f"未知报表“{item.report}”", f"unknown report '{item.report}'"),
                           closest(rid, same))
            else:
                found[rid] = target
        if not 1 <= item.w <= GRID_COLUMNS:
            report.add(src, "/w", zh_en(f"宽度须在 1 到 {GRID_COLUMNS} 之间,现为 {item.w}",
                                        f"w must be from 1 to {GRID_COLUMNS}, it is {item.w}"))
        elif item.x is not None and item.x + item.w > GRID_COLUMNS:
            report.add(src, "/x", zh_en(f"x + w 超出 {GRID_COLUMNS} 列({item.x} + {item.w})",
                                        f"x + w goes past {GRID_COLUMNS} columns ({item.x} + {item.w})"))
        if item.h < 1:
            report.add(src, "/h", zh_en("高度至少为 1", "h must be at least 1"))
    return found


def _check_filters(defs: Definitions, board: DashboardDef, reports: dict[str, ReportDef], report: Report) -> None:
    seen: set[str] = set()
    for component in board.filters:
        src = component.source
        if component.id in seen:
            report.add(src, "/id", zh_en(f"筛选编号“{component.id}”用了两次", f"filter id '{component.id}' is used twice"))
        seen.add(component.id)
        kind = component_type(component.type)
        if kind is None:
            report.add(src, "/type", zh_en(f"未知筛选类型“{component.type}”", f"unknown filter type '{component.type}'"),
                       closest(component.type, list(component_types())))
            continue
        for rid in component.apply:
            if rid not in reports:
                report.add(src, f"/apply/{rid}", zh_en(f"报表“{rid}”不在此看板上", f"report '{rid}' is not on this dashboard"),
                           closest(rid, list(reports)))
        _check_component_fields(defs, component, kind, reports, report)
        if component.default is not None and component.type == "date_range":
            _check_default(component.default, src, report)


def _check_component_fields(defs: Definitions, component: FilterComponent, kind: ComponentType,
                            reports: dict[str, ReportDef], report: Report) -> None:
    """An override must name a field of its report's form; `field` must exist in at least one report's form
    (a report whose form lacks it is not filtered by the component); every field found must fit the type."""
    src = component.source
    missing: list[tuple[str, ReportDef]] = []
    for rid, target in reports.items():
        if target.form not in defs.forms:
            continue
        if component.skips(rid):
            continue
        name = component.field_for(rid)
        sub = f"/apply/{rid}" if rid in component.apply else "/field"
        rt = checked_runtime(defs, target.form)
        if rt is None:
            continue
        path = resolve_path(rt, name)
        if path is None:
            if rid in component.apply:
                report.add(src, sub, zh_en(f"报表“{rid}”的表单“{target.form}”没有字段“{name}”",
                                           f"form '{target.form}' of report '{rid}' has no field '{name}'"),
                           closest(name, rt.form.field_ids()))
            else:
                missing.append((rid, target))
        elif not kind.fits(path):
            report.add(src, sub, zh_en(f"{component.type} 筛选需要{text(kind.needs, 'zh')},“{name}”不是",
                                       f"a {component.type} filter needs {text(kind.needs, 'en')}, '{name}' is not one"))
    if missing and len(missing) == len([r for r in reports.values() if r.form in defs.forms]):
        forms = sorted({t.form for _, t in missing})
        report.add(src, "/field", zh_en(f"此看板上没有报表的表单有字段“{component.field}”(表单:{'、'.join(forms)})",
                                        f"no report on this dashboard has a field '{component.field}' in its form "
                                        f"(forms: {', '.join(forms)})"),
                   closest(component.field, [f for t in forms for f in defs.forms[t].field_ids()]))


def _check_default(default: str, src: Source, report: Report) -> None:
    try:
        DateRange.parse(default)
    except ValueError:
        report.add(src, "/default", zh_en(f"未知日期范围“{default}”", f"unknown date range '{default}'"),
                   closest(default, list(RELATIVE)))


def _check_links(board: DashboardDef, reports: dict[str, ReportDef], report: Report) -> None:
    on_board = board.report_ids()
    edges: dict[str, set[str]] = {}
    for i, link in enumerate(board.links):
        for sub, rid in (("/from", link.start), *((f"/to/{j}", t) for j, t in enumerate(link.to))):
            if rid not in on_board:
                report.add(link.source, sub, zh_en(f"报表“{rid}”不在此看板上", f"report '{rid}' is not on this dashboard"),
                           closest(rid, on_board))
        edges.setdefault(link.start, set()).update(t for t in link.to)
    cycle = _cycle(edges)
    if cycle:
        where = next(link.source for link in board.links if link.start == cycle[0])
        path = " → ".join(cycle + [cycle[0]])
        report.add(where, "", zh_en(f"联动形成循环:{path}", f"the links form a cycle: {path}"))


def _cycle(edges: dict[str, set[str]]) -> list[str]:
    """One cycle of the link graph (its nodes in order), or [] when there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []
