"""Semantic checks of workflow documents: the graph on its own (node shapes, edges, reachability, joins, loops) and
what the workflow names (its form, fields, roles, condition formulas and `set` values)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.definitions.model import (
    AssigneeDef, Definitions, FieldDef, FormDef, NodeDef, Source, WorkflowDef,
)
from engine.definitions.scope import FormScope
from engine.definitions.suggest import closest
from engine.definitions.checker import unknown_field_in, unknown_form, unknown_role
from engine.errors import FieldError, FieldValueError, FormulaError
from engine.fields.registry import field_type, type_label_zh, type_names
from engine.formulas import check, compile_formula
from engine.i18n import zh_en

PERSON_NODES = {"start", "approval", "fill"}  # where someone acts (a reject can send the flow back to one)
ACTING_NODES = {"approval", "fill"}  # nodes with tasks people act on
ASSIGNED_NODES = {"approval", "fill", "cc"}
FIELD_NODES = {"start", "approval", "fill"}
NO_NEXT = {"end", "condition"}
ASSIGNEE_FIELD_TYPES = {"user", "users"}
ASSIGNEE_SYSTEM_FIELDS = {"owner_id"}
ACCESS = ("editable", "read_only", "hidden")
NODE_ZH = {"start": "发起", "approval": "审批", "fill": "填写", "cc": "抄送", "condition": "条件分支",
           "parallel": "并行分支", "join": "汇合", "end": "结束"}


def _node_zh(kind: str) -> str:
    """`审批节点`: a node type as Chinese messages name it."""
    return f"{NODE_ZH.get(kind, kind)}节点"


def check_workflows(defs: Definitions, report: Any) -> None:
    """Every problem of every workflow, and at most one enabled workflow per form."""
    enabled: dict[str, WorkflowDef] = {}
    for wf in sorted(defs.workflows.values(), key=lambda w: w.id):
        check_workflow_graph(wf, report)
        _check_references(defs, wf, report)
        if not wf.enabled:
            continue
        other = enabled.setdefault(wf.form, wf)
        if other is not wf:
            report.add(wf.source, "/form", zh_en(
                f"表单“{wf.form}”已有启用的流程“{other.id}”({other.source.file});一个表单只能运行一个流程,"
                "请把其中一个设为 `enabled: false`",
                f"form '{wf.form}' already has the enabled workflow '{other.id}' ({other.source.file}); a form runs "
                "one workflow: set `enabled: false` on one of them"))


# --- the graph on its own (also run on an instance's stored snapshot) ----------------------------------------------

def check_workflow_graph(wf: WorkflowDef, report: Any) -> None:
    """Node ids, one start and an end, node shapes per type, edges to real nodes, reachability, joins and loops."""
    nodes = _unique_nodes(wf, report)
    starts = [n for n in wf.nodes if n.type == "start"]
    if not starts:
        report.add(wf.source, "/nodes", zh_en("流程需要一个发起节点(type: start),即提交人开始的地方",
                                              "a workflow needs one start node (type: start), where the submitter "
                                              "begins"))
    for extra in starts[1:]:
        report.add(extra.source, "/type", zh_en(f"流程只能有一个发起节点,“{starts[0].id}”已经是了",
                                                f"a workflow has exactly one start node; '{starts[0].id}' is already it"))
    if not any(n.type == "end" for n in wf.nodes):
        report.add(wf.source, "/nodes", zh_en("流程至少需要一个结束节点(type: end)",
                                              "a workflow needs at least one end node (type: end)"))
    for node in wf.nodes:
        _check_shape(node, report)
        _check_edges(node, nodes, report)
    if starts and any(n.type == "end" for n in wf.nodes):  # without an end, every node would repeat it
        _check_reachability(starts[0], nodes, report)
    if starts:
        _check_joins(starts[0], nodes, report)
    _check_loops(nodes, report)


def successors(node: NodeDef) -> tuple[str, ...]:
    """The nodes an edge leaves `node` for: its branches' targets (condition) or its `next`."""
    return tuple(b.next for b in node.branches) if node.type == "condition" else node.next


