"""Stage pipelines on the web: the stage bar of a record page (time in each stage, the allowed next stages as
buttons), moving a record through the normal update path, and the stage report of a pipeline."""

from __future__ import annotations

from collections.abc import Mapping
import dataclasses
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from engine.definitions.model import FieldDef, FormDef, PipelineDef
from engine.errors import Conflict, FormworkError, NotFound, PermissionDenied, RecordInvalid
from engine.i18n import text
from engine.pipelines.reports import DAY, stage_report, stage_times
from engine.pipelines.rules import stage_label
from engine.records.model import Actor, Record
from engine.workspace import Workspace
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.records import _form_or_404, record_or_404


@dataclass
class StageCell:
    """One stage on the bar."""

    value: str
    label: Any
    state: str  # current | visited | ahead
    days: float | None
    allowed: bool
    probability: float | None


@dataclass
class StageBar:
    """What _pipeline_bar.html shows for one pipeline of the record."""

    pipeline: PipelineDef
    field: FieldDef
    current: str | None
    cells: list[StageCell]
    may_move: bool
    final: bool
    entered_at: Any = None
    stalled: bool = False
    refused: Mapping[str, Any] | None = None
    moves: list[StageCell] = dataclasses.field(default_factory=list)

    @property
    def current_label(self) -> Any:
        """The label of the current stage (its value when the pipeline does not list it)."""
        return next((c.label for c in self.cells if c.state == "current"), self.current or "")


def stage_bars(request: Request, form: FormDef, record: Record, actor: Actor,
               refused: Mapping[str, Any] | None = None) -> list[StageBar]:
    """The bars of every pipeline over a field of `form` the user can see (hidden stage fields have none)."""
    ws = workspace(request)
    bars = []
    for pipeline in ws.definitions.pipelines.values():
        f = form.field(pipeline.field) if pipeline.form == form.id else None
        if f is None:
            continue
        writable = ws.records.guard(actor, form.id).access.writable(f.id)
        may_move = writable and ws.records.allowed(actor, form.id, record.id, "update")
        mine = refused if refused and refused.get("pipeline") == pipeline.id else None
        bars.append(_bar(ws, pipeline, f, record, may_move, mine))
    return bars


def _bar(ws: Workspace, pipeline: PipelineDef, f: FieldDef, record: Record, may_move: bool,
         refused: Mapping[str, Any] | None) -> StageBar:
    current = record.get(f.id)
    times = stage_times(ws.records, pipeline, record.id, ws.now())
    allowed = set(pipeline.next_stages(current)) if current else {s.stage for s in pipeline.stages}
    cells = []
    for stage in pipeline.stages:
        spent = times.seconds.get(stage.stage)
        state = "current" if stage.stage == current else "visited" if spent is not None else "ahead"
        cells.append(StageCell(stage.stage, stage_label(f, stage.stage), state,
                               round(spent / DAY, 1) if spent is not None else None,
                               stage.stage in allowed and stage.stage != current, stage.probability))
    here = pipeline.stage(current) if current else None
    in_stage = (ws.now() - times.entered_at).total_seconds() / DAY if times.entered_at else 0.0
    return StageBar(pipeline, f, current, cells, may_move, here is not None and here.to == (), times.entered_at,
                    bool(here and here.stall_days and in_stage > here.stall_days), refused,
                    [c for c in cells if c.allowed])


@form_view
def move(request: Request, data: FormData) -> Response:
    """POST pipeline, stage, version: set the stage through the record service (as an edit from the web would);
    a refused move shows the record page with the reasons next to the stage bar."""
    found = record_or_404(request)
    if isinstance(found, Response):
        return found
    form, actor, record = found
    ws = workspace(request)
    pipeline = ws.definitions.pipelines.get(str(data.get("pipeline", "")))
    f = form.field(pipeline.field) if pipeline is not None and pipeline.form == form.id else None
    stage = str(data.get("stage", ""))
    if pipeline is None or f is None or pipeline.stage(stage) is None:
        return page(request, "error.html", {"message": "bad_query", "detail": _t(request, "pipeline_bad_stage")},
                    status=400)
    version = str(data.get("version", ""))
    try:
        ws.records.update(actor, form.id, record.id, {f.id: stage}, version=int(version) if version.isdigit() else -1,
                          fmt="form", via="web")
    except RecordInvalid as exc:
        return _refused(request, form, pipeline.id, f, stage, exc.errors, 422)
    except Conflict:
        return _refused(request, form, pipeline.id, f, stage, {}, 409, conflict=True)
    except FormworkError as exc:  # e.g. the record is locked by a running approval: say so next to the bar
        error = getattr(exc, "error", None)
        if error is None or isinstance(exc, (NotFound, PermissionDenied)):
            raise
        return _refused(request, form, pipeline.id, f, stage, {"": [error]}, 409)
    return RedirectResponse(f"/apps/{form.app}/{form.id}/{record.id}#pipeline-{pipeline.id}", status_code=303)


def _refused(request: Request, form: FormDef, pipeline_id: str, f: FieldDef, stage: str,
             errors: Mapping[str, Any], status: int, conflict: bool = False) -> Response:
    """The record page (reloaded) with why the move was refused: every message, and whether fields need filling."""
    from web.views.record_detail import render_record  # the record page builds on this module's bars

    lang = choose_language(request)
    found = record_or_404(request)
    if isinstance(found, Response):
        return found
    messages = [e.message(lang) for errs in errors.values() for e in errs]
    refused = {"pipeline": pipeline_id, "stage": text(stage_label(f, stage), lang), "messages": messages,
               "conflict": conflict, "fill": any(path not in ("", f.id) for path in errors)}  # a field to fill in
    return render_record(request, form, found[2], status=status, pipeline_refused=refused)


def report(request: Request) -> Response:
    """GET the stage report of a pipeline of the form: per stage count, mean and median days, stalled records."""
    form = _form_or_404(request)
    ws = workspace(request)
    pipeline = ws.definitions.pipelines.get(request.path_params["pipeline"])
    f = form.field(pipeline.field) if form is not None and pipeline is not None and pipeline.form == form.id else None
    if form is None or pipeline is None or f is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    actor = actor_of(current_user(request) or {}, choose_language(request))
    result = stage_report(ws.records, actor, pipeline, ws.now())
    titles = ws.records.titles(form.id, [s.record_id for s in result.stalled], actor)
    return page(request, "pipeline_report.html", {
        "form": form, "pipeline": pipeline, "field": f, "report": result, "titles": titles,
        "stage_label": lambda v: stage_label(f, v), "base": f"/apps/{form.app}/{form.id}",
    })


def _t(request: Request, key: str) -> str:
    return str(translator(choose_language(request))(key))


ROUTES = [
    Route("/apps/{app}/{form}/pipelines/{pipeline}", report),
    Route("/apps/{app}/{form}/{id}/stage", move, methods=["POST"]),
]
