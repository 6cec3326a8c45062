"""`formwork …` — the command line: init, validate, migrate, template, users (and engine/cli_definitions.py,
cli_backup.py, cli_import.py)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any

import click

from engine import __version__
from engine.cli_common import open_workspace as _open, pass_home, print_problems as _print_problems
from engine.cli_backup import COMMANDS as BACKUP_COMMANDS
from engine.cli_definitions import COMMANDS
from engine.cli_import import COMMANDS as IMPORT_COMMANDS
from engine.definitions.loader import load_directory
from engine.errors import DefinitionError, RecordInvalid
from engine.i18n import text
from engine.settings import Settings



def _fail_invalid(exc: RecordInvalid) -> None:
    for path, errors in exc.errors.items():
        for e in errors:
            click.echo(f"error: {path + ': ' if path else ''}{e.message('en')}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="formwork")
def main() -> None:
    """Formwork: forms, workflows and reports from YAML definitions."""


@main.command()
@pass_home
@click.option("--database-url", envvar="DATABASE_URL", default="", help="Database URL (default: SQLite in the workspace).")
@click.option("--admin", "admin_name", default="admin", show_default=True, help="Username of the first admin.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True, help="Workspace time zone.")
def init(home: str, database_url: str, admin_name: str, timezone: str) -> None:
    """Create a workspace: config with a new secret, the database, and an admin whose password is printed."""
    from engine.org.passwords import generate_password
    from engine.org.users import NewUser, create_user, user_id_by_name
    from engine.storage.database import write_transaction
    from engine.workspace import Workspace

    settings = Settings.load({"home": home, "database_url": database_url or None, "timezone": timezone})
    fresh = not (settings.home_path / "config.json").is_file()
    if fresh:
        values = dict(settings.values)
        values["secret"] = values["secret"] or secrets.token_urlsafe(32)
        settings = Settings(values)
        settings.save()
    ws = Workspace.open(settings)
    click.get_current_context().call_on_close(ws.close)
    with write_transaction(ws.engine) as conn:
        if user_id_by_name(conn, admin_name) is not None:
            click.echo(f"workspace at {settings.home_path} is ready; user '{admin_name}' already exists")
            return
        password = generate_password()
        create_user(conn, NewUser(admin_name, "Administrator", password=password, is_admin=True, roles=("admin",)),
                    ws.now())
    click.echo(f"created workspace at {settings.home_path} ({settings.url.split('://')[0]})")
    click.echo(f"admin login: {admin_name} / {password}")


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate(path: Path) -> None:
    """Check a folder of definitions; print every problem as file:line path: message, exit 1 if any."""
    result = load_directory(path)
    if result.problems:
        _print_problems(DefinitionError(result.problems))
        sys.exit(1)
    defs = result.definitions
    fields = sum(len(f.fields) for f in defs.forms.values())
    click.echo(f"ok: {len(result.documents)} documents — {len(defs.apps)} apps, {len(defs.forms)} forms, "
               f"{fields} fields, {len(defs.roles)} roles, {len(defs.automations)} automations"
               + (f", {len(defs.workflows)} workflows" if defs.workflows else ""))


@main.command()
@pass_home
@click.option("--plan", "mode", flag_value="plan", default=True, help="Show what would change (default).")
@click.option("--apply", "mode", flag_value="apply", help="Apply the plan in one transaction.")
@click.option("--purge", multiple=True, metavar="TABLE.COLUMN", help="Drop a kept column of a removed field.")
def migrate(home: str, mode: str, purge: tuple[str, ...]) -> None:
    """Compare the definitions with the database and show or apply the schema changes."""
    from engine.storage.sync import purge_columns

    ws = _open(home)
    if purge:
        by_table: dict[str, list[str]] = {}
        for item in purge:
            table, _, column = item.partition(".")
            if not column:
                raise click.ClickException(f"--purge needs TABLE.COLUMN, got '{item}'")
            by_table.setdefault(table, []).append(column)
        for table, columns in by_table.items():
            try:
                purge_columns(ws.engine, ws.definitions, table, columns)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
            click.echo(f"purged {table}: {', '.join(columns)}")
        return
    plan = ws.migrate() if mode == "apply" else ws.plan()
    if mode == "apply":
        ws.analyze()
    for line in plan.describe():
        click.echo(line)
    if plan.is_empty():
        click.echo("database is up to date")
    elif mode == "apply":
        click.echo(f"applied {len(plan.changes)} change(s)")
    else:
        click.echo(f"{len(plan.changes)} change(s) to apply; run `formwork migrate --apply`")


@main.command()
@pass_home
@click.option("--burst", is_flag=True, help="Run what is due now, then exit.")
@click.option("--redis-url", envvar="REDIS_URL", default="", help="Redis URL (REDIS_URL); without it, jobs run here "
              "in this process instead of through rq.")
def worker(home: str, burst: bool, redis_url: str) -> None:
    """Run background jobs: relay the outbox, fire schedules, and run an rq worker on Redis."""
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    ws = _open(home)
    if not redis_url:
        from engine.jobs.runner import InProcessRunner

        click.echo("no REDIS_URL: running jobs in this process")
        if burst:
            ws.jobs.drain()
            return
        runner = InProcessRunner(ws.jobs)
        try:
            while True:
                runner.step() or __import__("time").sleep(runner.idle_seconds)
        except KeyboardInterrupt:
            return
    from engine.jobs.rq_bridge import run_worker

    click.echo(f"rq worker on {redis_url.split('@')[-1]} (queue formwork)")
    run_worker(ws, redis_url, burst=burst)


@main.group()
def template() -> None:
    """Templates in the gallery."""


@template.command("list")
@pass_home
def template_list(home: str) -> None:
    """List the templates that can be installed."""
    from engine.gallery.catalog import available

    for t in available():
        sample = " (sample data)" if t.has_sample_data else ""
        click.echo(f"{t.name:<12} {t.version:<8} {text(t.label, 'zh')} / {text(t.label, 'en')}{sample}")


@template.command("install")
@pass_home
@click.argument("name")
@click.option("--sample-data", is_flag=True, help="Also load the template's sample departments, users and records.")
def template_install(home: str, name: str, sample_data: bool) -> None:
    """Install a template (idempotent): its apps, forms and tables."""
    from engine.definitions.suggest import closest
    from engine.gallery.catalog import available, find
    from engine.gallery.install import TemplateVersionMismatch, install

    info = find(name)
    if info is None:
        names = [t.name for t in available()]
        hint = closest(name, names)
        raise click.ClickException(f"no template '{name}'" + (f" (did you mean '{hint}'?)" if hint else "")
                                   + f"; available: {', '.join(names)}")
    ws = _open(home)
    try:
        result = install(ws, info, sample_data=sample_data)
    except DefinitionError as exc:
        _print_problems(exc)
        sys.exit(1)
    except TemplateVersionMismatch as exc:
        raise click.ClickException(str(exc)) from None
    if result.already_installed:
        click.echo(f"template {name} {result.version} is already installed")
        return
    created = [s for s in (result.plan.changes if result.plan else ()) if s.action == "create_table"]
    click.echo(f"installed {name} {result.version}: {len(result.changed)} documents, {len(created)} tables")
    if result.sample:
        total = sum(result.sample.records.values())
        click.echo(f"sample data: {result.sample.departments} departments, {result.sample.users} users, {total} records")
        click.echo(f"sample users' password: {result.sample.password}")


@main.group()
def users() -> None:
    """Users of the workspace."""


@users.command("add")
@pass_home
@click.argument("username")
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--email")
@click.option("--password", help="Password (default: a generated one, printed).")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.option("--role", "roles", multiple=True, help="Role id (repeatable).")
def users_add(home: str, username: str, display_name: str | None, email: str | None, password: str | None,
              admin: bool, roles: tuple[str, ...]) -> None:
    """Create a user."""
    from engine.org.passwords import generate_password
    from engine.org.users import NewUser, create_user
    from engine.storage.database import write_transaction

    ws = _open(home)
    generated = password is None
    password = password or generate_password()
    try:
        with write_transaction(ws.engine) as conn:
            create_user(conn, NewUser(username, display_name or username, password=password, email=email,
                                      is_admin=admin, roles=roles), ws.now())
    except RecordInvalid as exc:
        _fail_invalid(exc)
    click.echo(f"created user {username}" + (f" with password {password}" if generated else ""))


@users.command("list")
@pass_home
def users_list(home: str) -> None:
    """List users with their roles."""
    from engine.org.users import list_users
    from engine.storage.database import read_transaction

    ws = _open(home)
    with read_transaction(ws.engine) as conn:
        rows = list_users(conn)
    for u in rows:
        flags = " admin" if u["is_admin"] else ""
        flags += "" if u["active"] else " disabled"
        click.echo(f"{u['username']:<20} {u['display_name']:<16} {','.join(u['roles']) or '-'}{flags}")
    click.echo(f"{len(rows)} user(s)")



def _user_id(conn: Any, username: str) -> int:
    from engine.org.users import user_id_by_name

    user_id = user_id_by_name(conn, username)
    if user_id is None:
        raise click.ClickException(f"no user '{username}' (see `formwork users list`)")
    return user_id


@users.command("disable")
@pass_home
@click.argument("username")
def users_disable(home: str, username: str) -> None:
    """Disable a user: they can no longer sign in and their sessions end."""
    _set_active(home, username, False)


@users.command("enable")
@pass_home
@click.argument("username")
def users_enable(home: str, username: str) -> None:
    """Enable a disabled user again."""
    _set_active(home, username, True)


def _set_active(home: str, username: str, active: bool) -> None:
    from engine.org.admin import set_active
    from engine.storage.database import write_transaction

    ws = _open(home)
    try:
        with write_transaction(ws.engine) as conn:
            set_active(conn, None, _user_id(conn, username), active, ws.now())
    except RecordInvalid as exc:
        _fail_invalid(exc)
    click.echo(f"{'enabled' if active else 'disabled'} {username}")


@users.command("reset-password")
@pass_home
@click.argument("username")
def users_reset_password(home: str, username: str) -> None:
    """Give a user a new generated password (printed once)."""
    from engine.org.admin import reset_password
    from engine.storage.database import write_transaction

    ws = _open(home)
    with write_transaction(ws.engine) as conn:
        password = reset_password(conn, None, _user_id(conn, username), ws.now())
    click.echo(f"new password for {username}: {password}")


@users.command("roles")
@pass_home
@click.argument("username")
@click.argument("roles", nargs=-1)
def users_roles(home: str, username: str, roles: tuple[str, ...]) -> None:
    """Set a user's roles (none given: remove every role)."""
    from engine.org.admin import assign_roles
    from engine.storage.database import write_transaction

    ws = _open(home)
    try:
        with write_transaction(ws.engine) as conn:
            assign_roles(conn, None, _user_id(conn, username), roles, [r.id for r in ws.definitions.roles],
                         ws.now())
    except RecordInvalid as exc:
        _fail_invalid(exc)
    click.echo(f"{username}: {', '.join(roles) or 'no roles'}")


@users.command("transfer")
@pass_home
@click.argument("from_username")
@click.argument("to_username")
def users_transfer(home: str, from_username: str, to_username: str) -> None:
    """Hand every record FROM_USERNAME owns to TO_USERNAME (with history and an audit entry)."""
    from engine.records.model import Actor
    from engine.records.transfer import transfer_ownership
    from engine.storage.database import read_transaction

    ws = _open(home)
    with read_transaction(ws.engine) as conn:
        source, target = _user_id(conn, from_username), _user_id(conn, to_username)
    try:
        moved = transfer_ownership(ws.engine, ws.records.runtimes, Actor.system_actor(), source, target, ws.now())
    except RecordInvalid as exc:
        _fail_invalid(exc)
    total = sum(moved.values())
    detail = ", ".join(f"{form} {count}" for form, count in moved.items()) or "nothing owned"
    click.echo(f"handed {total} record(s) from {from_username} to {to_username}: {detail}")


for _command in COMMANDS:  # export, publish, history, diff, rollback
    main.add_command(_command)
for _command in BACKUP_COMMANDS:  # backup, restore
    main.add_command(_command)
for _command in IMPORT_COMMANDS:  # import
    main.add_command(_command)

if __name__ == "__main__":
    main()
