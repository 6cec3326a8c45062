"""The flow chart layout (pure): longest-path layers from the start, branches side by side, long edges bending
around boxes, loops along the margin, statuses and notes from an instance's state, and the SVG it renders to."""

from __future__ import annotations

import pytest

from engine.definitions.model import BranchDef, NodeDef, WorkflowDef
from engine.workflow.views import Act, Edge, FlowState, NodeState, Person
from web.i18n import translator
from web.render import environment
from web.views.chart_labels import text_width
from web.views.workflow_chart import BOX_H, ChartEdge, ChartNode, definition_chart, depths, layout, short, state_chart

N, E = ChartNode, ChartEdge


def by_id(chart):  # type: ignore[no-untyped-def]
    return {b.id: b for b in chart.boxes}


def contract() -> WorkflowDef:
    return WorkflowDef("contract_approval", {"zh": "合同审批", "en": "Contract approval"}, "contract", (
        NodeDef("start", "start", {"en": "Submit"}, next=("manager",)),
        NodeDef("manager", "approval", {"en": "Manager"}, next=("check",)),
        NodeDef("check", "condition", {"en": "Amount"}, branches=(
            BranchDef("finance", "amount >= 100000", {"en": "100k+"}), BranchDef("end", None, None))),
        NodeDef("finance", "approval", {"en": "Finance"}, next=("end",)),
        NodeDef("end", "end", {"en": "End"})))


def test_layers_follow_the_longest_path() -> None:
    chart = definition_chart(contract(), "en")
    boxes = by_id(chart)
    assert [boxes[i].y for i in ("start", "manager", "check", "finance", "end")] == sorted(
        {boxes[i].y for i in boxes})  # five layers, one node each
    assert boxes["end"].y > boxes["finance"].y  # the default branch's end sits below finance, not beside it
    skip = next(a for a in chart.arrows if a.points[0][1] == boxes["check"].y + BOX_H and a.label == "")
    assert len(skip.points) == 3 and skip.points[1][0] != boxes["finance"].cx  # bends beside finance
    labelled = next(a for a in chart.arrows if a.label == "100k+")
    assert labelled.points[-1] == (boxes["finance"].cx, boxes["finance"].y)


def test_parallel_branches_sit_side_by_side_and_join() -> None:
    nodes = [N("s", "start", "S"), N("p", "parallel", "Split"), N("a", "approval", "A"), N("b", "approval", "B"),
             N("j", "join", "Join"), N("e", "end", "E")]
    edges = [E("s", "p"), E("p", "a"), E("p", "b"), E("a", "j"), E("b", "j"), E("j", "e")]
    boxes = by_id(layout(nodes, edges))
    assert boxes["a"].y == boxes["b"].y and boxes["a"].x < boxes["b"].x
    assert boxes["j"].cx == boxes["p"].cx == (boxes["a"].cx + boxes["b"].cx) / 2


def test_a_loop_is_drawn_along_the_margin_and_does_not_change_the_layers() -> None:
    nodes = [N("s", "start", "S"), N("a", "approval", "A"), N("c", "condition", "C"), N("e", "end", "E")]
    edges = [E("s", "a"), E("a", "c"), E("c", "a", "again"), E("c", "e")]
    depth, loops = depths([n.id for n in nodes], edges, "s")
    assert depth == {"s": 0, "a": 1, "c": 2, "e": 3} and loops == {2}
    chart = layout(nodes, edges)
    loop = next(a for a in chart.arrows if a.loop)
    assert loop.label == "again" and max(x for x, _ in loop.points) > max(b.x + b.w for b in chart.boxes)
    assert chart.width >= max(x for x, _ in loop.points)


def test_unknown_edges_unreachable_nodes_and_empty_charts() -> None:
    assert layout([], []).boxes == ()
    chart = layout([N("s", "start", "S"), N("x", "approval", "X")], [E("s", "nowhere")])
    assert len(chart.boxes) == 2 and chart.arrows == ()


@pytest.mark.parametrize("value, limit, expected", [("短", 5, "短"), ("直属主管审批流程节点", 5, "直属主管…")])
def test_edge_labels_are_shortened(value: str, limit: int, expected: str) -> None:
    assert short(value, limit) == expected


@pytest.mark.parametrize("label", ["Approval by the direct manager of the requester", "Finance director sign-off",
                                   "直属主管审批流程节点名称很长的一个节点", "Supercalifragilisticexpialidociousness check"])
def test_node_labels_are_wrapped_and_sized_never_cut(label: str) -> None:
    box = layout([N("s", "start", "S"), N("a", "approval", label)], [E("s", "a")]).boxes[1]
    fitted = box.lines
    assert "".join(fitted.lines).replace(" ", "") == label.replace(" ", "")  # every letter kept, no ellipsis
    assert all(text_width(line, fitted.size) <= box.w - 20 for line in fitted.lines)
    assert len(fitted.lines) * fitted.size * 1.2 <= box.h


def test_a_short_label_keeps_the_usual_size_on_one_line() -> None:
    box = layout([N("s", "start", "Start")], []).boxes[0]
    assert box.lines.lines == ("Start",) and box.lines.size == 13


def test_an_instance_chart_shows_statuses_who_acted_and_who_waits() -> None:
    boss, fin = Person(3, "张伟"), Person(5, "周敏")
    flow = FlowState("contract_approval", {"en": "Contract approval"}, 1, "running", ("finance",), (
        NodeState("start", "start", {"en": "Submit"}, "done", acted=(Act(Person(4, "李娜"), "submitted", None),)),
        NodeState("manager", "approval", {"en": "Manager"}, "done", acted=(Act(boss, "approved", None, "ok"),)),
        NodeState("check", "condition", {"en": "Amount"}, "done"),
        NodeState("finance", "approval", {"en": "Finance"}, "current", waiting=(fin,)),
        NodeState("end", "end", {"en": "End"}, "pending")),
        (Edge("start", "manager"), Edge("manager", "check"), Edge("check", "finance", {"en": "100k+"}),
         Edge("check", "end"), Edge("finance", "end")))
    chart = state_chart(flow, "zh", translator("zh"))
    boxes = by_id(chart)
    assert boxes["manager"].note == "张伟 · 同意" and "“ok”" in boxes["manager"].title
    assert boxes["finance"].note == "等待 周敏" and boxes["finance"].status == "current"
    taken = [a for a in chart.arrows if a.taken]
    assert len(taken) == 3  # start → manager → check → finance
    svg = environment.get_template("_workflow_chart.html").render(
        chart=chart, chart_id="c1", chart_label="x", t=translator("zh"))
    assert svg.count("<g class=\"wf-node") == 5 and 'data-node="finance" data-status="current"' in svg
    assert "<polygon" in svg and "style=" not in svg  # the condition's hexagon; no inline styles (CSP)


def test_only_the_branch_taken_is_marked() -> None:
    statuses = {"start": "done", "manager": "done", "check": "done", "finance": "done", "end": "done"}
    chart = definition_chart(contract(), "en", statuses)
    taken = {(a.points[0], a.points[-1]) for a in chart.arrows if a.taken}
    boxes = by_id(chart)
    assert len(taken) == 4  # start→manager→check→finance→end; not check→end
    assert not any(a.taken for a in chart.arrows if a.label == "" and len(a.points) == 3)
    assert (boxes["check"].cx, boxes["check"].y + BOX_H) in {p for p, _ in taken}
