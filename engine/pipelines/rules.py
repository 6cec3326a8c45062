"""The pure rules of a stage pipeline: whether a move is allowed and what entering a stage needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.definitions.model import FieldDef, FormDef, PipelineDef
from engine.errors import FieldError
from engine.i18n import I18n, LANGUAGES, text

IsEmpty = Callable[[str, Any], bool]  # (field id, value) → whether the value counts as empty
SEPARATORS = {"zh": "、", "en": ", "}


def stage_label(f: FieldDef, value: str) -> I18n:
    """The label of a stage: its select option's label, or the value itself."""
    for option in f.get("options") or []:
        if isinstance(option, Mapping) and str(option.get("value")) == value:
            return option.get("label") or value
        if not isinstance(option, Mapping) and str(option) == value:
            return value
    return value


def _labels(f: FieldDef, values: tuple[str, ...]) -> dict[str, str]:
    return {lang: SEPARATORS[lang].join(text(stage_label(f, v), lang) for v in values) for lang in LANGUAGES}


def move_errors(pipeline: PipelineDef, form: FormDef, old: str | None, new: str | None, values: Mapping[str, Any],
                is_empty: IsEmpty) -> dict[str, list[FieldError]]:
    """Field errors for moving a record from stage `old` (None: a new record, or no stage yet) to `new`:
    a move the pipeline does not allow (on the stage field, naming the allowed stages) and the entry
    requirements of `new` that `values` leave empty (on those fields)."""
    f = form.field(pipeline.field)
    if f is None or not new or old == new:
        return {}
    errors: dict[str, list[FieldError]] = {}
    if old and pipeline.stage(old) is not None and new not in pipeline.next_stages(old):
        allowed = pipeline.next_stages(old)
        params: dict[str, Any] = {"label": f.label, "from": stage_label(f, old), "to": stage_label(f, new)}
        if allowed:
            errors[f.id] = [FieldError("stage_not_allowed", {**params, "allowed": _labels(f, allowed)})]
        else:
            errors[f.id] = [FieldError("stage_final", params)]
    stage = pipeline.stage(new)
    for field_id in stage.require if stage else ():
        required = form.field(field_id)
        if required is not None and is_empty(field_id, values.get(field_id)):
            errors.setdefault(field_id, []).append(
                FieldError("stage_requires", {"label": required.label, "stage": stage_label(f, new)}))
    return errors


def probability_of(pipeline: PipelineDef, stage: str | None) -> float | None:
    """The probability of a stage (None when the stage sets none)."""
    found = pipeline.stage(stage) if stage else None
    return found.probability if found else None
