"""Semantic checks of stage pipeline documents: the form and select field they name, stages matching its options,
transitions, required fields and the probability field."""

from __future__ import annotations

from typing import Any

from engine.definitions.model import Definitions, FieldDef, FormDef, PipelineDef, StageDef
from engine.definitions.suggest import closest

STAGE_FIELD_TYPES = {"select"}
PROBABILITY_TYPES = {"number", "integer", "percent"}
COMPUTED_TYPES = {"formula", "lookup", "rollup", "serial", "divider", "section"}


def option_values(f: FieldDef) -> list[str]:
    """The option values of a select field, in order."""
    options = f.get("options")
    if not isinstance(options, list):
        return []
    return [str(o.get("value")) if isinstance(o, dict) else str(o) for o in options]


def check_pipelines(defs: Definitions, report: Any) -> None:
    """Every problem of every pipeline; at most one pipeline per form and field."""
    seen: dict[tuple[str, str], PipelineDef] = {}
    for pipeline in sorted(defs.pipelines.values(), key=lambda p: p.id):
        key = (pipeline.form, pipeline.field)
        if key in seen:
            report.add(pipeline.source, "/field", f"field '{pipeline.field}' of form '{pipeline.form}' already has "
                                                  f"the pipeline '{seen[key].id}' ({seen[key].source.file})")
            continue
        seen[key] = pipeline
        _check_pipeline(defs, pipeline, report)


def _check_pipeline(defs: Definitions, p: PipelineDef, report: Any) -> None:
    form = defs.forms.get(p.form)
    if form is None:
        report.add(p.source, "/form", f"unknown form '{p.form}'", closest(p.form, list(defs.forms)))
        return
    f = form.field(p.field)
    if f is None:
        report.add(p.source, "/field", f"unknown field '{p.field}' in form '{form.id}'",
                   closest(p.field, [x.id for x in form.fields if x.type in STAGE_FIELD_TYPES]))
        return
    if f.type not in STAGE_FIELD_TYPES:
        report.add(p.source, "/field", f"field '{p.field}' is a {f.type} field; a pipeline needs a select field")
        return
    _check_stages(form, f, p, report)
    if p.probability_field:
        _check_probability_field(form, p, report)


def _check_stages(form: FormDef, f: FieldDef, p: PipelineDef, report: Any) -> None:
    options = option_values(f)
    names = [s.stage for s in p.stages]
    for i, stage in enumerate(p.stages):
        if stage.stage in names[:i]:
            report.add(stage.source, "/stage", f"stage '{stage.stage}' is listed twice")
        elif stage.stage not in options:
            report.add(stage.source, "/stage", f"'{stage.stage}' is not an option of field '{f.id}'",
                       closest(stage.stage, [o for o in options if o not in names]))
        _check_stage(form, stage, names, report)
    missing = [o for o in options if o not in names]
    if missing:
        report.add(p.source, "/stages", f"options of field '{f.id}' without a stage: {', '.join(missing)}; "
                                        "list every option as a stage")


def _check_stage(form: FormDef, stage: StageDef, names: list[str], report: Any) -> None:
    for i, target in enumerate(stage.to or ()):
        if target not in names:
            report.add(stage.source, f"/to/{i}", f"unknown stage '{target}'", closest(target, names))
    for i, field_id in enumerate(stage.require):
        required = form.field(field_id)
        if required is None:
            report.add(stage.source, f"/require/{i}", f"unknown field '{field_id}' in form '{form.id}'",
                       closest(field_id, form.field_ids()))
        elif required.type in COMPUTED_TYPES or required.formula:
            report.add(stage.source, f"/require/{i}", f"field '{field_id}' is computed; a stage can only require "
                                                      "fields people fill in")


def _check_probability_field(form: FormDef, p: PipelineDef, report: Any) -> None:
    target = form.field(p.probability_field or "")
    if target is None:
        report.add(p.source, "/probability_field", f"unknown field '{p.probability_field}' in form '{form.id}'",
                   closest(str(p.probability_field), [x.id for x in form.fields if x.type in PROBABILITY_TYPES]))
    elif target.type not in PROBABILITY_TYPES:
        report.add(p.source, "/probability_field", f"field '{target.id}' is a {target.type} field; the probability "
                                                   f"needs one of: {', '.join(sorted(PROBABILITY_TYPES))}")
    elif target.formula:
        report.add(p.source, "/probability_field", f"field '{target.id}' is a formula; leave probability_field out "
                                                   "and let the formula follow the stage, or drop the formula")