def _unique_nodes(wf: WorkflowDef, report: Any) -> dict[str, NodeDef]:
    nodes: dict[str, NodeDef] = {}
    for node in wf.nodes:
        if node.id in nodes:
            report.add(node.source, "/id", zh_en(f"节点编号“{node.id}”用了两次", f"node id '{node.id}' is used twice"))
        else:
            nodes[node.id] = node
    return nodes


def _check_shape(node: NodeDef, report: Any) -> None:
    """The keys a node has fit its type."""
    src, kind = node.source, node.type
    if kind == "end" and node.next:
        report.add(src, "/next", zh_en("结束节点是流程的终点,不能有 `next`", "an end node finishes the flow; it has no `next`"))
    elif kind == "condition" and node.next:
        report.add(src, "/next", zh_en("条件分支节点通过 `branches` 流转,不用 `next`",
                                       "a condition node leads on through its `branches`, not `next`"))
    elif kind == "parallel" and len(node.next) < 2:
        report.add(src, "/next", zh_en("并行分支节点要分成两个或更多节点:`next: [a, b]`",
                                       "a parallel node splits into two or more nodes: `next: [a, b]`"))
    elif kind not in NO_NEXT and kind != "parallel":
        if not node.next:
            report.add(src, "", zh_en(f"{_node_zh(kind)}需要 `next`:下一个节点",
                                      f"{_a(kind)} {kind} node needs `next`: the node that follows it"))
        elif len(node.next) > 1:
            report.add(src, "/next", zh_en("只有并行分支节点能有多个 `next`;请改为并行分支节点,或用条件分支节点选择",
                                           "only a parallel node has several `next` nodes; make this a parallel node "
                                           "or choose with a condition node"))
    if kind == "condition":
        _check_branches(node, report)
    elif node.branches:
        report.add(src, "/branches", zh_en("只有条件分支节点才有 `branches`", "only a condition node has `branches`"))
    if kind in ASSIGNED_NODES and not node.assignees:
        report.add(src, "", zh_en(f"{_node_zh(kind)}需要 `assignees`:由谁处理",
                                  f"{_a(kind)} {kind} node needs `assignees`: who gets the task"))
    elif kind not in ASSIGNED_NODES and node.assignees:
        report.add(src, "/assignees", zh_en(f"`assignees` 只适用于审批、填写和抄送节点,不适用于{_node_zh(kind)}",
                                            f"`assignees` apply only to approval, fill and cc nodes, not to "
                                            f"{_a(kind)} {kind} node"))
    _check_applies(node, report)
    if kind in ACTING_NODES:
        _check_acting(node, report)


def _check_branches(node: NodeDef, report: Any) -> None:
    if len(node.branches) < 2:
        report.add(node.source, "", zh_en("条件分支节点需要 `branches`:至少一个带 `when` 的分支和一个 `default: true` 的分支",
                                          "a condition node needs `branches`: at least one with `when` and one "
                                          "`default: true`"))
    defaults = [i for i, b in enumerate(node.branches) if b.when is None]
    if not defaults and node.branches:
        report.add(node.source, "/branches", zh_en("条件分支节点需要恰好一个 `default: true` 的分支,在所有 `when` 都不成立时走",
                                                   "a condition node needs exactly one branch with `default: true`, "
                                                   "taken when no `when` holds"))
    for i in defaults[1:]:
        report.add(node.source, f"/branches/{i}", zh_en(f"只能有一个默认分支,第 {defaults[0] + 1} 个分支已经是了",
                                                        f"only one branch can be the default; branch {defaults[0] + 1} "
                                                        "already is"))
    for i, branch in enumerate(node.branches):
        if branch.when == "":
            report.add(node.source, f"/branches/{i}", zh_en("分支要么有 `when`(公式),要么是 `default: true`,只能二选一",
                                                            "a branch has either `when` (a formula) or "
                                                            "`default: true`, exactly one of them"))


