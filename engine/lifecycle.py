"""The life of definition documents outside the web editor: export, publish a folder, history, diff, rollback.

Path mapping: a folder published with prefix P is stored as `P/<path in the folder>` (as `template install` stores
`<template>/<path>`); prefix "" stores the folder's paths as they are. A folder written by `export` holds the stored
paths and a marker file (EXPORT_MARKER), so its default prefix is ""; any other folder's default is its own name.
Documents missing from the folder are kept unless pruning is asked for: then every stored document under the prefix
(every document, for prefix "") that the folder lacks is removed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from engine.definitions.loader import read_directory
from engine.storage import documents
from engine.storage.database import read_transaction

if TYPE_CHECKING:
    from engine.workspace import PublishResult, Workspace

EXPORT_MARKER = ".formwork-export"


class LifecycleError(Exception):
    """A request that cannot be done (a non-empty export folder, an unknown version…); the message says why."""


def safe_relative(path: str) -> PurePosixPath:
    """A stored path as a relative path that stays inside the folder it is written to."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or not rel.parts or any(part in ("", ".", "..") for part in rel.parts):
        raise LifecycleError(f"cannot export the document '{path}': its path leaves the export folder")
    return rel


def export_sources(sources: Mapping[str, str], target: Path, *, force: bool = False) -> list[Path]:
    """Write every document under `target` at its stored path; refuses a non-empty folder unless forced."""
    if target.exists() and not target.is_dir():
        raise LifecycleError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise LifecycleError(f"{target} is not empty; choose an empty folder or pass --force to overwrite its files")
    planned = [(target.joinpath(*safe_relative(path).parts), text) for path, text in sorted(sources.items())]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for file, text in planned:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(text.encode("utf-8"))
        written.append(file)
    (target / EXPORT_MARKER).write_text("Written by `formwork export`: paths are the stored paths; "
                                        "`formwork publish` stores them as they are.\n", encoding="utf-8")
    return written


def default_prefix(folder: Path) -> str:
    """"" for a folder written by export (stored paths), else the folder's own name."""
    return "" if (folder / EXPORT_MARKER).is_file() else folder.resolve().name


@dataclass(frozen=True)
class FolderChanges:
    """What publishing a folder would change in the stored documents."""

    changes: dict[str, str | None]
    added: list[str]
    changed: list[str]
    removed: list[str]


def folder_changes(folder: Path, current: Mapping[str, str], *, prefix: str, prune: bool = False) -> FolderChanges:
    """The document changes that publish `folder` under `prefix` (DefinitionError if it is not a folder)."""
    prefix = prefix.strip("/")
    read = {f"{prefix}/{path}" if prefix else path: text for path, text in read_directory(folder).items()}
    changes: dict[str, str | None] = {path: text for path, text in read.items() if current.get(path) != text}
    removed: list[str] = []
    if prune:
        removed = sorted(p for p in current if p not in read and (not prefix or p.startswith(prefix + "/")))
        changes.update({p: None for p in removed})
    added = sorted(p for p in read if p not in current)
    changed = sorted(p for p in read if p in current and current[p] != read[p])
    return FolderChanges(changes, added, changed, removed)


def history(ws: Workspace, path: str) -> list[dict[str, object]]:
    """Every stored version of one document, newest first (LifecycleError if the path was never stored)."""
    with read_transaction(ws.engine) as conn:
        rows = documents.history_of(conn, path)
    if not rows:
        raise LifecycleError(f"no document '{path}' is stored; `formwork export` shows the stored paths")
    return rows


def version_text(ws: Workspace, path: str, version: int) -> str | None:
    """The text of one version (None: that version removed the document)."""
    with read_transaction(ws.engine) as conn:
        try:
            return documents.text_of(conn, path, version)
        except LookupError:
            latest = documents.history_of(conn, path)
    if not latest:
        raise LifecycleError(f"no document '{path}' is stored; `formwork export` shows the stored paths")
    raise LifecycleError(f"{path} has no version {version}; its versions are 1 to {latest[0]['version']}")


def diff_versions(ws: Workspace, path: str, old: int | None = None, new: int | None = None) -> list[str]:
    """Unified diff between two versions of a document (default: the one before the latest, and the latest)."""
    latest = int(str(history(ws, path)[0]["version"]))
    new = latest if new is None else new
    old = new - 1 if old is None else old
    if old < 1:
        raise LifecycleError(f"{path} has only version {new}; nothing to compare it with")
    before, after = version_text(ws, path, old) or "", version_text(ws, path, new) or ""
    return list(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                     f"{path} (version {old})", f"{path} (version {new})"))


def rollback(ws: Workspace, path: str, version: int, *, note: str = "", author_id: int | None = None) -> PublishResult:
    """Publish an older version's text as a new version (records are kept); returns the PublishResult."""
    text = version_text(ws, path, version)
    return ws.publish({path: text}, author_id=author_id, comment=note or f"rollback {path} to version {version}")
