"""Definition snapshots: the YAML text each instance started on, stored by hash and parsed once per process."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine.definitions.model import WorkflowDef
from engine.workflow.tables import wf_definitions

if TYPE_CHECKING:
    from engine.workspace import Workspace


class Snapshots:
    """Store the text of the workflow an instance starts on; give back the parsed definition of a hash."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self._parsed: dict[str, WorkflowDef] = {}

    def store(self, conn: sa.Connection, wf: WorkflowDef) -> str:
        """The hash of the workflow's current source text, inserted once."""
        source = self._source_text(conn, wf)
        digest = hashlib.sha256(source.encode()).hexdigest()
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(wf_definitions).values(hash=digest, workflow=wf.id, text=source)
                     .on_conflict_do_nothing(index_elements=["hash"]))
        self._parsed.setdefault(digest, wf)
        return digest

    def load(self, conn: sa.Connection, digest: str) -> WorkflowDef:
        """The definition an instance runs on (parsed from its stored text the first time)."""
        found = self._parsed.get(digest)
        if found is not None:
            return found
        row = conn.execute(sa.select(wf_definitions.c.text, wf_definitions.c.workflow)
                           .where(wf_definitions.c.hash == digest)).first()
        if row is None:
            raise LookupError(f"no stored workflow definition {digest[:12]}")
        from engine.definitions.loader import load_workflow_text

        wf = load_workflow_text(str(row.text), file=f"workflows/{row.workflow}.yaml")
        self._parsed[digest] = wf
        return wf

    def _source_text(self, conn: sa.Connection, wf: WorkflowDef) -> str:
        from engine.storage import documents

        sources = documents.current_sources(conn)
        text = sources.get(wf.source.file)
        if text is None:  # the definition names its file relative to a display root: find it by its end
            text = next((t for path, t in sources.items() if wf.source.file.endswith(path)
                         or path.endswith(f"workflows/{wf.id}.yaml")), None)
        if text is None:
            raise LookupError(f"the source of workflow '{wf.id}' is not stored")
        return text