def _check_applies(node: NodeDef, report: Any) -> None:
    """Keys that only some node types take."""
    kind = node.type
    if kind not in FIELD_NODES:
        for key, value in (("fields", node.fields), ("required", node.required)):
            if value:
                report.add(node.source, f"/{key}", zh_en(f"`{key}` 只适用于发起、审批和填写节点",
                                                         f"`{key}` apply only to start, approval and fill nodes"))
    if kind in ACTING_NODES:
        return
    for key, present in (("actions", bool(node.actions)), ("sign", node.sign != "any"),
                         ("reject_to", node.reject_to is not None), ("timeout", node.timeout is not None),
                         ("auto_approve", bool(node.auto_approve))):
        if present:
            report.add(node.source, f"/{key}", zh_en(f"`{key}` 只适用于审批和填写节点,不适用于{_node_zh(kind)}",
                                                     f"`{key}` applies only to approval and fill nodes, not to "
                                                     f"{_a(kind)} {kind} node"))


def _check_acting(node: NodeDef, report: Any) -> None:
    if node.actions and "approve" not in node.actions:
        report.add(node.source, "/actions", zh_en("操作(actions)必须包含 approve(填写节点上为“提交”),否则节点永远无法通过",
                                                  "the actions must include approve (Submit at a fill node), or the "
                                                  "node can never pass"))
    if node.sign not in ("any", "all"):
        report.add(node.source, "/sign", zh_en(f"“{node.sign}”不是可选值之一:any、all",
                                               f"'{node.sign}' is not one of: any, all"),
                   closest(node.sign, ("any", "all")))
    t = node.timeout
    if t is None:
        return
    if t.hours <= 0:
        report.add(t.source, "/hours", zh_en("超时需要大于 0 的 `hours`", "a timeout needs `hours` greater than 0"))
    if t.action == "escalate" and not t.to:
        report.add(t.source, "", zh_en("超时转交需要 `to`:由谁接手,例如 [{role: service_manager}]",
                                       "a timeout that escalates needs `to`: who takes the task over, e.g. "
                                       "[{role: service_manager}]"))
    if t.to and t.action != "escalate":
        report.add(t.source, "/to", zh_en("只有超时动作为 escalate(转交)时才用 `to`",
                                          "`to` applies only when the timeout's action is escalate"))
    if t.remind_every is not None and t.action != "remind":
        report.add(t.source, "/remind_every", zh_en("只有超时动作为 remind(提醒)时才用 `remind_every`",
                                                    "`remind_every` applies only when the timeout's action is remind"))


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _check_edges(node: NodeDef, nodes: Mapping[str, NodeDef], report: Any) -> None:
    targets = [(f"/next/{i}" if len(node.next) > 1 else "/next", t) for i, t in enumerate(node.next)]
    if node.type == "condition":
        targets = [(f"/branches/{i}/next", b.next) for i, b in enumerate(node.branches)]
    for sub, target in targets:
        if target not in nodes:
            report.add(node.source, sub, _unknown_node(target), closest(target, [n for n in nodes if n != node.id]))
        elif target == node.id:
            report.add(node.source, sub, zh_en(f"节点“{node.id}”不能指向自己", f"node '{node.id}' cannot lead to itself"))
        elif nodes[target].type == "start":
            report.add(node.source, sub, zh_en("连线不能回到发起节点;驳回会让流程回到那里",
                                               "no edge may lead back to the start node; a reject sends the flow "
                                               "there"))
    if node.reject_to is not None:
        _check_reject_to(node, nodes, report)


def _check_reject_to(node: NodeDef, nodes: Mapping[str, NodeDef], report: Any) -> None:
    target = nodes.get(node.reject_to or "")
    if target is None:
        report.add(node.source, "/reject_to", _unknown_node(str(node.reject_to)),
                   closest(str(node.reject_to), [n for n, d in nodes.items() if d.type in PERSON_NODES]))
    elif target.type not in PERSON_NODES or target.id == node.id or node.id not in _reachable(target, nodes):
        report.add(node.source, "/reject_to", zh_en(f"驳回到的“{target.id}”必须是发起节点,或在“{node.id}”之前的审批或填写节点",
                                                    f"reject_to '{target.id}' must be the start or an approval or "
                                                    f"fill node that comes before '{node.id}'"))


def _unknown_node(name: str) -> dict[str, str]:
    return zh_en(f"未知节点“{name}”", f"unknown node '{name}'")


