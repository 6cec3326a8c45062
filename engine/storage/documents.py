"""Definition documents stored in the database, every publish a new version of each changed file."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa

from engine.definitions.schemas import kind_of
from engine.definitions.yamlsource import parse_yaml
from engine.storage.system import documents, users


def current_sources(conn: sa.Connection) -> dict[str, str]:
    """The latest text of every document that has not been removed, by path."""
    latest = (sa.select(documents.c.path, sa.func.max(documents.c.version).label("v"))
              .group_by(documents.c.path).subquery())
    stmt = sa.select(documents.c.path, documents.c.text).join(
        latest, sa.and_(documents.c.path == latest.c.path, documents.c.version == latest.c.v))
    return {path: text for path, text in conn.execute(stmt) if text is not None}


def save_versions(conn: sa.Connection, changes: Mapping[str, str | None], author_id: int | None, now: datetime,
                  comment: str = "") -> list[str]:
    """Write a new version of each changed document (None removes it); returns the paths really changed."""
    current = current_sources(conn)
    versions = dict(conn.execute(sa.select(documents.c.path, sa.func.max(documents.c.version))
                                 .group_by(documents.c.path)).all())
    changed = []
    for path, text in sorted(changes.items()):
        if current.get(path) == text:
            continue
        kind = _kind(text, path) if text is not None else "removed"
        conn.execute(sa.insert(documents).values(
            path=path, kind=kind, version=int(versions.get(path) or 0) + 1, text=text,
            hash=hashlib.sha256((text or "").encode()).hexdigest(), author_id=author_id, comment=comment[:255],
            created_at=now,
        ))
        changed.append(path)
    return changed


def _kind(text: str, path: str) -> str:
    try:
        return kind_of(parse_yaml(text, path).data) or "unknown"
    except Exception:  # a document that cannot be parsed was refused before it got here
        return "unknown"


def history_of(conn: sa.Connection, path: str) -> list[dict[str, object]]:
    """Every stored version of one document, newest first, with the author's username (`author`, None if unknown)."""
    stmt = (sa.select(documents, users.c.username.label("author"))
            .select_from(documents.outerjoin(users, users.c.id == documents.c.author_id))
            .where(documents.c.path == path).order_by(documents.c.version.desc()))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def text_of(conn: sa.Connection, path: str, version: int) -> str | None:
    """The text of one version of a document (None: that version removed it); LookupError if there is no such one."""
    row = conn.execute(sa.select(documents.c.text)
                       .where(documents.c.path == path, documents.c.version == version)).first()
    if row is None:
        raise LookupError(f"{path} has no version {version}")
    text: str | None = row.text
    return text


def removed_under(conn: sa.Connection, prefix: str) -> list[dict[str, object]]:
    """Documents under `prefix` whose latest version removed them: path, version, author_id, created_at and the
    text of the last version that had one (`last_text`), ordered by path."""
    latest = (sa.select(documents.c.path, sa.func.max(documents.c.version).label("v"))
              .where(documents.c.path.startswith(prefix, autoescape=True)).group_by(documents.c.path).subquery())
    rows = conn.execute(sa.select(documents.c.path, documents.c.version, documents.c.author_id,
                                  documents.c.created_at)
                        .join(latest, sa.and_(documents.c.path == latest.c.path, documents.c.version == latest.c.v))
                        .where(documents.c.text.is_(None)).order_by(documents.c.path)).all()
    found = []
    for row in rows:
        last = conn.execute(sa.select(documents.c.text).where(documents.c.path == row.path,
                                                              documents.c.text.is_not(None))
                            .order_by(documents.c.version.desc()).limit(1)).scalar()
        if last is not None:
            found.append({**row._mapping, "last_text": last})
    return found


def latest_version(conn: sa.Connection, path: str) -> dict[str, object] | None:
    """The newest version of a document (number, text, author's username, time), None if never stored."""
    rows = history_of(conn, path)
    return rows[0] if rows else None
