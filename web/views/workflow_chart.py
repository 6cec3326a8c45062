"""The flow chart of a workflow: a pure layout from nodes (with a status each) and edges to boxes and arrows that
`_workflow_chart.html` draws as inline SVG (attributes only: the CSP forbids inline styles).

Nodes are laid out top to bottom by their longest-path depth from the start; branches of a condition or a parallel
split sit side by side; an edge spanning several layers bends through placeholder slots so it never crosses a box;
an edge going back up (a loop) is drawn along the right margin."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from engine.definitions.model import WorkflowDef
from engine.i18n import text
from engine.workflow.views import FlowState, NodeState
from web.views.chart_labels import Fitted, fit

BOX_W, BOX_H = 168, 56
SLOT_W, LAYER_H = 196, 96  # a slot is a box and the gap beside it; a layer is a box and the gap below it
PAD, LOOP_MARGIN = 16, 28
NOTE_MAX = 20
STATUSES = ("done", "current", "pending", "skipped", "rejected")


@dataclass(frozen=True)
class ChartNode:
    """A node to draw: its label, status (done · current · pending · skipped · rejected) and a short note."""

    id: str
    type: str
    label: str
    status: str = "pending"
    note: str = ""
    title: str = ""  # the tooltip: everything the box cannot show


@dataclass(frozen=True)
class ChartEdge:
    """An arrow between two nodes (a condition branch carries its label)."""

    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class Box:
    """A laid-out node: top-left corner and size, the texts it shows."""

    id: str
    type: str
    status: str
    x: float
    y: float
    label: str
    note: str
    title: str
    w: float = BOX_W
    h: float = BOX_H
    fitted: Fitted | None = None  # the label wrapped (and sized) to the box

    @property
    def lines(self) -> Fitted:
        return self.fitted or fit(self.label, self.w, self.h, bool(self.note), self.type == "condition")

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def points(self) -> str:
        """The outline of a condition (a flat hexagon) as SVG polygon points."""
        x, y, w, h, d = self.x, self.y, self.w, self.h, 14
        return f"{x},{y + h / 2} {x + d},{y} {x + w - d},{y} {x + w},{y + h / 2} {x + w - d},{y + h} {x + d},{y + h}"


@dataclass(frozen=True)
class Arrow:
    """A laid-out edge: the polyline's points, its label and where the label goes; `taken` when the flow went
    along it; `loop` for an edge drawn back up."""

    points: tuple[tuple[float, float], ...]
    label: str = ""
    label_at: tuple[float, float] = (0.0, 0.0)
    taken: bool = False
    loop: bool = False

    @property
    def path(self) -> str:
        return " ".join(f"{x:g},{y:g}" for x, y in self.points)


@dataclass(frozen=True)
class Chart:
    """Boxes and arrows with the drawing's size."""

    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    width: float
    height: float


