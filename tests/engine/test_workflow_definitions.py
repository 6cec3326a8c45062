"""Workflow documents: loading into the model with defaults, and every definition-time check naming file, line and
pointer."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.definitions.loader import load_directory, load_sources, load_workflow_text, read_directory
from engine.definitions.model import AssigneeDef, BranchDef, TimeoutDef
from engine.errors import DefinitionError

CRM = Path(__file__).parents[2] / "apps_templates" / "crm"
FILE = "workflows/contract_review.yaml"
REVIEW = """\
workflow: contract_review
label: Contract review
form: contract
nodes:
  - id: start
    type: start
    next: manager
  - id: manager
    type: approval
    assignees: [{manager: 1}]
    next: check
  - id: check
    type: condition
    branches:
      - {when: "amount >= 100000", next: finance}
      - {default: true, next: end}
  - id: finance
    type: approval
    assignees: [{role: finance}]
    fields: {signed_date: editable}
    next: end
  - id: end
    type: end
    set: {status: approved}
"""


def crm_sources(review: str | None = REVIEW, *, keep_contract_approval: bool = False) -> dict[str, str]:
    sources = read_directory(CRM)
    if not keep_contract_approval:
        del sources["workflows/contract_approval.yaml"]
    if review is not None:
        sources[FILE] = review
    return sources


def problems_of(review: str, **kwargs: bool) -> list[str]:
    return [str(p) for p in load_sources(crm_sources(review, **kwargs)).problems]


def changed(old: str, new: str) -> str:
    assert REVIEW.count(old) == 1, old
    return REVIEW.replace(old, new)


def test_the_crm_workflows_validate() -> None:
    result = load_directory(CRM)
    assert [str(p) for p in result.problems] == []
    defs = result.definitions
    assert set(defs.workflows) >= {"contract_approval", "ticket_handling"}
    assert defs.workflow_of("contract") is defs.workflows["contract_approval"]
    assert defs.workflow_of("ticket") is defs.workflows["ticket_handling"]
    assert defs.workflows["ticket_handling"].auto_start and not defs.workflows["contract_approval"].auto_start


def test_a_valid_document_loads_with_defaults() -> None:
    result = load_sources(crm_sources())
    assert [str(p) for p in result.problems] == []
    wf = result.definitions.workflows["contract_review"]
    assert (wf.form, wf.enabled, wf.auto_start, wf.label) == ("contract", True, False, "Contract review")
    assert [n.id for n in wf.nodes] == ["start", "manager", "check", "finance", "end"]
    assert wf.start.id == "start" and wf.node("manager").next == ("check",)
    manager = wf.node("manager")
    assert manager.sign == "any" and manager.reject_to is None and manager.timeout is None
    assert manager.actions == frozenset({"approve", "reject", "return", "transfer", "add_signer"})
    assert manager.assignees == (AssigneeDef("manager", 1, manager.assignees[0].source),)
    assert manager.assignees[0].source.line == 10 and manager.label == "manager"
    check = wf.node("check")
    assert check.branches == (BranchDef("finance", "amount >= 100000", None, check.branches[0].source),
                              BranchDef("end", None, None, check.branches[1].source))
    assert dict(wf.node("finance").fields) == {"signed_date": "editable"}
    assert dict(wf.node("end").set_values) == {"status": "approved"} and wf.node("end").actions == frozenset()
    with pytest.raises(KeyError, match="no node 'nope'"):
        wf.node("nope")


def test_fill_nodes_timeouts_and_assignee_kinds() -> None:
    wf = load_directory(CRM).definitions.workflows["ticket_handling"]
    assign, handle, confirm = wf.node("assign"), wf.node("handle"), wf.node("confirm")
    assert assign.actions == frozenset({"approve", "transfer"})  # the fill default
    assert assign.required == ("assignee",) and assign.timeout == TimeoutDef(4, "remind", 4, (), assign.timeout.source)
    assert handle.timeout is not None and handle.timeout.action == "escalate"
    assert [(a.kind, a.value) for a in handle.timeout.to] == [("role", "service_manager")]
    assert [(a.kind, a.value) for a in confirm.assignees] == [("submitter", None), ("field", "assignee")]
    assert confirm.actions == frozenset({"approve", "return"})
    assert dict(wf.node("end").set_values) == {"status": "closed"}


def test_assignee_values_are_built_per_kind() -> None:
    text = changed("assignees: [{role: finance}]", "assignees: [{users: [zhangwei, lina]}, {department_head: record}, "
                                                   "{department_head: sales}, {previous: true}, {field: owner}]")
    wf = load_workflow_text(text, FILE)
    assert [(a.kind, a.value) for a in wf.node("finance").assignees] == [
        ("users", ("zhangwei", "lina")), ("department_head", None), ("department_head", "sales"), ("previous", None),
        ("field", "owner")]


def test_parallel_split_and_join_load_clean() -> None:
    text = changed("      - {when: \"amount >= 100000\", next: finance}",
                   "      - {when: \"amount >= 100000\", next: split}") + """\
  - {id: split, type: parallel, next: [finance, legal]}
  - {id: legal, type: approval, assignees: [{role: management}], sign: all, next: merge}
  - {id: merge, type: join, next: end}
