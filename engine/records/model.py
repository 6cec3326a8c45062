"""Who acts (Actor), what a record looks like to callers (Record), and one page of a list (Page)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.permissions.viewer import Viewer


@dataclass(frozen=True)
class Actor:
    """The user on whose behalf the engine acts; `system` bypasses nothing silently — it is explicit."""

    user_id: int | None
    department_id: int | None = None
    roles: frozenset[str] = frozenset()
    is_admin: bool = False
    system: bool = False
    language: str = "zh"
    timezone: str | None = None  # the user's IANA zone for filters and exports; None: the workspace's zone
    # the user as scopes see them (departments, attributes) when the caller has it already — the web reads it with
    # the signed-in user, under one reading of the identity marks; None: the engine loads it when a scope needs it
    viewer: Viewer | None = field(default=None, compare=False, repr=False)

    @classmethod
    def system_actor(cls) -> Actor:
        """The engine itself (installs, migrations, automations)."""
        return cls(user_id=None, system=True, is_admin=True)


@dataclass(slots=True)
class Record:
    """A record as the engine returns it: field values (parsed Python values) plus system columns."""

    form: str
    id: int
    version: int
    values: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime
    created_by: int | None = None
    updated_by: int | None = None
    owner_id: int | None = None
    department_id: int | None = None
    deleted_at: datetime | None = None
    wf_state: str | None = None

    def __getitem__(self, field_id: str) -> Any:
        return self.values[field_id]

    def get(self, field_id: str, default: Any = None) -> Any:
        return self.values.get(field_id, default)

    def system(self) -> dict[str, Any]:
        """The system columns as a mapping (for formulas and JSON)."""
        return {
            "id": self.id, "version": self.version, "created_at": self.created_at, "updated_at": self.updated_at,
            "created_by": self.created_by, "updated_by": self.updated_by, "owner_id": self.owner_id,
            "department_id": self.department_id, "deleted_at": self.deleted_at, "wf_state": self.wf_state,
        }


@dataclass(frozen=True)
class Page:
    """One page of a list: records, the cursor of the next page (None at the end), and the total if asked. A total
    counted up to a cap (Query.total_cap) that more records match is the cap with `total_exact` False ("10,000+")."""

    records: list[Record]
    next_cursor: str | None = None
    total: int | None = None
    total_exact: bool = True


@dataclass(frozen=True)
class Filter:
    """`field op value`, e.g. Filter("amount", "gt", 1000) or Filter("created_at", "last_n_days", 7)."""

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Query:
    """What to list: filters (all must hold), quick search, sort keys, page size, and where the page starts: `offset`
    rows skipped (at most MAX_OFFSET in engine.records.query, numbered pages) after the keyset cursor `after`."""

    filters: tuple[Filter, ...] = ()
    search: str | None = None
    sort: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    limit: int = 50
    after: str | None = None
    offset: int = 0
    with_total: bool = False
    total_cap: int | None = None  # count at most this many (a big list says "10,000+"); None: the exact number
    deleted: bool = False  # True: list the recycle bin instead of live records
    with_children: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)
