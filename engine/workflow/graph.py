"""Pure questions about a workflow's graph: where edges lead, which nodes lie behind, what a node allows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.definitions.model import NodeDef, WorkflowDef

PERSON_NODES = ("start", "approval", "fill")  # nodes where people act
DEFAULT_ACTIONS = ("approve", "reject", "return", "transfer", "add_signer")
FILL_ACTIONS = ("approve", "transfer")
EDITABLE, READ_ONLY, HIDDEN = "editable", "read_only", "hidden"


def successors(node: NodeDef) -> tuple[str, ...]:
    """Every node an edge leaves `node` for (its `next`, or its branches' targets)."""
    return tuple(b.next for b in node.branches) if node.type == "condition" else node.next


def reaches(wf: WorkflowDef, source: str, target: str) -> bool:
    """Whether some path of edges leads from `source` to `target` (a node does not reach itself by standing)."""
    seen: set[str] = set()
    todo = list(successors(wf.node(source)))
    while todo:
        node_id = todo.pop()
        if node_id == target:
            return True
        if node_id not in seen:
            seen.add(node_id)
            todo.extend(successors(wf.node(node_id)))
    return False


def choose_branch(node: NodeDef, holds: Callable[[str], bool]) -> str:
    """The target of the first branch whose `when` holds, else of the default branch."""
    for branch in node.branches:
        if branch.when is not None and holds(branch.when):
            return branch.next
    default = next((b for b in node.branches if b.when is None), None)
    if default is None:  # the checker requires one; a hand-built definition may lack it
        raise ValueError(f"condition node '{node.id}' has no default branch")
    return default.next


def releasable(wf: WorkflowDef, current: Sequence[str], join: str) -> bool:
    """A join passes on once no other active node can still reach it."""
    return not any(other != join and reaches(wf, other, join) for other in current)


def earlier_person_nodes(wf: WorkflowDef, path: Sequence[str], node_id: str) -> list[str]:
    """Person nodes the flow passed before its latest visit to `node_id` that lead to it, most recent first."""
    last = max((i for i, n in enumerate(path) if n == node_id), default=len(path))
    found: list[str] = []
    for earlier in reversed(path[:last]):
        if earlier in found or earlier == node_id or wf.node(earlier).type not in PERSON_NODES:
            continue
        if reaches(wf, earlier, node_id):
            found.append(earlier)
    return found


def reject_targets(wf: WorkflowDef, path: Sequence[str], node_id: str) -> list[str]:
    """Where a reject at `node_id` may send the flow: the start and earlier person nodes on the path taken."""
    targets = earlier_person_nodes(wf, path, node_id)
    return [wf.start.id, *[t for t in reversed(targets) if t != wf.start.id]]


def default_reject_target(wf: WorkflowDef, node: NodeDef, path: Sequence[str]) -> str:
    """The node's `reject_to` when the flow passed it, else the start."""
    if node.reject_to and node.reject_to in reject_targets(wf, path, node.id):
        return node.reject_to
    return wf.start.id


def allowed_actions(node: NodeDef) -> tuple[str, ...]:
    """The actions a node's assignees may take, in display order."""
    if node.type == "start":
        return ("resubmit",)
    chosen = node.actions or frozenset(FILL_ACTIONS if node.type == "fill" else DEFAULT_ACTIONS)
    return tuple(a for a in DEFAULT_ACTIONS if a in chosen)


def field_access(node: NodeDef, field_id: str) -> str:
    """editable | read_only | hidden for a field at this node (not named: editable at the start, else read-only)."""
    named = node.fields.get(field_id)
    if named in (EDITABLE, READ_ONLY, HIDDEN):
        return str(named)
    return EDITABLE if node.type == "start" else READ_ONLY


def narrowed(node_access: str, role_hidden: bool, role_read_only: bool) -> str:
    """The node's access narrowed by the role's: a field the role hides stays hidden, a read-only one read-only."""
    if role_hidden or node_access == HIDDEN:
        return HIDDEN
    if role_read_only or node_access == READ_ONLY:
        return READ_ONLY
    return EDITABLE
