"""Semantic checks of forms and roles (ids, references, formulas, numbering, cycles); each kind registers its own."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from engine.definitions.default_from import check_default_from
from engine.definitions.dependencies import dependency_graph, find_cycles
from engine.definitions.kanban import problems as kanban_problems
from engine.definitions.record_header import header_problems
from engine.definitions.model import SYSTEM_COLUMNS, Definitions, FieldDef, FormDef, LayoutTab, Source, layout_cells
from engine.definitions.scope import FormScope
from engine.definitions.suggest import closest
from engine.errors import FormulaError, Problem
from engine.fields.registry import type_label_zh, type_names
from engine.formulas import check, compile_formula
from engine.i18n import I18n, text, zh_en
from engine.printing.templates import problems as print_problems
from engine.public_forms import problems as public_problems
from engine.record_links.kinds import problems as record_link_problems

Locate = Callable[[str, str], int]
NUMBERING_PART = re.compile(r"\{([^{}]*)\}")
DATE_PARTS = {"YYYY", "YY", "MM", "DD"}
SPECIAL_DEFAULTS = {"$me", "$my_department", "$today", "$now"}
FIELD_ACCESS = {"hidden", "read_only"}


@dataclass
class Report:
    """Collects problems; `locate` turns (file, pointer) into a line."""

    locate: Locate
    problems: list[Problem] = field(default_factory=list)

    def add(self, src: Source, sub: str, message: I18n, suggestion: str | None = None) -> None:
        """Record a problem at `src` + `sub`; `message` is `zh_en(…)` (a plain string shows untranslated)."""
        pointer = src.pointer + sub
        self.problems.append(Problem(src.file, self.locate(src.file, pointer), pointer, message, suggestion))


def check_form(defs: Definitions, form: FormDef, report: Report) -> None:
    """Fields, rules, layout, numbering, title and search of one form."""
    _check_fields(defs, form, form.fields, report, row=None)
    ids = form.field_ids()
    for name, sub in ((form.title, "/title"), *((s, f"/search/{i}") for i, s in enumerate(form.search))):
        if name and name not in ids:
            report.add(form.source, sub, unknown_field(name), closest(name, ids))
    _check_rules(defs, form, report)
    _check_layout(form, report)
    _check_numbering(defs, form, report)
    for sub, message in public_problems(form):
        report.add(form.source, f"/public{sub}", message)
    for sub, message in print_problems(form):
        report.add(form.source, sub, message)
    for sub, message in record_link_problems(defs, form):
        report.add(form.source, sub, message)
    for sub, message in header_problems(form):
        report.add(form.source, sub, message)
    for sub, message in kanban_problems(form):
        report.add(form.source, sub, message)


def unknown_field(name: str) -> dict[str, str]:
    """`unknown field 'x'`, the most common problem, in zh and en."""
    return zh_en(f"未知字段“{name}”", f"unknown field '{name}'")


def unknown_form(name: str) -> dict[str, str]:
    """`unknown form 'x'` in zh and en."""
    return zh_en(f"未知表单“{name}”", f"unknown form '{name}'")


def unknown_field_in(name: str, form_id: str) -> dict[str, str]:
    """`unknown field 'x' in form 'y'` in zh and en."""
    return zh_en(f"表单“{form_id}”中没有字段“{name}”", f"unknown field '{name}' in form '{form_id}'")


def no_field(form_id: str, name: str) -> dict[str, str]:
    """`form 'y' has no field 'x'` in zh and en."""
    return zh_en(f"表单“{form_id}”中没有字段“{name}”", f"form '{form_id}' has no field '{name}'")


def unknown_role(name: str) -> dict[str, str]:
    """`unknown role 'x'` in zh and en."""
    return zh_en(f"未知角色“{name}”", f"unknown role '{name}'")


def _check_fields(defs: Definitions, form: FormDef, fields: Iterable[FieldDef], report: Report,
                  row: FieldDef | None) -> None:
    seen: set[str] = set()
    known_types = type_names()
    for f in fields:
        if f.id in seen:
            report.add(f.source, "/id", zh_en(f"表单“{form.id}”中字段编号“{f.id}”用了两次",
                                              f"field id '{f.id}' is used twice in form '{form.id}'"))
        seen.add(f.id)
        if f.id in SYSTEM_COLUMNS:
            report.add(f.source, "/id", zh_en(f"“{f.id}”是系统字段,请换一个编号",
                                              f"'{f.id}' is a system column; choose another id"))
        if f.type not in known_types:
            report.add(f.source, "/type", zh_en(f"未知字段类型“{f.type}”", f"unknown field type '{f.type}'"),
                       closest(f.type, known_types))
            continue
        if row is not None and f.type == "subform":
            report.add(f.source, "/type", zh_en("子表单中不能再包含子表单", "a subform cannot contain another subform"))
        _check_field_refs(defs, form, f, report, row)
        if f.type == "subform":
            _check_fields(defs, form, f.fields, report, row=f)


def _check_field_refs(defs: Definitions, form: FormDef, f: FieldDef, report: Report, row: FieldDef | None) -> None:
    forms = list(defs.forms)
    if f.type in ("relation", "relation_many"):
        target = str(f.get("to", ""))
        if target not in defs.forms:
            report.add(f.source, "/to", unknown_form(target), closest(target, forms))
        elif f.get("display") and not defs.forms[target].field(str(f.get("display"))):
            report.add(f.source, "/display", no_field(target, str(f.get("display"))),
                       closest(str(f.get("display")), defs.forms[target].field_ids()))
    if f.type == "lookup":
        _check_lookup(defs, form, f, report)
    if f.type == "rollup":
        _check_rollup(defs, form, f, report)
    scope = FormScope(defs, form, row)
    if f.formula:  # a formula field without one is refused by the schema ("enter a formula")
        _check_formula(scope, f.formula, f.source, "/formula", report)
    if isinstance(f.default, dict) and "formula" in f.default:
        _check_formula(scope, str(f.default["formula"]), f.source, "/default/formula", report)
    elif isinstance(f.default, str) and f.default.startswith("$") and f.default not in SPECIAL_DEFAULTS:
        report.add(f.source, "/default", zh_en(f"未知默认值“{f.default}”", f"unknown default '{f.default}'"),
                   closest(f.default, SPECIAL_DEFAULTS))
    check_default_from(defs, form, f, row is not None, lambda sub, msg, hint: report.add(f.source, sub, msg, hint))
    _check_options(f, report)


def _check_options(f: FieldDef, report: Report) -> None:
    options = f.get("options")
    if not isinstance(options, list):
        return
    values = [str(o.get("value")) if isinstance(o, dict) else str(o) for o in options]
    for i, v in enumerate(values):
        if v in values[:i]:
            report.add(f.source, f"/options/{i}", zh_en(f"选项“{v}”重复了", f"option '{v}' is listed twice"))
    if isinstance(f.default, str) and not f.default.startswith("$") and f.type in ("select", "radio") \
            and f.default not in values and not f.get("allow_other"):
        report.add(f.source, "/default", zh_en(f"默认值“{f.default}”不是选项之一", f"default '{f.default}' is not an option"),
                   closest(f.default, values))


def _check_lookup(defs: Definitions, form: FormDef, f: FieldDef, report: Report) -> None:
    path = str(f.get("path", ""))
    parts = tuple(path.split("."))
    scope = FormScope(defs, form)
    if len(parts) < 2:
        report.add(f.source, "/path", zh_en(f"关联查询路径“{path}”应写成“关联字段.字段”",
                                            f"lookup path '{path}' must be relation.field"))
        return
    first = form.field(parts[0])
    if first is None or first.type not in ("relation", "relation_many"):
        report.add(f.source, "/path", zh_en(f"“{parts[0]}”不是表单“{form.id}”的关联字段",
                                            f"'{parts[0]}' is not a relation field of form '{form.id}'"),
                   closest(parts[0], [x.id for x in form.fields if x.type in ("relation", "relation_many")]))
        return
    if scope.hops(parts) is None:
        report.add(f.source, "/path", zh_en(f"关联查询路径“{path}”找不到对应字段", f"lookup path '{path}' does not resolve"))


def _check_rollup(defs: Definitions, form: FormDef, f: FieldDef, report: Report) -> None:
    source_id = str(f.get("source", ""))
    source = defs.forms.get(source_id)
    if source is None:
        report.add(f.source, "/source", unknown_form(source_id), closest(source_id, list(defs.forms)))
        return
    link = source.field(str(f.get("link", "")))
    links = [x.id for x in source.fields if x.type == "relation" and x.get("to") == form.id]
    if link is None or link.type != "relation" or link.get("to") != form.id:
        report.add(f.source, "/link", zh_en(f"“{f.get('link')}”不是表单“{source_id}”指向“{form.id}”的关联字段",
                                            f"'{f.get('link')}' is not a relation of form '{source_id}' to '{form.id}'"),
                   closest(str(f.get("link", "")), links))
    aggregate = f.get("aggregate", "count")
    target_id = f.get("field")
    if aggregate != "count" and not target_id:
        report.add(f.source, "", zh_en(f"汇总方式“{aggregate}”需要指定表单“{source_id}”的一个字段(field)",
                                       f"rollup '{aggregate}' needs a 'field' of form '{source_id}'"))
    if target_id and source.field(str(target_id)) is None:
        report.add(f.source, "/field", no_field(source_id, str(target_id)),
                   closest(str(target_id), source.field_ids()))
    if f.get("filter"):
        _check_formula(FormScope(defs, source), str(f.get("filter")), f.source, "/filter", report)


def _check_formula(scope: FormScope, source: str, src: Source, sub: str, report: Report) -> None:
    try:
        check(compile_formula(source), scope.type_of, candidates=scope.names())
    except FormulaError as exc:
        report.add(src, sub, exc.in_formula("公式", "formula", source))


def _check_rules(defs: Definitions, form: FormDef, report: Report) -> None:
    ids = form.field_ids()
    scope = FormScope(defs, form)
    for rule in form.rules:
        sub = "/fields" if rule.kind == "check" else f"/{rule.kind}"
        for i, name in enumerate(rule.fields):
            if name not in ids:
                report.add(rule.source, f"{sub}/{i}", unknown_field(name), closest(name, ids))
        if rule.when:
            _check_formula(scope, rule.when, rule.source, "/when", report)
        if rule.check:
            _check_formula(scope, rule.check, rule.source, "/check", report)


def _check_layout(form: FormDef, report: Report) -> None:
    """Every placed id is a field of the form, placed once across rows, sections and tabs; no tab is empty."""
    ids = form.field_ids()
    placed: set[str] = set()
    for pointer, name in layout_cells(form.layout):
        sub = f"/layout{pointer}"
        if name not in ids:
            report.add(form.source, sub, unknown_field(name), closest(name, ids))
        elif name in placed:
            report.add(form.source, sub, zh_en(f"字段“{name}”在布局中放了两次", f"field '{name}' is placed twice in the layout"))
        placed.add(name)
    for t, item in enumerate(form.layout):
        if isinstance(item, LayoutTab) and not any(True for _ in item.cells()):
            report.add(form.source, f"/layout/{t}", zh_en(f"标签页“{text(item.label, 'zh')}”中没有字段",
                                                          f"tab '{text(item.label, 'en')}' holds no fields"))


def _check_numbering(defs: Definitions, form: FormDef, report: Report) -> None:
    ids = form.field_ids()
    numbered = {n.field for n in form.numbering}
    for n in form.numbering:
        f = form.field(n.field)
        if f is None:
            report.add(n.source, "/field", unknown_field(n.field), closest(n.field, ids))
        elif f.type != "serial":
            report.add(n.source, "/field", zh_en(f"编号规则需要流水号字段,“{n.field}”是{type_label_zh(f.type)}字段",
                                                 f"numbering needs a serial field; '{n.field}' is {f.type}"))
        parts = NUMBERING_PART.findall(n.pattern)
        if not any(p.startswith("seq") for p in parts):
            report.add(n.source, "/pattern", zh_en("编号规则需要包含 {seq:N} 部分", "a numbering pattern needs a {seq:N} part"))
        for part in parts:
            if part in DATE_PARTS or re.fullmatch(r"seq(:\d{1,2})?", part):
                continue
            if FormScope(defs, form).hops(tuple(part.split("."))) is None:
                report.add(n.source, "/pattern", zh_en(f"编号规则中有未知部分“{{{part}}}”", f"unknown pattern part '{{{part}}}'"),
                           closest(part, [*ids, *DATE_PARTS, "seq:4"]))
    for f in form.fields:
        if f.type == "serial" and f.id not in numbered:
            report.add(f.source, "", zh_en(f"流水号字段“{f.id}”在表单的编号规则(numbering)中没有对应的规则",
                                           f"serial field '{f.id}' has no numbering pattern in the form's 'numbering'"))


def check_roles(defs: Definitions, report: Report) -> None:
    """Role ids are unique; permissions name real forms and fields; conditions are valid formulas."""
    seen: set[str] = set()
    for role in defs.roles:
        if role.id in seen:
            report.add(role.source, "/id", zh_en(f"角色编号“{role.id}”用了两次", f"role id '{role.id}' is used twice"))
        seen.add(role.id)
        for form_id, perm in role.permissions.items():
            sub = f"/permissions/{form_id}"
            form = defs.forms.get(form_id)
            if form is None:
                report.add(role.source, sub, unknown_form(form_id), closest(form_id, list(defs.forms)))
                continue
            for field_id, access in perm.fields.items():
                if form.field(field_id) is None:
                    report.add(role.source, f"{sub}/fields/{field_id}", no_field(form_id, field_id),
                               closest(field_id, form.field_ids()))
                if access not in FIELD_ACCESS:
                    report.add(role.source, f"{sub}/fields/{field_id}",
                               zh_en(f"未知的字段权限“{access}”", f"unknown field access '{access}'"),
                               closest(access, FIELD_ACCESS))
            if perm.condition:
                _check_scope_condition(defs, form, perm.condition, role.source, f"{sub}/scope/condition", report)


def _check_scope_condition(defs: Definitions, form: FormDef, source: str, src: Source, sub: str,
                           report: Report) -> None:
    """A valid formula that SQL can also answer for every row (it becomes the scope's WHERE clause)."""
    from engine.permissions.condition import check_condition  # permissions builds on definitions

    problems = len(report.problems)
    _check_formula(FormScope(defs, form), source, src, sub, report)
    if len(report.problems) > problems:
        return
    try:
        check_condition(source, form)
    except FormulaError as exc:
        report.add(src, sub, exc.in_formula("数据范围条件", "scope condition", source))


def check_cycles(defs: Definitions, report: Report) -> None:
    """Formulas, lookups and rollups must not depend on themselves, within a form or across relations."""
    for cycle in find_cycles(dependency_graph(defs)):
        form_id, field_id = cycle[0]
        form = defs.forms[form_id]
        f = form.field(field_id)
        chain = " → ".join(f"{a}.{b}" for a, b in [*cycle, cycle[0]])
        report.add(f.source if f else form.source, "", zh_en(f"循环依赖:{chain}", f"circular dependency: {chain}"))




def check_apps(defs: Definitions, report: Report) -> None:
    """An app's administrators are roles that exist."""
    roles = [r.id for r in defs.roles]
    for app in defs.apps:
        for i, role in enumerate(app.admins):
            if role not in roles:
                report.add(app.source, f"/admins/{i}", unknown_role(role), closest(role, roles))

