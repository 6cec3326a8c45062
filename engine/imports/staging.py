"""Uploads kept between the steps of an import (upload → mapping → preview → start may be separate requests on
different web hosts): a copy under the imports folder's `staged/` with a JSON sidecar naming its owner, original
file name and time. Only the owner gets it back; the ticker removes staged files after STAGED_HOURS."""

from __future__ import annotations

import json
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from engine.imports.job import folder

if TYPE_CHECKING:
    from engine.workspace import Workspace

TOKEN = re.compile(r"[0-9a-f]{32}")
STAGED_HOURS = 24


@dataclass(frozen=True)
class Staged:
    """An upload waiting for its import: its token, the kept copy, the name it was uploaded with, and when."""

    token: str
    path: Path
    filename: str
    created_at: datetime


def staging(ws: Workspace) -> Path:
    return folder(ws) / "staged"


def stage_upload(ws: Workspace, user_id: int, path: Path, filename: str, *, move: bool = False) -> str:
    """Keep the uploaded file `path` (copied, or moved with `move`) for `user_id`; returns its token."""
    token = secrets.token_hex(16)
    target = staging(ws) / f"{token}.upload"
    target.parent.mkdir(parents=True, exist_ok=True)
    if move:
        shutil.move(str(path), target)
    else:
        shutil.copyfile(path, target)
    sidecar = {"user": int(user_id), "filename": filename[:255], "created_at": ws.now().isoformat()}
    target.with_suffix(".json").write_text(json.dumps(sidecar), encoding="utf-8")
    return token


def staged(ws: Workspace, user_id: int, token: str) -> Staged | None:
    """The staged upload of `token` when it is `user_id`'s and still kept, else None."""
    if not TOKEN.fullmatch(token or ""):
        return None
    target = staging(ws) / f"{token}.upload"
    try:
        sidecar = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if int(sidecar.get("user") or 0) != int(user_id) or not target.exists():
        return None
    return Staged(token, target, str(sidecar.get("filename") or ""), datetime.fromisoformat(sidecar["created_at"]))


def discard_staged(ws: Workspace, user_id: int, token: str) -> None:
    """Remove a user's staged upload (after `start_import` copied it, or when they start over)."""
    found = staged(ws, user_id, token)
    if found is not None:
        found.path.unlink(missing_ok=True)
        found.path.with_suffix(".json").unlink(missing_ok=True)


def ticker(ws: Workspace) -> Callable[[sa.Connection, datetime, datetime], None]:
    """Remove staged uploads older than STAGED_HOURS."""
    def tick(conn: sa.Connection, previous: datetime, now: datetime) -> None:
        cutoff = now - timedelta(hours=STAGED_HOURS)
        for sidecar in staging(ws).glob("*.json"):
            try:
                created = datetime.fromisoformat(json.loads(sidecar.read_text(encoding="utf-8"))["created_at"])
            except (OSError, ValueError, KeyError):
                continue
            if created < cutoff:
                sidecar.with_suffix(".upload").unlink(missing_ok=True)
                sidecar.unlink(missing_ok=True)
    return tick
