"""Designer drafts: each admin edits a private draft of a document by small operations, saved on the server with
every step (undo, redo), checked against the whole workspace, and published with a plan.

Two admins may draft the same document. Publishing a draft whose base is no longer the latest version merges the
two edits when they touch different fields (engine.definitions.changes.merge) and is refused, naming what the
other publish changed, when they do not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.definitions.changes import FieldChange, document_data, field_changes, merge
from engine.definitions.editing import EditContext, edit_text
from engine.definitions.loader import load_sources
from engine.definitions.typechange import type_change_problems
from engine.errors import DefinitionError, FormworkError, Problem
from engine.i18n import LANGUAGES, I18n, text, zh_en
from engine.storage import documents
from engine.storage import drafts as stored
from engine.storage.database import read_transaction, write_transaction
from engine.storage.sync import Plan

if TYPE_CHECKING:
    from engine.workspace import PublishResult, Workspace


KEPT_CHECKS = 16  # checked draft texts kept (the latest few of each admin at work)


@dataclass(frozen=True)
class Draft:
    path: str
    user_id: int
    base_version: int | None
    text: str
    can_undo: bool
    can_redo: bool
    updated_at: datetime

    @property
    def is_new(self) -> bool:
        return self.base_version is None

    @cached_property
    def doc(self) -> dict[str, Any]:
        """The draft as plain data ({} while it is not a readable YAML map); read once per Draft."""
        return document_data(self.text)


@dataclass(frozen=True)
class DraftProblem:
    """A problem of the draft: where (JSON pointer), at which field or rule, and what."""

    pointer: str
    field: str | None
    rule: int | None
    message: I18n  # in zh and en, with the likely correction when there is one
    file: str = ""

    def text(self, lang: str = "en") -> str:
        """The problem in `lang`."""
        return text(self.message, lang)


@dataclass(frozen=True)
class Conflict:
    """Another admin published the document after this draft began."""

    fields: tuple[str, ...]  # the units the other publish changed (field ids, or keys such as "layout")
    conflicting: tuple[str, ...]  # the ones this draft changed too, differently
    author: str | None
    at: datetime | None
    version: int

    @property
    def mergeable(self) -> bool:
        return not self.conflicting


@dataclass(frozen=True)
class DraftPlan:
    """What publishing the draft would do."""

    text: str  # what would be published (the draft, or the draft merged with the other publish)
    conflict: Conflict | None
    problems: list[DraftProblem]
    schema: Plan | None
    impacts: list[Any]
    changes: list[FieldChange]

    @property
    def publishable(self) -> bool:
        return not self.problems and (self.conflict is None or self.conflict.mergeable)


class DraftConflict(FormworkError):
    """The draft and another admin's publish changed the same fields: nothing was published."""

    def __init__(self, conflict: Conflict):
        self.conflict = conflict
        who = conflict.author or "another admin"
        super().__init__(f"{who} published version {conflict.version} meanwhile and changed "
                         f"{', '.join(conflict.conflicting)} too; reload their version and make your change again")


class NoDraft(FormworkError):
    """There is nothing to undo, redo or publish."""