def short(value: str, limit: int) -> str:
    """`value` cut to `limit` characters with an ellipsis."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _order_and_loops(ids: Sequence[str], edges: Sequence[ChartEdge], start: str) -> tuple[list[str], set[int]]:
    """Nodes in depth-first finishing order reversed (a topological order of the forward edges), and the indexes
    of the edges that go back to a node still being visited (loops)."""
    out: dict[str, list[int]] = {i: [] for i in ids}
    for n, e in enumerate(edges):
        out[e.source].append(n)
    state: dict[str, int] = {}  # 1 visiting, 2 done
    finished: list[str] = []
    loops: set[int] = set()

    def visit(root: str) -> None:
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, pending = stack[-1]
            n = next(pending, None)
            if n is None:
                state[node] = 2
                finished.append(node)
                stack.pop()
                continue
            target = edges[n].target
            if state.get(target) == 1:
                loops.add(n)
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(out[target])))

    for root in [start, *ids]:
        if root not in state:
            visit(root)
    return finished[::-1], loops


def depths(ids: Sequence[str], edges: Sequence[ChartEdge], start: str) -> tuple[dict[str, int], set[int]]:
    """Each node's longest-path depth from the start over the forward edges, and the loop edges' indexes."""
    order, loops = _order_and_loops(ids, edges, start)
    depth = {i: 0 for i in ids}
    for node in order:
        for n, e in enumerate(edges):
            if e.source == node and n not in loops:
                depth[e.target] = max(depth[e.target], depth[node] + 1)
    return depth, loops


def _layers(ids: Sequence[str], edges: Sequence[ChartEdge], depth: Mapping[str, int],
            loops: set[int]) -> tuple[list[list[str]], dict[int, list[str]]]:
    """Slots per layer, placeholders included (`~n~k`: edge n's k-th bend), ordered by their parents' average
    position; and each forward edge's chain of slots from source to target."""
    rank = {i: n for n, i in enumerate(ids)}
    chains: dict[int, list[str]] = {}
    level: dict[str, int] = dict(depth)
    parents: dict[str, list[str]] = {i: [] for i in ids}
    for n, e in enumerate(edges):
        if n in loops:
            continue
        chain = [e.source] + [f"~{n}~{k}" for k in range(depth[e.source] + 1, depth[e.target])] + [e.target]
        for k, slot in enumerate(chain[1:-1], start=1):
            level[slot], parents[slot] = depth[e.source] + k, []
            rank[slot] = rank[e.target]
        for a, b in zip(chain, chain[1:]):
            parents[b].append(a)
        chains[n] = chain
    layers: list[list[str]] = [[] for _ in range(max(level.values(), default=0) + 1)]
    for slot in sorted(level, key=lambda s: rank[s]):
        layers[level[slot]].append(slot)
    position: dict[str, float] = {}
    for layer in layers:
        def centre(slot: str) -> float:
            known = [position[p] for p in parents[slot] if p in position]
            return sum(known) / len(known) if known else float(rank[slot])
        layer.sort(key=lambda s: (centre(s), rank[s]))
        position.update({s: (k - (len(layer) - 1) / 2) for k, s in enumerate(layer)})
    return layers, chains


def layout(nodes: Sequence[ChartNode], edges: Sequence[ChartEdge]) -> Chart:
    """Boxes and arrows for the nodes and edges (edges naming unknown nodes are left out)."""
    if not nodes:
        return Chart((), (), 0, 0)
    by_id = {n.id: n for n in nodes}
    edges = [e for e in edges if e.source in by_id and e.target in by_id]
    ids = [n.id for n in nodes]
    start = next((n.id for n in nodes if n.type == "start"), ids[0])
    depth, loops = depths(ids, edges, start)
    layers, chains = _layers(ids, edges, depth, loops)
    widest = max(len(layer) for layer in layers)
    width = widest * SLOT_W + 2 * PAD + (LOOP_MARGIN * 2 if loops else 0)
    inner = widest * SLOT_W
    centre: dict[str, tuple[float, float]] = {}
    for d, layer in enumerate(layers):
        left = PAD + (inner - len(layer) * SLOT_W) / 2
        for k, slot in enumerate(layer):
            centre[slot] = (left + (k + 0.5) * SLOT_W, PAD + d * LAYER_H + BOX_H / 2)
    boxes = tuple(Box(n.id, n.type, n.status if n.status in STATUSES else "pending",
                      centre[n.id][0] - BOX_W / 2, centre[n.id][1] - BOX_H / 2, n.label,
                      short(n.note, NOTE_MAX), n.title or n.label,
                      fitted=fit(n.label, BOX_W, BOX_H, bool(n.note), n.type == "condition")) for n in nodes)
    taken = _taken_edges(edges, by_id, loops)
    arrows = [_arrow(e, chains[n], centre, n in taken) for n, e in enumerate(edges) if n in chains]
    arrows += [_loop(e, centre, width, n in taken) for n, e in enumerate(edges) if n in loops]
    return Chart(boxes, tuple(arrows), width, PAD * 2 + (len(layers) - 1) * LAYER_H + BOX_H)


def _taken_edges(edges: Sequence[ChartEdge], by_id: Mapping[str, ChartNode], loops: set[int]) -> set[int]:
    """The edges the flow went along: from a passed node to a reached one. When several ways out of one node
    qualify (a condition whose default branch goes to the end the taken branch also reaches), the ones whose
    target another candidate leads to were not taken."""
    def passed(e: ChartEdge) -> bool:
        return by_id[e.source].status in ("done", "rejected") and by_id[e.target].status in ("done", "current", "rejected")
    out: dict[str, list[str]] = {}
    for n, e in enumerate(edges):
        if n not in loops:
            out.setdefault(e.source, []).append(e.target)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = {start}, [start]
        while todo:
            for nxt in out.get(todo.pop(), []):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False
    candidates = [n for n, e in enumerate(edges) if passed(e)]
    siblings: dict[str, list[str]] = {}
    for n in candidates:
        siblings.setdefault(edges[n].source, []).append(edges[n].target)
    return {n for n in candidates if not any(t != edges[n].target and reaches(t, edges[n].target)
                                             for t in siblings[edges[n].source])}


def _arrow(e: ChartEdge, chain: list[str], centre: Mapping[str, tuple[float, float]], taken: bool) -> Arrow:
    points = [(centre[e.source][0], centre[e.source][1] + BOX_H / 2)]
    points += [centre[slot] for slot in chain[1:-1]]
    points.append((centre[e.target][0], centre[e.target][1] - BOX_H / 2))
    (x1, y1), (x2, y2) = points[0], points[1]
    label_at = ((x1 + x2) / 2 + 6, (y1 + y2) / 2 + 4)
    return Arrow(tuple(points), short(e.label, NOTE_MAX), label_at, taken)


def _loop(e: ChartEdge, centre: Mapping[str, tuple[float, float]], width: float, taken: bool) -> Arrow:
    (sx, sy), (tx, ty) = centre[e.source], centre[e.target]
    lane = width - LOOP_MARGIN
    points = ((sx + BOX_W / 2, sy), (lane, sy), (lane, ty), (tx + BOX_W / 2, ty))
    return Arrow(points, short(e.label, NOTE_MAX), (lane - 4, (sy + ty) / 2), taken, loop=True)


def definition_chart(wf: WorkflowDef, lang: str, statuses: Mapping[str, str] | None = None,
                     notes: Mapping[str, str] | None = None) -> Chart:
    """The chart of a workflow definition with per-node statuses (pending when not given) and notes."""
    statuses, notes = statuses or {}, notes or {}
    nodes = [ChartNode(n.id, n.type, text(n.label, lang) or n.id, statuses.get(n.id, "pending"), notes.get(n.id, ""))
             for n in wf.nodes]
    edges: list[ChartEdge] = []
    for n in wf.nodes:
        if n.type == "condition":
            edges += [ChartEdge(n.id, b.next, text(b.label, lang) if b.label else "") for b in n.branches]
        else:
            edges += [ChartEdge(n.id, target) for target in n.next]
    return layout(nodes, edges)


def outcome_key(outcome: str | None, kind: str) -> str:
    """The `wf_outcome_…` suffix of an act: "approved" on a fill node (or a fill item) reads as "submitted"."""
    if outcome == "approved" and kind == "fill":
        return "submitted"
    return outcome or "open"


def _note(node: NodeState, t: Callable[[str], str]) -> str:
    """The box's second line: who it waits for, else who acted last and how."""
    if node.waiting:
        return t("wf_waiting_short").format(names=", ".join(p.name for p in node.waiting))
    acts = [a for a in node.acted if a.outcome != "cc"]
    if not acts:
        return ""
    last = acts[-1]
    outcome = t(f"wf_outcome_{outcome_key(last.outcome, node.type)}")
    return f"{last.user.name} · {outcome}" if last.user else outcome


def _title(node: NodeState, lang: str, t: Callable[[str], str]) -> str:
    """The box's tooltip: label, status, every act and who it waits for."""
    lines = [f"{text(node.label, lang) or node.id} — {t('wf_node_' + node.status)}"]
    lines += [f"{a.user.name if a.user else t('system')}: {t('wf_outcome_' + outcome_key(a.outcome, node.type))}"
              + (f" “{a.comment}”" if a.comment else "") for a in node.acted]
    if node.waiting:
        lines.append(t("wf_waiting_short").format(names=", ".join(p.name for p in node.waiting)))
    return "\n".join(lines)


def state_chart(flow: FlowState, lang: str, t: Callable[[str], str]) -> Chart:
    """The chart of one record's workflow instance: statuses, who acted and who is waiting, from its FlowState."""
    nodes = [ChartNode(n.id, n.type, text(n.label, lang) or n.id, n.status, _note(n, t), _title(n, lang, t))
             for n in flow.nodes]
    edges = [ChartEdge(e.source, e.target, text(e.label, lang) if e.label else "") for e in flow.edges]
    return layout(nodes, edges)
