"""The message a list shows after an action sent the user back to it (batch edit, print, save view…), with its kind:
success (green), warning (amber: nothing was done, e.g. no record ticked) or error (red: it failed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request

SUCCESS, WARNING, ERROR = "success", "warning", "error"
KINDS = (SUCCESS, WARNING, ERROR)


def notice(text: str, kind: str = SUCCESS, errors: Sequence[str] = ()) -> dict[str, Any]:
    """A notice as it travels in the session: its text, kind, and one line per record that was refused."""
    return {"text": text, "kind": kind if kind in KINDS else SUCCESS, "errors": list(errors)}


def list_notice(request: Request, text: str, kind: str = SUCCESS, errors: Sequence[str] = ()) -> None:
    """Leave a notice for the next list page this user sees."""
    request.session["list_notice"] = notice(text, kind, errors)


def outcome_kind(done: int, refused: int) -> str:
    """The kind of a notice on a batch that changed `done` records and refused `refused`."""
    return SUCCESS if not refused else WARNING if done else ERROR