class DraftService:
    """Drafts of one workspace's documents."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self._lock = threading.Lock()
        self._problems: dict[tuple[object, str, str], tuple[Any, tuple[DraftProblem, ...]]] = {}

    # -- reading and editing ---------------------------------------------------------------------------------

    def open(self, path: str, user_id: int, *, follow: bool = False) -> Draft:
        """The admin's draft of `path`, started from the latest published text if there is none.

        With `follow` (the designer's page drawn anew), an untouched draft — no step of the admin's in it — whose
        base is no longer the latest version starts again from the latest: it holds nothing to keep, and the page
        then shows what is published now (after a rollback, or another admin's publish). An edit never follows:
        it was made on the page the admin saw, and a publish since is named as a conflict."""
        with write_transaction(self.ws.engine) as conn:
            row = stored.find(conn, path, user_id)
            if follow and row is not None and row["first"] == row["last"] and row["base_version"] is not None:
                latest = documents.latest_version(conn, path)
                if latest is not None and latest["text"] is not None \
                        and int(str(latest["version"])) != int(row["base_version"]):
                    stored.remove(conn, path, user_id)
            return _draft(self._opened(conn, path, user_id))

    def _opened(self, conn: Any, path: str, user_id: int) -> dict[str, Any]:
        """The stored draft row, created from the latest published text when there is none."""
        row = stored.find(conn, path, user_id)
        if row is None:
            latest = documents.latest_version(conn, path)
            if latest is None or latest["text"] is None:
                raise NoDraft(f"no document '{path}' is published; create it first")
            stored.create(conn, path, user_id, int(str(latest["version"])), str(latest["text"]), self.ws.now())
            row = stored.find(conn, path, user_id)
        assert row is not None
        return row

    def peek(self, path: str, user_id: int) -> Draft:
        """The admin's draft, or — without storing one — the latest published text as a draft would show it
        (what a page that only reads uses: looking is not editing)."""
        with read_transaction(self.ws.engine) as conn:
            row = stored.find(conn, path, user_id)
            latest = documents.latest_version(conn, path) if row is None else None
        if row is not None:
            return _draft(row)
        if latest is None or latest["text"] is None:
            raise NoDraft(f"no document '{path}' is published; create it first")
        return Draft(path, user_id, int(str(latest["version"])), str(latest["text"]), False, False,
                     _time(latest.get("created_at")) or self.ws.now())

    def find(self, path: str, user_id: int) -> Draft | None:
        """The admin's draft of `path`, if they have one (nothing is created)."""
        with read_transaction(self.ws.engine) as conn:
            row = stored.find(conn, path, user_id)
        return _draft(row) if row else None

    def create(self, path: str, user_id: int, text: str) -> Draft:
        """A draft of a document that is not published yet (its first version will be the draft)."""
        with write_transaction(self.ws.engine) as conn:
            latest = documents.latest_version(conn, path)
            if latest is not None and latest["text"] is not None:
                raise DefinitionError([Problem(path, 0, "", zh_en("这个路径已有发布的文档",
                                                                  "a document with this path is already published"))])
            stored.remove(conn, path, user_id)
            stored.create(conn, path, user_id, None, text, self.ws.now())
            row = stored.find(conn, path, user_id)
        assert row is not None
        return _draft(row)

    def edit(self, path: str, user_id: int, op: dict[str, Any]) -> Draft:
        """Apply one operation to the admin's draft (EditError when it cannot be applied; nothing saved)."""
        with write_transaction(self.ws.engine) as conn:
            row = self._opened(conn, path, user_id)
            published = documents.latest_version(conn, path)
            context = EditContext(_field_ids(published["text"] if published else None))
            text = edit_text(row["text"], path, op, context)
            if text != row["text"]:
                stored.add_step(conn, row, text, dict(op), self.ws.now())
            return _draft(self._opened(conn, path, user_id))

    def undo(self, path: str, user_id: int) -> Draft:
        return self._move(path, user_id, -1)

    def redo(self, path: str, user_id: int) -> Draft:
        return self._move(path, user_id, +1)

    def _move(self, path: str, user_id: int, by: int) -> Draft:
        with write_transaction(self.ws.engine) as conn:
            row = stored.find(conn, path, user_id)
            if row is None:
                raise NoDraft(f"there is no draft of '{path}'")
            step = int(row["position"]) + by
            if row["first"] <= step <= row["last"]:
                stored.move(conn, row, step, self.ws.now())
                row = stored.find(conn, path, user_id)
        assert row is not None
        return _draft(row)

    def discard(self, path: str, user_id: int) -> None:
        with write_transaction(self.ws.engine) as conn:
            stored.remove(conn, path, user_id)

    def of_user(self, user_id: int) -> list[dict[str, Any]]:
        with read_transaction(self.ws.engine) as conn:
            return stored.of_user(conn, user_id)

    # -- checking and publishing -----------------------------------------------------------------------------

    def problems(self, draft: Draft, text: str | None = None) -> list[DraftProblem]:
        """Every problem of the workspace with the draft (or `text`) in place of the published document.

        Kept for the same text over the same published documents: the designer asks again on the page that follows
        each edit, and a whole-workspace check is most of that page's time."""
        text = draft.text if text is None else text
        key = (self.ws.stored_mark(), draft.path, text)
        with self._lock:
            kept = self._problems.get(key)
        if kept is not None and kept[0] is self.ws.definitions:
            return list(kept[1])
        definitions = self.ws.definitions
        result = load_sources({**self.ws.sources(), draft.path: text})
        data = document_data(text)
        found = result.problems or type_change_problems(definitions, result.definitions)
        located = [_located(p, draft.path, data) for p in found]
        with self._lock:
            self._problems[key] = (definitions, tuple(located))
            while len(self._problems) > KEPT_CHECKS:
                self._problems.pop(next(iter(self._problems)))
        return located

    def plan(self, path: str, user_id: int) -> DraftPlan:
        """What publishing the admin's draft would do: conflict, problems, schema steps, data impacts, changes."""
        draft, text, conflict, latest_text = self._resolved(path, user_id)
        problems = self.problems(draft, text)
        schema, impacts = self._publish_plan(path, text) if not problems else (None, [])
        return DraftPlan(text, conflict, problems, schema, impacts, field_changes(latest_text, text))

    def _resolved(self, path: str, user_id: int) -> tuple[Draft, str, Conflict | None, str | None]:
        """The draft, the text publishing it would store (merged with another admin's publish since it began),
        that publish as a Conflict (None: the draft's base is the latest version) and the latest text."""
        draft = self.find(path, user_id)
        if draft is None:
            raise NoDraft(f"there is no draft of '{path}'")
        with read_transaction(self.ws.engine) as conn:
            latest = documents.latest_version(conn, path)
            base_text = documents.text_of(conn, path, draft.base_version) if draft.base_version else None
        text, conflict = draft.text, None
        latest_version = int(str(latest["version"])) if latest else None
        latest_text = latest["text"] if latest else None
        if latest is not None and latest_version != draft.base_version:
            if base_text is None or latest_text is None:
                # the document was created, or removed, by someone else since the draft began
                conflict = Conflict(("document",), ("document",), _str(latest.get("author")),
                                    _time(latest.get("created_at")), int(str(latest_version)))
            else:
                merged = merge(base_text, str(latest_text), draft.text, path)
                conflict = Conflict(merged.theirs, merged.conflicts, _str(latest.get("author")),
                                    _time(latest.get("created_at")), int(str(latest_version)))
                text = merged.text or draft.text
        return draft, text, conflict, str(latest_text) if latest_text is not None else None

    def _publish_plan(self, path: str, text: str) -> tuple[Plan | None, list[Any]]:
        try:
            planned = self.ws.publish_plan({path: text})  # reads only: no write lock for a look
        except DefinitionError:
            return None, []
        return planned.schema, planned.impacts

    def publish(self, path: str, user_id: int, note: str = "", *, accept_losses: bool = False,
                _retried: bool = False) -> PublishResult:
        """Publish the admin's draft (merged with any other publish since it began) and remove the draft.

        DraftConflict when the other publish changed the same fields; DefinitionError when the result has problems.
        """
        draft, text, conflict, _ = self._resolved(path, user_id)
        if conflict is not None and not conflict.mergeable:
            raise DraftConflict(conflict)
        from engine.workspace import StaleDocument  # the workspace imports this module

        expected = conflict.version if conflict else draft.base_version
        try:  # the workspace checks the result (DefinitionError) and measures the losses, as for any publish
            result = self.ws.publish({path: text}, author_id=user_id, comment=note, expect={path: expected},
                                     accept_losses=accept_losses)
        except StaleDocument:
            if _retried:
                raise
            return self.publish(path, user_id, note, accept_losses=accept_losses, _retried=True)
        with write_transaction(self.ws.engine) as conn:
            stored.remove(conn, path, user_id)
        return result


def _draft(row: dict[str, Any]) -> Draft:
    return Draft(str(row["path"]), int(row["user_id"]), row["base_version"], str(row["text"]),
                 int(row["position"]) > int(row["first"]), int(row["position"]) < int(row["last"]),
                 row["updated_at"])


def _field_ids(text: Any) -> frozenset[str]:
    """The ids of a published form's fields, and `sub.col` for its subforms' columns."""
    data = document_data(str(text)) if text else {}
    ids: set[str] = set()
    for f in data.get("fields") or []:
        if isinstance(f, dict) and "id" in f:
            ids.add(str(f["id"]))
            for c in f.get("fields") or []:
                if isinstance(c, dict) and "id" in c:
                    ids.add(f"{f['id']}.{c['id']}")
    return frozenset(ids)


def _located(problem: Problem, path: str, data: dict[str, Any]) -> DraftProblem:
    """The field or rule a problem of the draft is at (problems of other documents keep only their text)."""
    if problem.file != path:
        return DraftProblem(problem.path, None, None, {lang: f"{problem.file}: {problem.text(lang)}" for lang in LANGUAGES},
                            problem.file)
    parts = [p for p in problem.path.split("/") if p]
    field, rule = None, None
    if len(parts) >= 2 and parts[0] == "fields" and parts[1].isdigit():
        fields = data.get("fields") or []
        index = int(parts[1])
        if index < len(fields) and isinstance(fields[index], dict):
            field = str(fields[index].get("id"))
    elif len(parts) >= 2 and parts[0] == "rules" and parts[1].isdigit():
        rule = int(parts[1])
    return DraftProblem(problem.path, field, rule, {lang: problem.text(lang) for lang in LANGUAGES}, problem.file)



def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None
