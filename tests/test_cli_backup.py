"""`formwork backup` and `formwork restore`: messages in zh and en, exit codes, refusals."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_help_names_the_commands() -> None:
    code, out = run("--help")
    assert "backup" in out and "restore" in out
    for command in ("backup", "restore"):
        code, out = run(command, "--help")
        assert code == 0 and "Usage" in out and "--lang" in out


def test_backup_then_restore_and_refusals(tmp_path: Path) -> None:
    home, archive = tmp_path / "ws", tmp_path / "ws.tar.gz"
    assert run("init", "--home", str(home))[0] == 0
    code, out = run("backup", str(archive), "--home", str(home))
    assert code == 0 and out.startswith(f"backed up to {archive} (sqlite database, 0 files)")

    code, out = run("restore", str(archive), "--home", str(tmp_path / "copy"), "--lang", "zh")
    assert code == 0 and f"已将 {archive} 恢复到 {tmp_path / 'copy'}" in out
    code, out = run("users", "list", "--home", str(tmp_path / "copy"))
    assert code == 0 and "admin" in out

    code, out = run("restore", str(archive), "--home", str(tmp_path / "copy"))
    assert code == 1 and "is not empty: a backup is only restored into an empty workspace" in out
    code, out = run("restore", str(archive), "--home", str(tmp_path / "copy"), "--lang", "zh")
    assert code == 1 and "不是空文件夹" in out

    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not an archive at all")
    code, out = run("restore", str(broken), "--home", str(tmp_path / "other"))
    assert code == 1 and f"{broken} is not a Formwork backup or is damaged" in out
    code, out = run("restore", str(tmp_path / "none.tar.gz"), "--home", str(tmp_path / "other"), "--lang", "zh")
    assert code == 1 and "找不到备份文件" in out


def test_an_unwritable_target_is_named(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert run("init", "--home", str(home))[0] == 0
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    code, out = run("backup", str(blocker / "ws.tar.gz"), "--home", str(home))
    assert code == 1 and f"cannot write the backup {blocker / 'ws.tar.gz'}" in out
