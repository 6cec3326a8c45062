"""Take a backup of a running workspace, and restore one into an empty workspace.

Archive layout: manifest.json; database/<formwork.db | formwork.dump>; files/<storage path> (the uploaded bytes, as
the files table of the snapshot lists them); definitions/<stored path> (the current documents as YAML, for people and
git — restore takes them from the database); config.json (the settings, the secret included: sessions and tokens stay
valid, so the archive is as sensitive as the workspace itself; the database URL is left out, the restore sets it).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from engine import __version__
from engine.backup import archive
from engine.backup.databases import KINDS, kind_of
from engine.backup.errors import BackupError
from engine.lifecycle import export_sources
from engine.settings import CONFIG_FILE, Settings
from engine.storage import documents
from engine.storage.system import files

if TYPE_CHECKING:
    from engine.workspace import Workspace

FILES = "files"  # the folder under the workspace home where FileStore keeps uploaded bytes
LEFT_OUT = ("home", "database_url", "database_replica_url")  # where this copy runs, not what it holds


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote: the archive, its manifest, and files listed in the database but absent on disk."""

    path: Path
    manifest: archive.Manifest

    @property
    def file_count(self) -> int:
        return sum(1 for name in self.manifest.files if name.startswith(FILES + "/"))


def create_backup(ws: Workspace, target: Path, checkpoint: Callable[[], None] = lambda: None) -> BackupResult:
    """Write one archive of the workspace at `target` while it keeps running (a consistent database snapshot);
    `checkpoint` is called between steps (a job extends its lease there)."""
    target = target.expanduser().resolve()
    try:
        return _write_backup(ws, target, checkpoint)
    except OSError as exc:
        raise BackupError(f"无法写入备份 {target}：{exc.strerror or exc}",
                          f"cannot write the backup {target}: {exc.strerror or exc}") from None


def _write_backup(ws: Workspace, target: Path, checkpoint: Callable[[], None]) -> BackupResult:
    kind = KINDS[ws.engine.dialect.name]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".formwork-backup-", dir=target.parent) as tmp:
        stage = Path(tmp)
        (stage / "database").mkdir()
        with kind.snapshot(ws.engine, stage / "database" / kind.dump_name) as conn:
            sources = documents.current_sources(conn)
            stored = conn.execute(sa.select(files.c.storage_path)).scalars().all()
        checkpoint()
        export_sources(sources, stage / "definitions")
        missing = _copy_files(ws.settings.home_path / FILES, stage / FILES, [str(p) for p in stored], checkpoint)
        config = {k: v for k, v in ws.settings.values.items() if k not in LEFT_OUT}
        (stage / CONFIG_FILE).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        listed = {name: archive.checksum(stage / name) for name in archive.staged_files(stage)}
        manifest = archive.Manifest(archive.FORMAT, __version__, kind.name, ws.now().isoformat(), listed,
                                    tuple(missing))
        checkpoint()
        archive.write(stage, manifest, target)
    return BackupResult(target, manifest)


def _copy_files(root: Path, into: Path, stored: list[str], checkpoint: Callable[[], None]) -> list[str]:
    """Copy the stored files the snapshot lists; returns those missing on disk (the backup goes on without them)."""
    missing = []
    base = root.resolve()
    for count, relative in enumerate(sorted(stored), 1):
        if count % 500 == 0:
            checkpoint()
        source = (base / relative).resolve()
        if not source.is_relative_to(base) or not source.is_file():
            missing.append(relative)
            continue
        copy = into / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, copy)  # uploads are never rewritten in place: a hard link is a free, stable copy
        except OSError:  # another file system (or links not allowed)
            shutil.copyfile(source, copy)
    return missing


@dataclass(frozen=True)
class RestoreResult:
    """What a restore brought back."""

    home: Path
    manifest: archive.Manifest


def restore_backup(source: Path, home: Path, database_url: str = "") -> RestoreResult:
    """Restore the archive `source` into the empty workspace at `home` (its database at `database_url`, default
    SQLite in the folder); refuses a damaged archive, a non-empty workspace and a different database kind."""
    home = home.expanduser().resolve()
    url = database_url or Settings.load({"home": str(home), "database_url": ""}, environ={}).url
    target_kind = KINDS.get(kind_of(url))
    if target_kind is None:
        raise BackupError(f"不支持的数据库：{kind_of(url)}", f"unsupported database: {kind_of(url)}")
    _check_empty_home(home)
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".formwork-restore-", dir=home.parent) as tmp:  # beside it: moves are renames
        stage = Path(tmp)
        manifest = archive.read(source, stage)
        if manifest.database != target_kind.name:
            raise BackupError(
                f"{source} 是 {manifest.database} 数据库的备份，不能恢复到 {target_kind.name} 数据库",
                f"{source} is a backup of a {manifest.database} database; it cannot be restored into "
                f"{target_kind.name}")
        if not target_kind.is_empty(url):
            shown = sa.make_url(url).render_as_string(hide_password=True)
            raise BackupError(f"数据库 {shown} 不是空的：只能恢复到空数据库",
                              f"the database {shown} is not empty: a backup is only restored into an empty database")
        created = not home.exists()
        try:
            home.mkdir(parents=True, exist_ok=True)
            target_kind.restore(stage / "database" / target_kind.dump_name, url)
            if (stage / FILES).is_dir():
                shutil.move(stage / FILES, home / FILES)
            _write_config(stage / CONFIG_FILE, home, database_url)
        except BaseException:
            _undo(home, created)
            raise
    return RestoreResult(home, manifest)


def _check_empty_home(home: Path) -> None:
    if home.exists() and not home.is_dir():
        raise BackupError(f"{home} 是文件而不是文件夹", f"{home} is a file, not a folder")
    if home.is_dir() and any(home.iterdir()):
        raise BackupError(f"{home} 不是空文件夹：只能恢复到空的工作区", f"{home} is not empty: a backup is only "
                          "restored into an empty workspace (choose a new folder)")


def _write_config(archived: Path, home: Path, database_url: str) -> None:
    values = json.loads(archived.read_text(encoding="utf-8")) if archived.is_file() else {}
    values = {k: str(v) for k, v in values.items() if k not in LEFT_OUT}
    Settings({**values, "home": str(home), "database_url": database_url}).save()


def _undo(home: Path, created: bool) -> None:
    """Leave the target as empty as it was after a failed restore."""
    for child in list(home.iterdir()) if home.is_dir() else []:
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    if created:
        home.rmdir()


def archive_name(now: datetime) -> str:
    """The file name of a backup taken at `now` (sorts by time)."""
    return f"formwork-backup-{now.strftime('%Y%m%d-%H%M%S')}.tar.gz"
