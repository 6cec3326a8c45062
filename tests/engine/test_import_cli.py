"""`formwork import`: progress and a summary, the mapping printed, refusals in zh and en; and resumption: an
import killed with SIGKILL in the middle goes on after its checkpoint with --resume, every row written once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from engine.cli import main
from engine.imports.tables import import_runs
from tests.conftest import FIXTURES, open_workspace, publish_directory

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def shop_home(tmp_path: Path) -> Path:
    home = tmp_path / "ws"
    assert cli("init", "--home", str(home))[0] == 0
    ws = open_workspace(f"sqlite:///{home / 'formwork.db'}", home)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    ws.close()
    return home


def customers(home: Path) -> list[str]:
    ws = open_workspace(f"sqlite:///{home / 'formwork.db'}", home)
    try:
        rt = ws.records.runtime("customer")
        with ws.reading() as conn:
            return [str(n) for n in conn.execute(sa.select(rt.main.c.name).where(rt.main.c.deleted_at.is_(None))
                                                 .order_by(rt.main.c.id)).scalars()]
    finally:
        ws.close()


def test_import_prints_the_mapping_progress_and_summary(tmp_path: Path) -> None:
    home = shop_home(tmp_path)
    data = tmp_path / "c.csv"
    data.write_text("名称,等级,Remark\nAcme,A,x\nBeta,Z,y\n", encoding="utf-8")
    code, out = cli("import", "customer", str(data), "--home", str(home), "--map", "Remark=notes")
    assert code == 0, out
    assert "column '名称' → field name" in out and "column 'Remark' → field notes" in out
    assert "2/2 rows: 1 created, 0 updated, 0 skipped, 1 errors" in out
    assert "error report: " in out and out.strip().endswith(".xlsx")
    assert customers(home) == ["Acme"]
    code, out = cli("import", "customer", str(data), "--home", str(home), "--key", "name", "--lang", "zh")
    assert code == 0 and "2/2 行:新建 0,更新 0,跳过 1,错误 1" in out

    empty = tmp_path / "empty.csv"
    empty.write_text("名称,等级\n", encoding="utf-8")
    code, out = cli("import", "customer", str(empty), "--home", str(home))
    assert code == 1 and "The file has a header row but no data rows" in out
    code, out = cli("import", "customer", str(empty), "--home", str(home), "--lang", "zh")
    assert code == 1 and "文件只有表头,没有数据行" in out
    code, out = cli("import", "customer", str(data), "--home", str(home), "--dry-run", "--map", "名称=nope")
    assert code == 1 and "which does not exist or cannot be imported" in out


def test_a_killed_import_resumes_after_its_checkpoint_and_writes_each_row_once(tmp_path: Path) -> None:
    home = shop_home(tmp_path)
    rows = 12_000
    data = tmp_path / "big.csv"
    data.write_text("Name,Grade\n" + "".join(f"客户{i:05d},{'ABC'[i % 3]}\n" for i in range(rows)), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "engine.cli", "import", "customer", str(data), "--home",
                                str(home)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = sa.create_engine(f"sqlite:///{home / 'formwork.db'}")
    try:
        deadline = time.monotonic() + 120
        checkpoint = 0
        while checkpoint == 0:  # wait for the first batch to be committed, then kill mid-import
            assert process.poll() is None and time.monotonic() < deadline, "the import ended before it was killed"
            with engine.connect() as conn:
                found = conn.execute(sa.select(import_runs.c.token, import_runs.c.checkpoint)).first()
            checkpoint = int(found.checkpoint) if found else 0
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        with engine.connect() as conn:
            token, checkpoint, handled = conn.execute(
                sa.select(import_runs.c.token, import_runs.c.checkpoint, import_runs.c.handled)).one()
    finally:
        engine.dispose()
    assert 0 < handled < rows and checkpoint == handled + 1  # killed in the middle; row numbers start at 2
    written_before = len(customers(home))
    assert written_before == handled  # the batch in flight was rolled back with its checkpoint

    code, out = cli("import", "--resume", token, "--home", str(home))
    assert code == 0, out
    assert f"{rows}/{rows} rows: {rows} created, 0 updated, 0 skipped, 0 errors" in out.splitlines()[-1]
    names = customers(home)
    assert len(names) == rows and len(set(names)) == rows
