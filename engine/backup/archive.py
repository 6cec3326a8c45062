"""The archive: a tar.gz of a staged folder plus manifest.json (format, versions, database kind, every file's
SHA-256 and size); reading it back checks every member against the manifest before anything is used."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from engine.backup.errors import BackupError

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Manifest:
    """What an archive holds: its format, who wrote it, the database kind and every member's checksum and size."""

    format: int
    formwork_version: str
    database: str
    created_at: str
    files: dict[str, dict[str, Any]]
    missing_files: tuple[str, ...] = ()

    def to_json(self) -> str:
        data = {"format": self.format, "formwork_version": self.formwork_version, "database": self.database,
                "created_at": self.created_at, "files": self.files, "missing_files": list(self.missing_files)}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, raw: bytes, archive: Path) -> Manifest:
        try:
            data = json.loads(raw)
            return cls(int(data["format"]), str(data["formwork_version"]), str(data["database"]),
                       str(data["created_at"]), dict(data["files"]), tuple(data.get("missing_files") or ()))
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{archive}：manifest.json 无法读取（{exc}）",
                              f"{archive}: manifest.json cannot be read ({exc})") from None


def checksum(path: Path) -> dict[str, Any]:
    """The SHA-256 and size of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def staged_files(folder: Path) -> Iterator[str]:
    """Every file under `folder` as a relative POSIX path, sorted."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path.relative_to(folder).as_posix()


def write(folder: Path, manifest: Manifest, target: Path) -> None:
    """Pack `folder` and the manifest into `target` (written aside, then renamed; readable by its owner only)."""
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")  # two writers never share one
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = manifest.to_json().encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
            for name in manifest.files:
                tar.add(folder / name, arcname=name, recursive=False)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _damaged(archive: Path, detail: object) -> BackupError:
    return BackupError(f"{archive} 不是 Formwork 备份或已损坏（{detail}）",
                       f"{archive} is not a Formwork backup or is damaged ({detail})")


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(path.parts) and not path.is_absolute() and all(p not in ("", ".", "..") for p in path.parts)


def read(archive: Path, into: Path) -> Manifest:
    """Unpack `archive` under `into`, checking every member against the manifest (names, sizes, SHA-256)."""
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}", f"no backup file {archive}")
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            return _unpack(tar, archive, into)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _damaged(archive, exc) from None


def _unpack(tar: tarfile.TarFile, archive: Path, into: Path) -> Manifest:
    manifest: Manifest | None = None
    seen: set[str] = set()
    for member in tar:
        if member.isdir():
            continue
        if not member.isfile() or not _safe(member.name):
            raise _damaged(archive, f"unexpected member {member.name!r}")
        source = tar.extractfile(member)
        if source is None:
            raise _damaged(archive, f"unreadable member {member.name!r}")
        if member.name == MANIFEST:
            manifest = Manifest.from_json(source.read(), archive)
            continue
        if manifest is None:
            raise _damaged(archive, "manifest.json is not the first member")
        expected = manifest.files.get(member.name)
        if expected is None:
            raise _damaged(archive, f"{member.name} is not in the manifest")
        found = _extract(source, into / member.name)
        if found != {"sha256": expected.get("sha256"), "size": expected.get("size")}:
            raise BackupError(f"{archive}：{member.name} 的校验和与清单不符，文件已损坏",
                              f"{archive}: {member.name} does not match its checksum in the manifest; it is damaged")
        seen.add(member.name)
    if manifest is None:
        raise _damaged(archive, "no manifest.json")
    missing = sorted(set(manifest.files) - seen)
    if missing:
        raise _damaged(archive, f"{missing[0]} is listed in the manifest but missing")
    if manifest.format > FORMAT:
        raise BackupError(f"{archive} 是更新版本的备份格式（{manifest.format}），请先升级 Formwork",
                          f"{archive} has a newer backup format ({manifest.format}); upgrade Formwork first")
    return manifest


def _extract(source: Any, target: Path) -> dict[str, Any]:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}
