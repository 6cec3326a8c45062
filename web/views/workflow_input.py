"""What the workflow pages and API read from a request — comment, handwritten signature, target user — checked
before the engine sees them, and the one way their refusals become a message in the reader's language."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from engine.errors import FieldError, FormworkError, RecordInvalid
from engine.records.comments import MAX_LENGTH
from engine.records.model import Actor
from engine.org.users import list_users
from engine.workspace import Workspace
from web.i18n import choose_language
from web.session import actor_of, current_user

PNG_DATA_URL = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_KB = 300


class BadInput(Exception):
    """A refused request value: a UI text key and its parameters."""

    def __init__(self, key: str, **params: Any):
        super().__init__(key)
        self.key, self.params = key, params


def comment_of(raw: Any) -> str:
    """A comment: trimmed text of at most MAX_LENGTH characters (BadInput beyond)."""
    value = str(raw or "").strip()
    if len(value) > MAX_LENGTH:
        raise BadInput("wf_comment_too_long", max=MAX_LENGTH)
    return value


def signature_of(raw: Any) -> str | None:
    """A drawn signature as a PNG data URL, or None when none was drawn; BadInput for anything else."""
    value = str(raw or "").strip()
    if not value:
        return None
    if not value.startswith(PNG_DATA_URL) or len(value) > MAX_SIGNATURE_KB * 1024:
        raise BadInput("wf_bad_signature", kb=MAX_SIGNATURE_KB)
    try:
        data = base64.b64decode(value[len(PNG_DATA_URL):], validate=True)
    except (binascii.Error, ValueError):
        raise BadInput("wf_bad_signature", kb=MAX_SIGNATURE_KB) from None
    if not data.startswith(PNG_MAGIC):
        raise BadInput("wf_bad_signature", kb=MAX_SIGNATURE_KB)
    return value


def shown_signature(value: Any) -> str | None:
    """A stored signature fit for an <img src> (PNG data URLs only)."""
    return value if isinstance(value, str) and value.startswith(PNG_DATA_URL) else None


def user_id_of(raw: Any) -> int | None:
    """A posted user id (None when empty or not a whole number; the engine names unknown users)."""
    value = str(raw if raw is not None else "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def message(exc: Exception, lang: str, t: Callable[[str], str]) -> str:
    """The text of a refusal in `lang`: BadInput, an engine error's catalogue message, or every field error."""
    if isinstance(exc, BadInput):
        return t(exc.key).format(**exc.params)
    if isinstance(exc, RecordInvalid):
        return "; ".join(e.message(lang) for errors in exc.errors.values() for e in errors)
    error = getattr(exc, "error", None)
    if isinstance(error, FieldError):
        return error.message(lang)
    return str(exc) if isinstance(exc, FormworkError) else t("bad_query")


def actor(request: Request) -> Actor:
    """The engine's view of the signed-in user."""
    return actor_of(current_user(request) or {}, choose_language(request))


def people(ws: Workspace, exclude: int | None = None) -> list[tuple[int, str]]:
    """(id, "Name (username)") of the active users, by name: the choices for transfer, add signer and reassign."""
    with ws.reading() as conn:
        found = [(int(u["id"]), f"{u['display_name']} ({u['username']})") for u in list_users(conn)
                 if u["active"] and int(u["id"]) != exclude]
    return sorted(found, key=lambda p: p[1])


def path_id(request: Request, name: str = "id") -> int:
    """A task or instance id from the URL; TaskNotFound beyond what an id column holds."""
    from engine.workflow.errors import TaskNotFound
    from web.api.input import MAX_ID

    value = request.path_params[name]
    number = int(value) if isinstance(value, int) or str(value).isdigit() else -1
    if not 1 <= number <= MAX_ID:
        raise TaskNotFound(value)
    return number
