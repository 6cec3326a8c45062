"""Engine exceptions. They carry data, know nothing of HTTP, and render in zh and en."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.i18n import I18n, message, text, zh_en


class FormworkError(Exception):
    """Base of every error the engine raises on purpose."""


def suggestion_hint(suggestion: str | None, lang: str) -> str:
    """What follows a message that has a likely correction: " (did you mean 'x'?)" / ",是否想写“x”?"."""
    if not suggestion:
        return ""
    return f",是否想写“{suggestion}”?" if lang == "zh" else f" (did you mean '{suggestion}'?)"


@dataclass(frozen=True)
class Problem:
    """One problem found in a definition: where it is and what is wrong, `message` in zh and en (`zh_en`)."""

    file: str
    line: int
    path: str
    message: I18n
    suggestion: str | None = None

    def text(self, lang: str = "en") -> str:
        """The message in `lang`, with the likely correction if there is one."""
        return text(self.message, lang) + suggestion_hint(self.suggestion, lang)

    def describe(self, lang: str = "en") -> str:
        """`file:line /path: message` in `lang`, as the CLI prints it."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} {self.path or '/'}: {self.text(lang)}"

    def __str__(self) -> str:
        return self.describe("en")


class DefinitionError(FormworkError):
    """Definitions are invalid; holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def text(self, lang: str = "en") -> str:
        """Every problem, one a line, in `lang`."""
        return "\n".join(p.describe(lang) for p in self.problems)


class PublishRefused(DefinitionError):
    """A publish would lose stored values or cannot succeed on them (engine.definitions.impact); nothing was
    written. `impacts` holds every measured impact, the blocking ones also as problems at their fields."""

    def __init__(self, problems: list[Problem], impacts: list[Any]):
        self.impacts = impacts
        super().__init__(problems)


@dataclass(frozen=True)
class FieldError:
    """A problem with one field's value: a catalogue code plus the values its message needs."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return message(self.code, lang, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": {"zh": self.message("zh"), "en": self.message("en")}}


class FieldValueError(FormworkError):
    """Raised by a field type when a raw value cannot be parsed or is out of bounds."""

    def __init__(self, code: str, **params: Any):
        self.error = FieldError(code, params)
        super().__init__(self.error.message("en"))


class RecordInvalid(FormworkError):
    """A write was refused; `errors` maps a field path (e.g. `items[2].qty`, or `` for the record) to errors."""

    def __init__(self, errors: Mapping[str, list[FieldError]]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k or 'record'}: {e.message('en')}" for k, v in self.errors.items() for e in v))

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {path: [e.as_dict() for e in errs] for path, errs in self.errors.items()}


class Conflict(FormworkError):
    """Optimistic locking: the record's version is not the one the writer read."""

    def __init__(self, form: str, record_id: int, expected: int, actual: int, current: Mapping[str, Any] | None = None):
        self.form, self.record_id, self.expected, self.actual = form, record_id, expected, actual
        self.current = current
        self.error = FieldError("conflict", {"expected": expected, "actual": actual})
        super().__init__(self.error.message("en"))


class NotFound(FormworkError):
    """No live record with this id in this form."""

    def __init__(self, form: str, record_id: Any):
        self.form, self.record_id = form, record_id
        self.error = FieldError("record_not_found", {"form": form, "id": record_id})
        super().__init__(self.error.message("en"))


class PermissionDenied(FormworkError):
    """The actor may not do this."""

    def __init__(self, actor: Any, action: str, target: str):
        self.actor, self.action, self.target = actor, action, target
        self.error = FieldError("permission_denied", {"action": f"{action} {target}"})
        super().__init__(self.error.message("en"))


class QueryInvalid(FormworkError):
    """A list query names an unknown field, an operator the field lacks, a bad value or cursor."""

    def __init__(self, code: str, **params: Any):
        self.error = FieldError(code, params)
        super().__init__(self.error.message("en"))


class FormulaError(FormworkError):
    """A formula failed to parse, type-check or evaluate; `message` in zh and en (`zh_en`), `position` a 0-based
    offset or None; `code` the spreadsheet error value (`#DIV/0!`) a failed evaluation step stands for."""

    def __init__(self, message: I18n, position: int | None = None, source: str | None = None, *,
                 code: str | None = None):
        self.message, self.position, self.source, self.code = message, position, source, code
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The message in `lang` with where in the formula it is (counted from 1)."""
        if self.position is None:
            return text(self.message, lang)
        if lang == "zh":
            return f"{text(self.message, lang)}(第 {self.position + 1} 个字符处)"
        return f"{text(self.message, lang)} at position {self.position + 1}"

    def in_formula(self, zh_what: str, en_what: str, source: str) -> dict[str, str]:
        """The problem of a definition's formula: `formula 'a +': <message> at position 3`, in zh and en."""
        return zh_en(f"{zh_what}“{source}”:{self.text('zh')}", f"{en_what} '{source}': {self.text('en')}")
