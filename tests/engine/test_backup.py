"""Backup and restore on SQLite and PostgreSQL: a backup taken while records are being written restores into an
empty workspace as one consistent snapshot; a quiet one restores every table and file identically; damaged
archives, checksum mismatches, non-empty targets and the other database kind are refused."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.backup.errors import BackupError
from engine.backup.service import create_backup, restore_backup
from engine.files.sniff import PNG, TEXT
from engine.files.store import FileStore
from engine.records.model import Actor
from engine.settings import Settings
from engine.storage.system import files
from engine.workspace import Workspace
from tests.conftest import FIXTURES, add_user, publish_directory

ALICE = Actor(user_id=1, department_id=None, is_admin=True)


@pytest.fixture
def shop_files(fresh_workspace):  # type: ignore[no-untyped-def]
    """The shop workspace with a few customers and two uploaded files."""
    ws = fresh_workspace
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    store = FileStore(ws.engine, ws.settings.home_path / "files", ws.now)
    photo = store.save(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "photo.png", PNG, 1)
    store.save("备注 notes\n".encode(), "notes.txt", TEXT, 1)
    ws.records.create(ALICE, "customer", {"name": "华为", "photo": [photo.ref()]})
    for i in range(5):
        ws.records.create(ALICE, "customer", {"name": f"客户 {i}", "grade": "A"})
    return ws


@pytest.fixture
def target_url(request, db_url: str, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """An empty database of the same kind as the source's, to restore into."""
    if db_url.startswith("sqlite"):
        return ""
    return str(request.getfixturevalue("pg_url"))


def rows_of(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a stable order."""
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {name: sorted((tuple(r) for r in conn.execute(sa.select(table))), key=repr)
                for name, table in meta.tables.items()}


def files_of(home: Path) -> dict[str, str]:
    root = home / "files"
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def open_restored(home: Path, url: str) -> Workspace:
    return Workspace.open(Settings.load({"home": str(home), "database_url": url or None}, environ={}))


def test_quiet_backup_restores_every_table_and_file(shop_files, target_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = shop_files
    result = create_backup(ws, tmp_path / "out" / "shop.tar.gz")
    assert result.file_count == 2 and not result.manifest.missing_files
    manifest = result.manifest
    assert manifest.database == ws.engine.dialect.name and manifest.format == 1
    assert "definitions/shop/sales/forms/customer.yaml" in manifest.files
    assert (result.path.stat().st_mode & 0o777) == 0o600  # it holds the secret

    restored = restore_backup(result.path, tmp_path / "restored", target_url)
    again = open_restored(restored.home, target_url)
    try:
        assert rows_of(again.engine) == rows_of(ws.engine)
        assert files_of(restored.home) == files_of(ws.settings.home_path)
        with again.reading() as conn:  # and each matches the checksum its row keeps
            listed = {r.storage_path: r.sha256 for r in conn.execute(sa.select(files))}
        assert listed == files_of(restored.home) and len(listed) == 2
        assert again.settings.secret == ws.settings.secret  # sessions and tokens stay valid
        # the restored workspace goes on: its counters and sequences continue after the restored rows
        made = again.records.create(ALICE, "customer", {"name": "恢复之后"})
        assert made.id > max(r.id for r in ws.records.list(ALICE, "customer").records)
    finally:
        again.close()


def test_backup_while_records_are_written_is_one_snapshot(shop_files, target_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = shop_files
    created: list[int] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            while not stop.is_set():
                created.append(ws.records.create(ALICE, "customer", {"name": f"并发 {len(created)}"}).id)
        except BaseException as exc:  # noqa: BLE001 — reported by the test below
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        _wait(lambda: len(created) >= 5 or bool(failures))
        before = len(created)
        result = create_backup(ws, tmp_path / "live.tar.gz")
        after = len(created)
        assert after > before  # records were written while the backup ran
        _wait(lambda: len(created) >= after + 3 or bool(failures))  # and some more, surely after the snapshot
    finally:
        stop.set()
        writer.join()
    assert not failures
    restored = restore_backup(result.path, tmp_path / "restored", target_url)
    again = open_restored(restored.home, target_url)
    try:
        kept = rows_of(again.engine)
        source = rows_of(ws.engine)
        table = again.records.runtime("customer").main.name
        restored_ids = {row[0] for row in kept[table]}
        assert 6 + before <= len(restored_ids) < 6 + len(created)  # some written after the snapshot, left out
        assert all(row in source[table] for row in kept[table])
        history = again.records.history(ALICE, "customer", max(restored_ids))
        assert history  # each record came with its history, in the same snapshot
    finally:
        again.close()


def _wait(condition: Any, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _rewrite(archive: Path, target: Path, change: Any) -> None:
    """Copy `archive` to `target`, passing each member's (name, bytes) through `change`."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as out:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            data = change(member.name, data)
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def test_damaged_archives_and_non_empty_targets_are_refused(shop_files, target_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = shop_files
    good = create_backup(ws, tmp_path / "good.tar.gz").path
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(BackupError, match="is not a Formwork backup or is damaged"):
        restore_backup(truncated, tmp_path / "t1", target_url)
    assert not (tmp_path / "t1").exists()

    stored = next(name for name in json.loads(_member(good, "manifest.json"))["files"] if name.startswith("files/"))
    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(good, tampered, lambda name, data: data[:-1] + b"!" if name == stored else data)
    with pytest.raises(BackupError, match=f"{stored} does not match its checksum") as caught:
        restore_backup(tampered, tmp_path / "t2", target_url)
    assert stored in caught.value.text("zh") and "校验和" in caught.value.text("zh")
    assert not (tmp_path / "t2").exists()

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "config.json").write_text("{}")
    with pytest.raises(BackupError, match="is not empty"):
        restore_backup(good, busy, target_url)

    other_kind = str(tmp_path / "t3") if target_url else ""
    if target_url:  # a PostgreSQL dump cannot go into SQLite
        with pytest.raises(BackupError, match="backup of a postgresql database; it cannot be restored into sqlite"):
            restore_backup(good, Path(other_kind), "")
    assert not any(p.name.startswith((".formwork-backup-", ".formwork-restore-")) for p in tmp_path.iterdir())


def test_a_database_already_in_use_is_refused(shop_files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = shop_files
    good = create_backup(ws, tmp_path / "good.tar.gz").path
    if ws.engine.dialect.name == "postgresql":
        with pytest.raises(BackupError, match="is not empty: a backup is only restored into an empty database"):
            restore_backup(good, tmp_path / "new", ws.engine.url.render_as_string(hide_password=False))
    else:
        with pytest.raises(BackupError, match="backup of a sqlite database; it cannot be restored into postgresql"):
            restore_backup(good, tmp_path / "new", "postgresql://nobody@127.0.0.1:1/none")


def _member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        return tar.extractfile(name).read()  # type: ignore[union-attr]
