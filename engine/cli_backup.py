"""`formwork backup | restore` — one archive of a running workspace, and bringing it back into an empty one."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from engine.backup.errors import BackupError
from engine.cli_common import open_workspace as _open, pass_home

lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True,
                           help="Language of the messages.")


def _fail(exc: BackupError, lang: str) -> NoReturn:
    raise click.ClickException(exc.text(lang)) from None


@click.command()
@pass_home
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@lang_option
def backup(home: str, file: Path, lang: str) -> None:
    """Write one archive (tar.gz) of the workspace to FILE while it runs: the database, the uploaded files, the
    definitions as YAML, the config (with the secret: keep the archive private) and a manifest of checksums."""
    from engine.backup.service import create_backup

    ws = _open(home)
    try:
        result = create_backup(ws, file)
    except BackupError as exc:
        _fail(exc, lang)
    for missing in result.manifest.missing_files:
        click.echo(f"缺少文件：{missing}（数据库中有记录，磁盘上没有）" if lang == "zh"
                   else f"missing file: {missing} (listed in the database, not on disk)", err=True)
    if lang == "zh":
        click.echo(f"已备份到 {result.path}（{result.manifest.database} 数据库，{result.file_count} 个文件）")
    else:
        click.echo(f"backed up to {result.path} ({result.manifest.database} database, {result.file_count} files)")


@click.command()
@pass_home
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database-url", envvar="DATABASE_URL", default="", help="Empty database to restore into "
              "(DATABASE_URL; default: SQLite in the workspace). A PostgreSQL backup needs a PostgreSQL database.")
@lang_option
def restore(home: str, file: Path, database_url: str, lang: str) -> None:
    """Restore the archive FILE (written by `formwork backup`) into an empty workspace: a new --home folder and,
    for PostgreSQL, an empty database. A damaged archive or a file that fails its checksum is refused."""
    from engine.backup.service import restore_backup

    try:
        result = restore_backup(file, Path(home), database_url)
    except BackupError as exc:
        _fail(exc, lang)
    manifest = result.manifest
    if lang == "zh":
        click.echo(f"已将 {file} 恢复到 {result.home}（{manifest.database} 数据库，备份于 {manifest.created_at}）")
    else:
        click.echo(f"restored {file} into {result.home} ({manifest.database} database, backed up at "
                   f"{manifest.created_at})")


COMMANDS = (backup, restore)