"""
    text = text.replace("    fields: {signed_date: editable}\n    next: end", "    fields: {signed_date: editable}\n"
                                                                           "    next: merge")
    result = load_sources(crm_sources(text))
    assert [str(p) for p in result.problems] == []
    wf = result.definitions.workflows["contract_review"]
    assert wf.node("split").next == ("finance", "legal") and wf.node("legal").sign == "all"


CASES = [
    ("dangling next", changed("    next: end\n  - id: end", "    next: ending\n  - id: end"),
     f"{FILE}:21 /nodes/3/next: unknown node 'ending' (did you mean 'end'?)"),
    ("dangling branch", changed("next: finance}", "next: financ}"),
     f"{FILE}:15 /nodes/2/branches/0/next: unknown node 'financ' (did you mean 'finance'?)"),
    ("unreachable node", REVIEW + "  - {id: legal, type: approval, assignees: [{role: finance}], next: end}\n",
     f"{FILE}:25 /nodes/5/id: node 'legal' cannot be reached from the start"),
    ("no end reachable", changed("    next: end\n  - id: end", "    next: legal\n  - id: end")
     + "  - {id: legal, type: approval, assignees: [{role: finance}], next: finance}\n",
     f"{FILE}:17 /nodes/3/id: no end node can be reached from 'finance'"),
    ("two defaults", changed("{when: \"amount >= 100000\", next: finance}", "{default: true, next: finance}"),
     f"{FILE}:16 /nodes/2/branches/1: only one branch can be the default; branch 1 already is"),
    ("no default", changed("{default: true, next: end}", "{when: \"amount < 100000\", next: end}"),
     f"{FILE}:15 /nodes/2/branches: a condition node needs exactly one branch with `default: true`"),
    ("when and default", changed("{default: true, next: end}", "{when: \"amount < 5\", default: true, next: end}"),
     f"{FILE}:16 /nodes/2/branches/1: a branch has either `when` (a formula) or `default: true`"),
    ("bad formula", changed("amount >= 100000", "amout >= 100000"),
     f"{FILE}:15 /nodes/2/branches/0/when: formula 'amout >= 100000': unknown field 'amout' (did you mean 'amount'?)"),
    ("unknown role", changed("{role: finance}", "{role: finanse}"),
     f"{FILE}:19 /nodes/3/assignees/0/role: unknown role 'finanse' (did you mean 'finance'?)"),
    ("non-user field", changed("{manager: 1}", "{field: client}"),
     f"{FILE}:10 /nodes/1/assignees/0/field: field 'client' is a relation field; an assignee field must be a user"),
    ("unknown field assignee", changed("{manager: 1}", "{field: ownr}"),
     f"{FILE}:10 /nodes/1/assignees/0/field: unknown field 'ownr' in form 'contract' (did you mean 'owner'?)"),
    ("manager level 0", changed("{manager: 1}", "{manager: 0}"),
     f"{FILE}:10 /nodes/1/assignees/0/manager: 0 is less than the minimum of 1"),
    ("two keys in one entry", changed("{manager: 1}", "{manager: 1, role: finance}"),
     f"{FILE}:10 /nodes/1/assignees/0: {{'manager': 1, 'role': 'finance'}} has too many properties"),
    ("bad set value", changed("{status: approved}", "{status: aproved}"),
     f"{FILE}:24 /nodes/4/set/status: 'aproved' does not fit field 'status' (select)"),
    ("set on a computed field", changed("{status: approved}", "{outstanding: 0}"),
     f"{FILE}:24 /nodes/4/set/outstanding: field 'outstanding' is computed (money); `set` cannot write it"),
    ("set an unknown field", changed("{status: approved}", "{stauts: approved}"),
     f"{FILE}:24 /nodes/4/set/stauts: unknown field 'stauts' in form 'contract' (did you mean 'status'?)"),
    ("unknown field access", changed("{signed_date: editable}", "{signed: editable}"),
     f"{FILE}:20 /nodes/3/fields/signed: unknown field 'signed' in form 'contract' (did you mean 'signed_date'?)"),
    ("editable computed field", changed("{signed_date: editable}", "{paid: editable}"),
     f"{FILE}:20 /nodes/3/fields/paid: field 'paid' is computed (rollup); it cannot be editable"),
    ("bad access word", changed("{signed_date: editable}", "{signed_date: writable}"),
     f"{FILE}:20 /nodes/3/fields/signed_date: 'writable' is not one of: editable, read_only, hidden"),
    ("required unknown field", changed("    fields: {signed_date: editable}\n",
                                       "    fields: {signed_date: hidden}\n    required: [signed_date, sined]\n"),
     f"{FILE}:21 /nodes/3/required/1: unknown field 'sined' in form 'contract' (did you mean 'signed_date'?)"),
    ("required hidden field", changed("    fields: {signed_date: editable}\n",
                                      "    fields: {signed_date: hidden}\n    required: [signed_date]\n"),
     f"{FILE}:21 /nodes/3/required/0: field 'signed_date' is hidden at this node"),
    ("join without parallel", changed("    next: end\n  - id: end", "    next: merge\n  - id: end")
     + "  - {id: merge, type: join, next: end}\n",
     f"{FILE}:25 /nodes/5/type: join 'merge' can be reached without passing a parallel node"),
    ("escalate without to", changed("    assignees: [{manager: 1}]\n",
                                    "    assignees: [{manager: 1}]\n    timeout: {hours: 24, action: escalate}\n"),
     f"{FILE}:11 /nodes/1/timeout: a timeout that escalates needs `to`"),
    ("to without escalate", changed("    assignees: [{manager: 1}]\n",
                                    "    assignees: [{manager: 1}]\n    timeout: {hours: 2, to: [{role: admin}]}\n"),
     f"{FILE}:11 /nodes/1/timeout/to: `to` applies only when the timeout's action is escalate"),
    ("unknown escalation role", changed("    assignees: [{manager: 1}]\n", "    assignees: [{manager: 1}]\n"
                                        "    timeout: {hours: 2, action: escalate, to: [{role: boss}]}\n"),
     f"{FILE}:11 /nodes/1/timeout/to/0/role: unknown role 'boss'"),
    ("two starts", changed("  - id: manager\n    type: approval", "  - id: manager\n    type: start"),
     f"{FILE}:9 /nodes/1/type: a workflow has exactly one start node; 'start' is already it"),
    ("no end", changed("    type: end\n", "    type: cc\n    assignees: [{role: admin}]\n"),
     f"{FILE}:5 /nodes: a workflow needs at least one end node (type: end)"),
    ("duplicate node id", changed("  - id: finance", "  - id: manager"),
     f"{FILE}:17 /nodes/3/id: node id 'manager' is used twice"),
    ("edge into start", changed("{default: true, next: end}", "{default: true, next: start}"),
     f"{FILE}:16 /nodes/2/branches/1/next: no edge may lead back to the start node"),
    ("several next without parallel", changed("    next: check\n", "    next: [check, finance]\n"),
     f"{FILE}:11 /nodes/1/next: only a parallel node has several `next` nodes"),
    ("missing next", changed("    next: check\n", ""),
     f"{FILE}:8 /nodes/1: an approval node needs `next`"),
    ("reject_to a later node", changed("    assignees: [{manager: 1}]\n",
                                       "    assignees: [{manager: 1}]\n    reject_to: finance\n"),
     f"{FILE}:11 /nodes/1/reject_to: reject_to 'finance' must be the start or an approval or fill node that comes "
     "before 'manager'"),
    ("assignees on an end node", changed("    set: {status: approved}\n",
                                         "    set: {status: approved}\n    assignees: [{role: admin}]\n"),
     f"{FILE}:25 /nodes/4/assignees: `assignees` apply only to approval, fill and cc nodes, not to an end node"),
    ("approval without assignees", changed("    assignees: [{manager: 1}]\n", ""),
     f"{FILE}:8 /nodes/1: an approval node needs `assignees`"),
    ("actions without approve", changed("    assignees: [{manager: 1}]\n",
                                        "    assignees: [{manager: 1}]\n    actions: [reject, transfer]\n"),
     f"{FILE}:11 /nodes/1/actions: the actions must include approve"),
    ("unknown action", changed("    assignees: [{manager: 1}]\n",
                               "    assignees: [{manager: 1}]\n    actions: [approve, forward]\n"),
     f"{FILE}:11 /nodes/1/actions/1: 'forward' is not one of: approve, reject, return, transfer, add_signer"),
    ("loop without a person", changed("{default: true, next: end}", "{default: true, next: notice}")
     + "  - {id: notice, type: cc, assignees: [{role: admin}], next: check}\n",
     f"{FILE}:12 /nodes/2/id: the nodes check → notice → check loop without anyone acting"),
    ("unknown form", changed("form: contract", "form: contrakt"),
     f"{FILE}:3 /form: unknown form 'contrakt' (did you mean 'contract'?)"),
    ("misnamed file", changed("workflow: contract_review", "workflow: contract_check"),
     f"{FILE}:1 /workflow: workflow 'contract_check' must be in a file named contract_check.yaml"),
]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_check_names_file_line_and_pointer(case: str, text: str, expected: str) -> None:
    problems = problems_of(text)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_form_runs_at_most_one_enabled_workflow() -> None:
    problems = problems_of(REVIEW, keep_contract_approval=True)
    assert any(p.startswith(f"{FILE}:3 /form: form 'contract' already has the enabled workflow 'contract_approval'")
               for p in problems), problems
    disabled = REVIEW.replace("form: contract\n", "form: contract\nenabled: false\n")
    assert problems_of(disabled, keep_contract_approval=True) == []


def test_a_snapshot_parses_on_its_own() -> None:
    text = (CRM / "workflows" / "contract_approval.yaml").read_text(encoding="utf-8")
    wf = load_workflow_text(text, file="workflows/contract_approval.yaml")
    assert wf == load_directory(CRM, display_root="").definitions.workflows["contract_approval"]
    assert [n.id for n in wf.nodes] == ["start", "manager", "amount_check", "finance", "end"]
    # References to forms and roles are not checked in a snapshot: the workspace may have changed since.
    assert load_workflow_text(changed("{role: finance}", "{role: gone}")).node("finance").assignees[0].value == "gone"


@pytest.mark.parametrize(("text", "expected"), [
    (changed("    next: end\n  - id: end", "    next: ending\n  - id: end"),
     "snapshot:21 /nodes/3/next: unknown node 'ending'"),
    ("workflow: [unclosed", "snapshot:1 /: invalid YAML"),
    ("form: x\n", "snapshot:1 /: not a workflow document"),
    (changed("type: condition", "type: choice"), "snapshot:13 /nodes/2/type: 'choice' is not one of"),
])
def test_a_broken_snapshot_raises_a_definition_error(text: str, expected: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_workflow_text(text)
    assert any(str(p).startswith(expected) for p in caught.value.problems), caught.value.problems
