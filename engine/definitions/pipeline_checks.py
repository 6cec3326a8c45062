"""Semantic checks of stage pipeline documents: the form and select field they name, stages matching its options,
transitions, required fields and the probability field."""

from __future__ import annotations

from typing import Any

from engine.definitions.model import Definitions, FieldDef, FormDef, PipelineDef, StageDef
from engine.definitions.checker import unknown_field_in, unknown_form
from engine.definitions.suggest import closest
from engine.fields.registry import type_label_zh
from engine.i18n import zh_en

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
            report.add(pipeline.source, "/field", zh_en(f"表单“{pipeline.form}”的字段“{pipeline.field}”已有阶段流程"
                                                        f"“{seen[key].id}”({seen[key].source.file})",
                                                        f"field '{pipeline.field}' of form '{pipeline.form}' already "
                                                        f"has the pipeline '{seen[key].id}' ({seen[key].source.file})"))
            continue
        seen[key] = pipeline
        _check_pipeline(defs, pipeline, report)


def _check_pipeline(defs: Definitions, p: PipelineDef, report: Any) -> None:
    form = defs.forms.get(p.form)
    if form is None:
        report.add(p.source, "/form", unknown_form(p.form), closest(p.form, list(defs.forms)))
        return
    f = form.field(p.field)
    if f is None:
        report.add(p.source, "/field", unknown_field_in(p.field, form.id),
                   closest(p.field, [x.id for x in form.fields if x.type in STAGE_FIELD_TYPES]))
        return
    if f.type not in STAGE_FIELD_TYPES:
        report.add(p.source, "/field", zh_en(f"字段“{p.field}”是{type_label_zh(f.type)}字段;阶段流程需要下拉框字段",
                                             f"field '{p.field}' is a {f.type} field; a pipeline needs a select field"))
        return
    _check_stages(form, f, p, report)
    if p.probability_field:
        _check_probability_field(form, p, report)


def _check_stages(form: FormDef, f: FieldDef, p: PipelineDef, report: Any) -> None:
    options = option_values(f)
    names = [s.stage for s in p.stages]
    for i, stage in enumerate(p.stages):
        if stage.stage in names[:i]:
            report.add(stage.source, "/stage", zh_en(f"阶段“{stage.stage}”重复了", f"stage '{stage.stage}' is listed twice"))
        elif stage.stage not in options:
            report.add(stage.source, "/stage", zh_en(f"“{stage.stage}”不是字段“{f.id}”的选项",
                                                     f"'{stage.stage}' is not an option of field '{f.id}'"),
                       closest(stage.stage, [o for o in options if o not in names]))
        _check_stage(form, stage, names, report)
    missing = [o for o in options if o not in names]
    if missing:
        report.add(p.source, "/stages", zh_en(f"字段“{f.id}”的这些选项没有对应的阶段:{'、'.join(missing)};"
                                              "请把每个选项都列为一个阶段",
                                              f"options of field '{f.id}' without a stage: {', '.join(missing)}; "
                                              "list every option as a stage"))


def _check_stage(form: FormDef, stage: StageDef, names: list[str], report: Any) -> None:
    for i, target in enumerate(stage.to or ()):
        if target not in names:
            report.add(stage.source, f"/to/{i}", zh_en(f"未知阶段“{target}”", f"unknown stage '{target}'"),
                       closest(target, names))
    for i, field_id in enumerate(stage.require):
        required = form.field(field_id)
        if required is None:
            report.add(stage.source, f"/require/{i}", unknown_field_in(field_id, form.id),
                       closest(field_id, form.field_ids()))
        elif required.type in COMPUTED_TYPES or required.formula:
            report.add(stage.source, f"/require/{i}", zh_en(f"字段“{field_id}”是计算得出的;阶段只能要求填写由人填写的字段",
                                                            f"field '{field_id}' is computed; a stage can only "
                                                            "require fields people fill in"))


def _check_probability_field(form: FormDef, p: PipelineDef, report: Any) -> None:
    target = form.field(p.probability_field or "")
    if target is None:
        report.add(p.source, "/probability_field", unknown_field_in(str(p.probability_field), form.id),
                   closest(str(p.probability_field), [x.id for x in form.fields if x.type in PROBABILITY_TYPES]))
    elif target.type not in PROBABILITY_TYPES:
        allowed = "、".join(type_label_zh(t) for t in sorted(PROBABILITY_TYPES))
        report.add(p.source, "/probability_field", zh_en(f"字段“{target.id}”是{type_label_zh(target.type)}字段;"
                                                         f"赢单概率只能用:{allowed}",
                                                         f"field '{target.id}' is a {target.type} field; the "
                                                         f"probability needs one of: "
                                                         f"{', '.join(sorted(PROBABILITY_TYPES))}"))
    elif target.formula:
        report.add(p.source, "/probability_field", zh_en(f"字段“{target.id}”是公式;请去掉 probability_field,让公式随阶段计算,"
                                                         "或者去掉公式",
                                                         f"field '{target.id}' is a formula; leave probability_field "
                                                         "out and let the formula follow the stage, or drop the "
                                                         "formula"))