def _reachable(first: NodeDef, nodes: Mapping[str, NodeDef], stop: Iterable[str] = ()) -> set[str]:
    """Ids of the nodes reachable from `first` by edges (not walking on from the types in `stop`)."""
    stop_types = set(stop)
    seen: set[str] = set()
    todo = [] if first.type in stop_types else [t for t in successors(first) if t in nodes]
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        if nodes[node_id].type not in stop_types:
            todo.extend(t for t in successors(nodes[node_id]) if t in nodes)
    return seen


def _check_reachability(start: NodeDef, nodes: Mapping[str, NodeDef], report: Any) -> None:
    reached = _reachable(start, nodes) | {start.id}
    for node in nodes.values():
        if node.id not in reached:
            report.add(node.source, "/id", zh_en(f"从发起节点到不了节点“{node.id}”;请从其他节点的 `next` 或分支连到它,或者删除它",
                                                 f"node '{node.id}' cannot be reached from the start; lead to it from "
                                                 "another node's `next` or a branch, or remove it"))
        elif node.type != "end" and not any(nodes[n].type == "end" for n in _reachable(node, nodes)):
            report.add(node.source, "/id", zh_en(f"从“{node.id}”到不了任何结束节点;每条路径都必须通向结束节点",
                                                 f"no end node can be reached from '{node.id}'; every path must lead "
                                                 "on to an end node"))


def _check_joins(start: NodeDef, nodes: Mapping[str, NodeDef], report: Any) -> None:
    """A join closes the branches of a parallel split, so no path from the start may reach it around one."""
    for node_id in sorted(_reachable(start, nodes, stop=("parallel",))):
        if nodes[node_id].type == "join":
            report.add(nodes[node_id].source, "/type", zh_en(f"不经过并行分支节点也能到达汇合节点“{node_id}”;"
                                                             "汇合节点只用来合并并行分支",
                                                             f"join '{node_id}' can be reached without passing a "
                                                             "parallel node; a join only closes a parallel split"))


def _check_loops(nodes: Mapping[str, NodeDef], report: Any) -> None:
    """A loop with no approval or fill node in it would run for ever without anyone acting."""
    automatic = {n: d for n, d in nodes.items() if d.type not in PERSON_NODES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node_id: str, path: list[str]) -> None:
        state[node_id] = 1
        for target in successors(automatic[node_id]):
            if target not in automatic or state.get(target) == 2:
                continue
            if state.get(target) == 1:
                loop = [*path[path.index(target):], target]
                report.add(automatic[target].source, "/id", zh_en(f"节点 {' → '.join(loop)} 形成了无人处理的循环;"
                                                                  "请在循环中加入审批或填写节点",
                                                                  f"the nodes {' → '.join(loop)} loop without anyone "
                                                                  "acting; put an approval or fill node in the loop"))
                continue
            visit(target, [*path, target])
        state[node_id] = 2

    for node_id in automatic:
        if node_id not in state:
            visit(node_id, [node_id])


# --- what the workflow names ----------------------------------------------------------------------------------------

def _check_references(defs: Definitions, wf: WorkflowDef, report: Any) -> None:
    form = defs.forms.get(wf.form)
    if form is None:
        report.add(wf.source, "/form", unknown_form(wf.form), closest(wf.form, list(defs.forms)))
        return
    roles = [r.id for r in defs.roles]
    for node in wf.nodes:
        _check_node_fields(form, node, report)
        _check_set(form, node, report)
        for entry in (*node.assignees, *(node.timeout.to if node.timeout else ())):
            _check_assignee_refs(form, roles, entry, report)
        for i, branch in enumerate(node.branches if node.type == "condition" else ()):
            if branch.when:
                _check_formula(defs, form, branch.when, node.source, f"/branches/{i}/when", report)


def _check_formula(defs: Definitions, form: FormDef, source: str, src: Source, sub: str, report: Any) -> None:
    scope = FormScope(defs, form)
    try:
        check(compile_formula(source), scope.type_of, candidates=scope.names())
    except FormulaError as exc:
        report.add(src, sub, exc.in_formula("公式", "formula", source))


def _writable(f: FieldDef) -> bool:
    """A field people (or the flow) can give a value: not computed, not a layout element."""
    if f.type not in type_names():
        return False
    kind = field_type(f.type)
    return not (kind.computed or kind.layout_only or f.formula)


