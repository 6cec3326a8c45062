"""Who is asking, kept in memory: users with their roles, viewers (departments and the tree below them) and API
tokens, so that a request costs one small query (the marks) instead of one to four.

Everything kept is used only under the marks it was loaded under (engine.storage.marks): database triggers move the
organisation mark on any change to users, departments, memberships or role members, and the tokens mark on any
revocation or deletion of a token, whichever process made it, so the next request after a change sees it. The marks
are read before what they guard, so a change landing in between makes the entry stale rather than hidden. Tokens are
also kept at most TOKEN_SECONDS (their expiry is checked on every use). A user (or a token's user) comes with their
viewer, kept under the same marks, so a request that builds its Actor from it reads the marks once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from engine.org.tokens import TokenRefused, TokenUse, authenticate_token
from engine.org.users import user_by_id
from engine.permissions.viewer import Viewer, load_viewer
from engine.storage.marks import IdentityMarks, identity_marks

KEPT = 4096  # entries per kind, least recently used first out
TOKEN_SECONDS = 30.0

K = TypeVar("K")
V = TypeVar("V")


class _Kept(Generic[K, V]):
    """A bounded map of values, each with the marks it was loaded under and when."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[K, tuple[object, float, V]] = OrderedDict()

    def get(self, key: K, marks: object, max_age: float | None = None) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] != marks or (max_age is not None and time.monotonic() - found[1] > max_age):
                return None
            self._items.move_to_end(key)
            return found[2]

    def put(self, key: K, marks: object, value: V) -> None:
        with self._lock:
            self._items[key] = (marks, time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > KEPT:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _copy(user: dict[str, Any]) -> dict[str, Any]:
    """The caller's own copy of a kept user: its fields and roles list (nested values are only ever read)."""
    return {**user, "roles": list(user.get("roles", []))}


class IdentityCache:
    """Users, viewers and API tokens of a workspace, loaded again whenever the marks they depend on moved."""

    def __init__(self, marks: Callable[[sa.Connection], IdentityMarks] = identity_marks,
                 on_definitions: Callable[[int], None] | None = None):
        self._read_marks = marks
        self._on_definitions = on_definitions  # told the definitions' mark each time the marks are read
        self._users: _Kept[int, dict[str, Any] | None] = _Kept()
        self._viewers: _Kept[int, Viewer | None] = _Kept()
        self._tokens: _Kept[str, TokenUse] = _Kept()

    def user(self, conn: sa.Connection, user_id: int) -> dict[str, Any] | None:
        """`user_by_id` (the users row with its roles), a copy of the caller's own; but for an administrator it
        also holds "viewer", the user as scopes see them, kept under the same reading of the marks (an Actor
        built from it needs no second reading for a department scope)."""
        org = self._marks(conn)[0]
        user = self._users.get(user_id, org)
        if user is None:
            user = user_by_id(conn, user_id)
            self._users.put(user_id, org, user)
        return self._with_viewer(conn, user, org) if user is not None else None

    def viewer(self, conn: sa.Connection, user_id: int) -> Viewer | None:
        """`load_viewer`: the user as scopes and conditions see them (None when there is no such user)."""
        return self._viewer(conn, user_id, self._marks(conn)[0])

    def _viewer(self, conn: sa.Connection, user_id: int, org: int) -> Viewer | None:
        viewer = self._viewers.get(user_id, org)
        if viewer is None:
            viewer = load_viewer(conn, user_id)
            self._viewers.put(user_id, org, viewer)
        return viewer

    def _with_viewer(self, conn: sa.Connection, user: dict[str, Any], org: int) -> dict[str, Any]:
        """A copy of a kept user with their viewer (administrators are never scoped: they go without)."""
        copy = _copy(user)
        if not user.get("is_admin"):
            copy["viewer"] = self._viewer(conn, int(user["id"]), org)
        return copy

    def token(self, conn: sa.Connection, token: str, now: datetime) -> TokenUse:
        """`authenticate_token`: the use of a usable token; TokenRefused says why a token cannot be used (refusals
        are never kept: a wrong token costs its query each time, as before)."""
        marks = self._marks(conn)
        key = hashlib.sha256(token.encode()).hexdigest()  # the secret itself is not kept as a key
        use = self._tokens.get(key, marks, TOKEN_SECONDS)
        if use is not None and use.expires_at is not None and use.expires_at <= now:
            raise TokenRefused("token_expired")
        if use is None:
            use = authenticate_token(conn, token, now)
            self._tokens.put(key, marks, use)
        return TokenUse(self._with_viewer(conn, use.user, marks[0]), use.token_id, use.last_used, use.expires_at)

    def token_touched(self, conn: sa.Connection, token: str, now: datetime) -> None:
        """Note that the token's last use was just written down (so it is written once a minute, not each time)."""
        key = hashlib.sha256(token.encode()).hexdigest()
        marks = self._marks(conn)
        use = self._tokens.get(key, marks, TOKEN_SECONDS)
        if use is not None:
            self._tokens.put(key, marks, TokenUse(use.user, use.token_id, now, use.expires_at))

    def _marks(self, conn: sa.Connection) -> tuple[int, int]:
        """(organisation, tokens) marks; the definitions' mark read with them goes to `on_definitions`."""
        marks = self._read_marks(conn)
        if self._on_definitions is not None:
            self._on_definitions(marks.definitions)
        return marks.org, marks.tokens

    def clear(self) -> None:
        """Forget everything kept."""
        for kept in (self._users, self._viewers, self._tokens):
            kept.clear()
