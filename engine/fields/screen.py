"""What a field type tells the screens about itself: what its ids refer to, and how it reads a posted form.

Pure: the web layer hands a posted form in through the small protocols below (Starlette's FormData fits
`Posted`), and field types answer; nothing here knows HTTP or templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any, Protocol

from engine.definitions.model import FieldDef

# What ids of a field refer to.
USER, DEPARTMENT, RECORD = "user", "department", "record"


@dataclass(frozen=True)
class Reference:
    """What a field's ids point at: workspace members, departments, or records of the form `form`."""

    kind: str  # USER, DEPARTMENT or RECORD
    form: str = ""  # the target form, for RECORD

    @property
    def key(self) -> str:
        """One key per set of things with the same ids: 'user', 'department' or 'form:<id>'."""
        return f"form:{self.form}" if self.kind == RECORD else self.kind


class Posted(Protocol):
    """Form data as posted: every value of a name, in page order (Starlette's FormData fits)."""

    def getlist(self, key: Any, /) -> list[Any]:
        """Every value posted under `key`, in page order."""

    def __contains__(self, key: Any, /) -> bool:
        """Whether anything was posted under `key`."""


class PostedFiles(Protocol):
    """Turns posted file ids and drawn signatures into file references (the web layer stores the files)."""

    def files(self, ids: list[str]) -> list[dict[str, Any]] | None:
        """References of the posted file ids (None for none)."""

    def signature(self, f: FieldDef, kept: str, drawn: str) -> Any:
        """A newly drawn signature stored as a file, else the kept one, else None."""


class BareFiles:
    """File references as posted, unchecked: what a live preview needs (nothing is stored)."""

    def files(self, ids: list[str]) -> list[dict[str, Any]] | None:
        """`{id, name: ''}` per posted id."""
        return [{"id": i, "name": ""} for i in ids] or None

    def signature(self, f: FieldDef, kept: str, drawn: str) -> Any:
        """The kept reference only."""
        return {"id": kept, "name": ""} if kept else None


@dataclass(frozen=True)
class PostedForm:
    """A posted form as field types read it: the data, the poster's time zone, and how files become references."""

    data: Posted
    tz: tzinfo
    files: PostedFiles = BareFiles()

    def text(self, name: str) -> str:
        """The (last) text posted under `name` ('' when nothing was)."""
        found = self.data.getlist(name)
        return str(found[-1]) if found else ""

    def values(self, name: str) -> list[str]:
        """The non-empty values posted under `name`."""
        return [str(v) for v in self.data.getlist(name) if v]


def input_text(value: Any) -> Any:
    """A typed value as an input holds it: ISO dates, plain decimals, lists of strings, mappings as they are."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, (Mapping, bool)):
        return value
    return str(value)


def local_moment(value: str, tz: tzinfo) -> str:
    """A date-time typed without an offset (as <input type=datetime-local> sends it) in the zone `tz`."""
    if not value:
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).isoformat()