def _field(form: FormDef, field_id: str, src: Source, sub: str, report: Any) -> FieldDef | None:
    f = form.field(field_id)
    if f is None:
        report.add(src, sub, unknown_field_in(field_id, form.id), closest(field_id, form.field_ids()))
    return f


def _check_node_fields(form: FormDef, node: NodeDef, report: Any) -> None:
    for field_id, access in node.fields.items():
        sub = f"/fields/{field_id}"
        f = _field(form, field_id, node.source, sub, report)
        if access not in ACCESS:
            report.add(node.source, sub, zh_en(f"“{access}”不是可选值之一:{'、'.join(ACCESS)}",
                                               f"'{access}' is not one of: {', '.join(ACCESS)}"), closest(access, ACCESS))
        elif f is not None and access == "editable" and not _writable(f):
            report.add(node.source, sub, zh_en(f"字段“{field_id}”是计算得出的({type_label_zh(f.type)}),不能设为可编辑",
                                               f"field '{field_id}' is computed ({f.type}); it cannot be editable"))
    for i, field_id in enumerate(node.required):
        f = _field(form, field_id, node.source, f"/required/{i}", report)
        if f is not None and node.fields.get(field_id) == "hidden":
            report.add(node.source, f"/required/{i}", zh_en(f"字段“{field_id}”在这个节点是隐藏的,这里没人能看到或填写;"
                                                            "请设为可编辑,或从必填中去掉",
                                                            f"field '{field_id}' is hidden at this node, so no one "
                                                            "here can see or fill it; make it editable or drop it "
                                                            "from required"))


def _check_set(form: FormDef, node: NodeDef, report: Any) -> None:
    for field_id, value in node.set_values.items():
        sub = f"/set/{field_id}"
        f = _field(form, field_id, node.source, sub, report)
        if f is None:
            continue
        if not _writable(f):
            report.add(node.source, sub, zh_en(f"字段“{field_id}”是计算得出的({type_label_zh(f.type)}),`set` 不能写入",
                                               f"field '{field_id}' is computed ({f.type}); `set` cannot write it"))
            continue
        problem = _value_problem(f, value)
        if problem:
            options = [str(o.get("value")) if isinstance(o, dict) else str(o) for o in f.get("options") or []]
            report.add(node.source, sub, zh_en(f"{value!r} 不适合字段“{field_id}”({type_label_zh(f.type)}):"
                                               f"{problem.message('zh')}",
                                               f"{value!r} does not fit field '{field_id}' ({f.type}): "
                                               f"{problem.message('en')}"),
                       closest(str(value), options) if options else None)


def _value_problem(f: FieldDef, value: Any) -> FieldError | None:
    """Why a literal value cannot be stored in a field, or None when it can."""
    kind = field_type(f.type)
    if value is None or kind.is_empty(value):
        return None
    try:
        parsed = kind.parse(f, value)
    except FieldValueError as exc:
        return exc.error
    errors = kind.validate(f, parsed)
    return errors[0] if errors else None


def _check_assignee_refs(form: FormDef, roles: list[str], entry: AssigneeDef, report: Any) -> None:
    if entry.kind == "role" and entry.value not in roles:
        report.add(entry.source, "/role", unknown_role(str(entry.value)), closest(str(entry.value), roles))
    if entry.kind != "field" or entry.value in ASSIGNEE_SYSTEM_FIELDS:
        return
    f = form.field(str(entry.value))
    people = [x.id for x in form.fields if x.type in ASSIGNEE_FIELD_TYPES] + sorted(ASSIGNEE_SYSTEM_FIELDS)
    if f is None:
        report.add(entry.source, "/field", unknown_field_in(str(entry.value), form.id),
                   closest(str(entry.value), people))
    elif f.type not in ASSIGNEE_FIELD_TYPES:
        report.add(entry.source, "/field", zh_en(f"字段“{entry.value}”是{type_label_zh(f.type)}字段;处理人字段必须是"
                                                 "成员单选或成员多选字段(或 owner_id)",
                                                 f"field '{entry.value}' is a {f.type} field; an assignee field must "
                                                 "be a user or users field (or owner_id)"))

