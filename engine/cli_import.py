"""`formwork import FORM FILE` — import records from an xlsx, xls or csv file, printing progress and a summary."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
import sqlalchemy as sa

from engine.cli_common import open_workspace as _open, pass_home
from engine.i18n import text, zh_en

if TYPE_CHECKING:
    from engine.imports import ImportJob, ImportRefused
    from engine.records.model import Actor
    from engine.workspace import Workspace

WORDS = {
    "mapping": zh_en("列“{header}” → 字段 {field}", "column '{header}' → field {field}"),
    "unmapped": zh_en("列“{header}”不导入(没有对应的字段;可用 --map \"{header}=字段\" 指定)",
                      "column '{header}' is not imported (no field matches; use --map \"{header}=field\")"),
    "started": zh_en("导入 {token} 已开始", "import {token} started"),
    "progress": zh_en("{done}/{total} 行:新建 {written},更新 {updated},跳过 {skipped},错误 {errors}{rate}",
                      "{done}/{total} rows: {written} created, {updated} updated, {skipped} skipped, {errors} errors"
                      "{rate}"),
    "rate": zh_en(",{rate} 行/秒", ", {rate} rows/s"),
    "dry": zh_en("试运行:没有写入任何记录", "dry run: no record was written"),
    "report": zh_en("错误报告:{path}", "error report: {path}"),
    "failed": zh_en("导入失败:{error}(用 --resume {token} 从中断处继续)",
                    "the import failed: {error} (continue it with --resume {token})"),
    "no_user": zh_en("没有用户“{name}”", "no user '{name}'"),
    "no_admin": zh_en("工作区没有启用的管理员;请用 --as 指定用户", "the workspace has no active administrator; name a "
                      "user with --as"),
    "no_import": zh_en("没有导入 {token}", "no import {token}"),
}


def _say(key: str, lang: str, **params: object) -> str:
    return text(WORDS[key], lang).format(**params)


@click.command("import")
@pass_home
@click.argument("form", required=False)
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", help="Field telling a row that is already a record (by its value).")
@click.option("--on-duplicate", type=click.Choice(["skip", "update", "create"]), default="skip", show_default=True,
              help="What to do with a row whose key names a stored record.")
@click.option("--dry-run", is_flag=True, help="Check every row through the record service; write nothing.")
@click.option("--sheet", help="The workbook's sheet (default: the first).")
@click.option("--map", "maps", multiple=True, metavar="HEADER=FIELD",
              help="Map a column to a field (repeatable; an empty FIELD leaves the column out).")
@click.option("--as", "username", help="Import as this user (default: the first active administrator).")
@click.option("--resume", "resume_token", metavar="TOKEN", help="Go on with a stopped import after its checkpoint.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True,
              help="Language of the messages and of the error report.")
def import_(home: str, form: str | None, file: Path | None, key: str | None, on_duplicate: str, dry_run: bool,
            sheet: str | None, maps: tuple[str, ...], username: str | None, resume_token: str | None,
            lang: str) -> None:
    """Import the rows of FILE (xlsx, xls or csv; told by content) into FORM as records, through the record
    service in batches of 500 (rights, defaults, rules, formulas, serial numbers, history). Columns map to fields
    by label (zh or en) or id unless --map says otherwise. Rows that fail are listed in an error report (xlsx)."""
    from engine.imports import ImportOptions, ImportRefused, field_access, inspect_file, max_mb, parse_map_args, \
        resume, start_import, suggest_mapping

    ws = _open(home)
    if resume_token:
        if not resume(ws, resume_token):
            raise click.ClickException(_say("no_import", lang, token=resume_token))
        _run(ws, resume_token, lang)
        return
    if not form or not file:
        raise click.UsageError("FORM and FILE are needed (or --resume TOKEN)")
    actor = _actor(ws, username, lang)
    try:
        rt = ws.records.runtime(form)
    except KeyError:
        raise click.ClickException(f"no form '{form}'") from None
    try:
        info = inspect_file(file, sheet, limit_mb=max_mb(ws))
        mapping = {**suggest_mapping(rt.form, info.headers, field_access(ws, actor, form)), **parse_map_args(maps)}
        for header in info.headers:
            field = mapping.get(header, "")
            click.echo(_say("mapping", lang, header=header, field=field) if field
                       else _say("unmapped", lang, header=header))
        options = ImportOptions(mapping, key, on_duplicate, dry_run, info.sheet if info.kind != "csv" else None)
        token = start_import(ws, actor, form, file, options, filename=file.name, lang=lang)
    except ImportRefused as exc:
        _refuse(exc, lang)
    click.echo(_say("started", lang, token=token))
    _run(ws, token, lang)


def _refuse(exc: ImportRefused, lang: str) -> NoReturn:
    raise click.ClickException(exc.message(lang)) from None


def _actor(ws: Workspace, username: str | None, lang: str) -> Actor:
    from engine.org.users import user_by_id
    from engine.records.model import Actor
    from engine.storage.system import users

    with ws.reading() as conn:
        query = sa.select(users.c.id).where(users.c.active)
        query = query.where(users.c.username == username) if username else query.where(users.c.is_admin)
        user_id = conn.execute(query.order_by(users.c.id).limit(1)).scalar()
        user = user_by_id(conn, int(user_id)) if user_id is not None else None
    if user is None:
        raise click.ClickException(_say("no_user", lang, name=username) if username else _say("no_admin", lang))
    return Actor(user_id=int(user["id"]), department_id=user.get("department_id"), roles=frozenset(user["roles"]),
                 is_admin=bool(user["is_admin"]), language=lang)


def _run(ws: Workspace, token: str, lang: str) -> None:
    """Run the job here, printing its progress every second, then the summary."""
    from engine.imports import find, run, write_report

    stop = threading.Event()

    def report() -> None:
        while not stop.wait(1.0):
            job = find(ws, token)
            if job is not None and job.status == "running":
                click.echo(_line(job, lang))

    printer = threading.Thread(target=report, daemon=True)
    printer.start()
    try:
        run(ws, token)  # "busy" when another runner (a server's) has it: then wait for that one
        while (job := find(ws, token)) is not None and job.waiting and job.status == "running":
            time.sleep(1.0)
    finally:
        stop.set()
        printer.join()
    job = find(ws, token)
    if job is None:
        raise click.ClickException(_say("no_import", lang, token=token))
    click.echo(_line(job, lang))
    if job.dry_run:
        click.echo(_say("dry", lang))
    if job.has_report:
        click.echo(_say("report", lang, path=write_report(ws, token, lang)))
    if job.status != "done":
        raise click.ClickException(_say("failed", lang, error=job.error or job.status, token=token))


def _line(job: ImportJob, lang: str) -> str:
    rate = _say("rate", lang, rate=int(job.rate)) if job.rate else ""
    return _say("progress", lang, done=job.done, total=job.total if job.total is not None else "?",
                written=job.written, updated=job.updated, skipped=job.skipped, errors=job.errors, rate=rate)


COMMANDS = (import_,)
