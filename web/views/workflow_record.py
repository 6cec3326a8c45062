"""The record page's workflow: the panel (status, flow chart, who acted and who waits, Submit / Withdraw / Urge),
the workflow steps on the record's timeline, and the panel's buttons."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.definitions.model import FormDef
from engine.errors import FormworkError, PermissionDenied
from engine.i18n import text
from engine.org.users import display_names
from engine.records.model import Actor, Record
from engine.workflow.lock import running_nodes
from engine.workflow.views import FlowState, Step
from engine.workspace import Workspace
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.views.workflow_chart import state_chart
from web.views.workflow_input import BadInput, comment_of, message, shown_signature, signature_of

PANEL_OPS = ("submit", "withdraw", "urge")
NOTICES = ("submit", "withdraw", "urge")
USER_DETAILS = ("to", "user", "from", "users")  # step details naming users (rejected/returned "to" names a node)
NODE_TARGETS = ("rejected", "returned")


def locked(record: Record) -> bool:
    """Whether the record is in a running workflow (edits and deletes go through the to-do items)."""
    return bool(running_nodes(record.wf_state))


def panel(request: Request, form: FormDef, record: Record, actor: Actor,
          problem: str | None = None) -> dict[str, Any] | None:
    """The workflow panel's context, or None when the form has no workflow and the record never had one."""
    ws = workspace(request)
    lang = choose_language(request)
    try:
        flow = ws.workflows.state(actor, form.id, record.id)
    except FormworkError:
        return None
    if flow is None:
        return None
    waiting = [p.name for n in flow.nodes for p in n.waiting]
    notice = request.query_params.get("wf_done")
    return {"flow": flow, "chart": state_chart(flow, lang, translator(lang)), "locked": locked(record),
            "waiting": ", ".join(dict.fromkeys(waiting)), "problem": problem,
            "notice": notice if notice in NOTICES else None, "urged": request.query_params.get("n"),
            "base": f"/apps/{form.app}/{form.id}/{record.id}/workflow"}


def step_user_ids(steps: Iterable[Step]) -> set[int]:
    """The ids of the people the steps' details name (to whom it went, from whom, who was added or urged)."""
    found: set[int] = set()
    for s in steps:
        for key in USER_DETAILS:
            if s.action in NODE_TARGETS and key == "to":
                continue
            value = s.detail.get(key)
            found.update(int(v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
    return found


def step_text(step: Step, names: Mapping[int, str], labels: Mapping[str, str], t: Callable[[str], str],
              fills: Collection[str] = ()) -> str:
    """What a timeline step says after the actor's name: "approved", "handed it to 王芳 (at Finance)"…; an
    approval of a fill node (in `fills`) says "submitted" — nobody approved anything there."""
    if step.action == "submitted" and step.detail.get("again"):
        return t("wf_step_resubmitted")
    if step.action == "approved" and step.node in fills:
        return t("wf_step_filled")
    d = step.detail

    def who(key: str) -> str:
        value = d.get(key)
        ids = value if isinstance(value, list) else [value]
        return ", ".join(names.get(int(i), f"#{i}") for i in ids if isinstance(i, int)) or "—"
    key = f"wf_step_{step.action}"
    shown = t(key)
    if shown == key:
        return step.action
    target = who("user") if step.action in ("signer_added", "reminded", "timed_out") else who("to")
    if step.action in ("urged", "cc"):
        target = who("users")
    shown = shown.replace("{to}", target).replace("{from}", who("from"))
    if step.action in NODE_TARGETS and isinstance(d.get("to"), str):
        shown += " " + t("wf_step_to_node").format(node=labels.get(d["to"], d["to"]))
    return shown


def timeline_entries(request: Request, form: FormDef, record_id: int,
                     flow: FlowState | None) -> list[dict[str, Any]]:
    """The record's workflow steps as timeline entries (kind `workflow`), with their texts."""
    ws = workspace(request)
    lang = choose_language(request)
    t = translator(lang)
    steps = ws.workflows.steps(form.id, record_id)
    if not steps:
        return []
    with ws.reading() as conn:
        names = display_names(conn, step_user_ids(steps))
    labels = {n.id: text(n.label, lang) for n in flow.nodes} if flow is not None else {}
    fills = {n.id for n in flow.nodes if n.type == "fill"} if flow is not None else set()
    return [{"kind": "workflow", "at": s.at, "order": (3, s.id), "step": s,
             "text": step_text(s, names, labels, t, fills),
             "node": text(s.node_label, lang) if s.node_label else "", "signature": shown_signature(s.signature),
             "actor_name": s.actor.name if s.actor else ""} for s in steps]


@form_view
def panel_action(request: Request, data: FormData) -> Response:
    """POST submit / withdraw / urge from the record page's panel; a refusal shows the page with the reason."""
    from web.views.record_detail import render_record
    from web.views.records import record_or_404

    found = record_or_404(request)
    if isinstance(found, Response):
        return found
    form, actor, record = found
    op = request.path_params["op"]
    if op not in PANEL_OPS:
        return render_record(request, form, record, status=404)
    lang = choose_language(request)
    try:
        done = _run(workspace(request), actor, form, record, op, data)
    except PermissionDenied:
        raise
    except (FormworkError, BadInput) as exc:
        return render_record(request, form, record, status=_status(exc),
                             workflow_problem=message(exc, lang, translator(lang)))
    extra = f"&n={done}" if op == "urge" else ""
    return RedirectResponse(f"/apps/{form.app}/{form.id}/{record.id}?wf_done={op}{extra}#workflow", status_code=303)


def _status(exc: Exception) -> int:
    """The page's status for a refusal: the engine error's (409 conflict, 422 …), 422 for bad input."""
    from web.errors import status_of

    return status_of(exc) if isinstance(exc, FormworkError) else 422


def _run(ws: Workspace, actor: Actor, form: FormDef, record: Record, op: str, data: FormData) -> int:
    """Do the panel's operation; returns how many people were urged (0 otherwise)."""
    comment = comment_of(data.get("comment"))
    if op == "submit":
        ws.workflows.submit(actor, form.id, record.id, comment=comment, signature=signature_of(data.get("signature.png")))
        return 0
    flow = ws.workflows.state(actor, form.id, record.id)
    if flow is None or flow.instance_id is None:
        from engine.workflow.errors import WorkflowError

        raise WorkflowError("wf_no_workflow", form=form.id)
    if op == "withdraw":
        ws.workflows.withdraw(actor, flow.instance_id, comment=comment)
        return 0
    return int(ws.workflows.urge(actor, flow.instance_id))


ROUTES: list[BaseRoute] = [
    Route("/apps/{app}/{form}/{id}/workflow/{op}", panel_action, methods=["POST"]),
]
