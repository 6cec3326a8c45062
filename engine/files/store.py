"""Stored files: bytes under the workspace folder with a generated name, one row each in the `files` table."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.files.sniff import Kind
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import files

FILE_ID = re.compile(r"[0-9a-f]{32}")
UNSAFE_NAME = re.compile(r'[<>:"|?*]')
# Invisible characters a name must not hold: controls (C0, DEL, C1), format characters (bidirectional controls,
# zero-width spaces, BOM…; the joiners ZWNJ/ZWJ that Persian and emoji need stay) and line/paragraph separators.
INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))
JOINERS = frozenset("\u200c\u200d")
NAME_LIMIT = 200


@dataclass(frozen=True)
class StoredFile:
    """One row of the `files` table."""

    id: str
    name: str
    content_type: str
    size: int
    sha256: str
    storage_path: str
    created_by: int | None
    created_at: datetime

    def ref(self) -> dict[str, Any]:
        """The reference a file, image or signature field keeps: {id, name, size, type}."""
        return {"id": self.id, "name": self.name, "size": self.size, "type": self.content_type}

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def display_name(raw: str, kind: Kind) -> str:
    """A safe display name from the name the browser sent: no folders, reserved or invisible characters, so it
    reads as it is (`\u202egnp.exe` is kept as `gnp.exe`, its real extension, never shown as "exe.png")."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch in JOINERS or unicodedata.category(ch) not in INVISIBLE)
    name = UNSAFE_NAME.sub("_", name).strip().lstrip(".").strip()
    if len(name) > NAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:NAME_LIMIT - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:NAME_LIMIT]
    return name or "file" + kind.extensions[0]


class FileStore:
    """Keeps uploaded bytes under `root` (named by a random id, never by the uploaded name) and their rows."""

    def __init__(self, engine: Engine, root: Path, clock: Callable[[], datetime]):
        self.engine, self.root, self.clock = engine, root, clock

    def save(self, data: bytes, name: str, kind: Kind, user_id: int | None) -> StoredFile:
        """Store checked bytes; the row and the file exist together or not at all."""
        file_id = secrets.token_hex(16)
        relative = f"{file_id[:2]}/{file_id}"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
        stored = StoredFile(id=file_id, name=display_name(name, kind), content_type=kind.mime, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), storage_path=relative, created_by=user_id,
                            created_at=self.clock())
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(sa.insert(files).values(**stored.__dict__))
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The stored file with this id, or None (also for ids that cannot be ours)."""
        return self.many([file_id]).get(file_id)

    def many(self, ids: Iterable[str]) -> dict[str, StoredFile]:
        """Stored files by id, in one query; unknown or malformed ids are left out."""
        wanted = {i for i in ids if isinstance(i, str) and FILE_ID.fullmatch(i)}
        if not wanted:
            return {}
        with read_transaction(self.engine) as conn:
            rows = conn.execute(sa.select(files).where(files.c.id.in_(wanted))).all()
        return {r.id: StoredFile(**r._mapping) for r in rows}

    def path(self, stored: StoredFile) -> Path | None:
        """Where the bytes are, or None when missing or (from a tampered row) outside the store."""
        root = self.root.resolve()
        target = (root / stored.storage_path).resolve()
        return target if target.is_relative_to(root) and target.is_file() else None
