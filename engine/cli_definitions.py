"""`formwork export | publish | history | diff | rollback` — definition documents as files, and their versions."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from engine import lifecycle
from engine.cli_common import open_workspace as _open, pass_home, print_problems as _print_problems
from engine.definitions.impact import Impact
from engine.errors import DefinitionError, PublishRefused

if TYPE_CHECKING:
    from engine.workspace import Workspace


as_user = click.option("--as", "as_user", default="", envvar="FORMWORK_USER",
                       help="Username recorded as the author of the new versions (and in the audit log).")


def _author(ws: Workspace, username: str) -> int | None:
    """The id of the user named by --as (None when not given); an unknown name stops the command."""
    if not username:
        return None
    from engine.org.users import user_id_by_name

    with ws.reading() as conn:
        found = user_id_by_name(conn, username)
    if found is None:
        raise click.ClickException(f"no user '{username}'; `formwork users list` shows them")
    return int(found)


def _fail(exc: lifecycle.LifecycleError) -> NoReturn:
    raise click.ClickException(str(exc)) from None


@click.command()
@pass_home
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Write into a non-empty folder (its files with the same paths are "
              "overwritten, others are left).")
def export(home: str, directory: Path, force: bool) -> None:
    """Write every current definition document as YAML under DIRECTORY, at its stored path."""
    ws = _open(home)
    try:
        written = lifecycle.export_sources(ws.sources(), directory, force=force)
    except lifecycle.LifecycleError as exc:
        _fail(exc)
    click.echo(f"exported {len(written)} document(s) to {directory}")


@click.command()
@pass_home
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--prefix", default=None, help="Store the folder's files as PREFIX/<path> (default: '' for a folder "
              "written by `formwork export`, else the folder's name, as `template install` does).")
@click.option("--prune", is_flag=True, help="Remove stored documents under the prefix that the folder lacks.")
@click.option("--plan", is_flag=True, help="Only show what would change; write nothing.")
@click.option("--note", default="", help="A note stored with the new versions.")
@click.option("--accept-losses", is_flag=True, help="Publish even though some stored values do not convert to a "
              "field's new type (they become empty) or are cut to a shorter length.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True,
              help="Language of the data impacts and definition problems shown.")
@as_user
def publish(home: str, path: Path, prefix: str | None, prune: bool, plan: bool, note: str, accept_losses: bool,
            lang: str, as_user: str) -> None:
    """Check a folder of definitions and publish it into the workspace (documents and schema, in one transaction).

    The plan shows the schema changes and what they do to the stored data (records without a value for a field
    made required, values that do not convert to a field's new type…)."""
    ws = _open(home)
    author = _author(ws, as_user)
    try:
        found = lifecycle.folder_changes(path, ws.sources(), prune=prune,
                                         prefix=lifecycle.default_prefix(path) if prefix is None else prefix)
        result = ws.publish(found.changes, author_id=author, comment=note or f"publish {path.name}", dry_run=plan,
                            accept_losses=accept_losses)
    except PublishRefused as exc:
        _print_impacts(exc.impacts, lang)
        _print_problems(exc, lang)
        click.echo("nothing was published (--accept-losses publishes anyway, emptying the values that do not "
                   "convert)", err=True)
        sys.exit(1)
    except DefinitionError as exc:
        _print_problems(exc, lang)
        click.echo("nothing was published", err=True)
        sys.exit(1)
    for label, paths in (("added", found.added), ("changed", found.changed), ("removed", found.removed)):
        for p in paths:
            click.echo(f"{label:<8} {p}")
    for line in result.plan.describe():
        click.echo(line)
    _print_impacts(result.impacts, lang)
    count = len(found.added) + len(found.changed) + len(found.removed)
    if plan:
        click.echo(f"{count} document(s) and {len(result.plan.changes)} schema change(s) would be published; "
                   "nothing was written (run without --plan to publish)")
    elif not result.changed:
        click.echo("nothing to publish: the workspace already has these documents")
    else:
        click.echo(f"published {len(result.changed)} document(s), {len(result.plan.changes)} schema change(s)")


def _print_impacts(impacts: list[Impact], lang: str) -> None:
    for impact in impacts:
        mark = "refused" if impact.blocking else "data"
        click.echo(f"{mark:<13} {impact.form}.{impact.field}: {impact.text(lang)}")


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if isinstance(value, datetime) else str(value)


@click.command()
@pass_home
@click.argument("path")
def history(home: str, path: str) -> None:
    """Every stored version of one document (PATH as stored, e.g. crm/client/forms/client.yaml)."""
    ws = _open(home)
    try:
        rows = lifecycle.history(ws, path)
    except lifecycle.LifecycleError as exc:
        _fail(exc)
    for row in rows:
        removed = " (removed)" if row["text"] is None else ""
        click.echo(f"v{row['version']:<4} {_when(row['created_at'])}  {row['author'] or '-'}  "
                   f"{row['comment'] or ''}{removed}")


@click.command()
@pass_home
@click.argument("path")
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
def diff(home: str, path: str, old: int | None, new: int | None) -> None:
    """Unified diff of a document between versions OLD and NEW (default: the previous and the current)."""
    ws = _open(home)
    try:
        lines = lifecycle.diff_versions(ws, path, old, new)
    except lifecycle.LifecycleError as exc:
        _fail(exc)
    click.echo("".join(line if line.endswith("\n") else line + "\n" for line in lines), nl=False)
    if not lines:
        click.echo("no difference")


@click.command()
@pass_home
@click.argument("path")
@click.argument("version", type=int)
@click.option("--note", default="", help="A note stored with the new version.")
@as_user
def rollback(home: str, path: str, version: int, note: str, as_user: str) -> None:
    """Publish an older VERSION of a document as its new version (records are kept)."""
    ws = _open(home)
    author = _author(ws, as_user)
    try:
        result = lifecycle.rollback(ws, path, version, note=note, author_id=author)
    except lifecycle.LifecycleError as exc:
        _fail(exc)
    except DefinitionError as exc:
        _print_problems(exc)
        click.echo("nothing was published", err=True)
        sys.exit(1)
    for line in result.plan.describe():
        click.echo(line)
    if not result.changed:
        click.echo(f"{path} already has the text of version {version}")
    else:
        click.echo(f"{path}: version {version} published as the new version")


@click.command("public-link")
@pass_home
@click.argument("form")
@click.option("--on/--off", "enabled", default=None, help="Switch the form's public link on or off.")
@click.option("--regenerate", is_flag=True, help="Give the link a new token: the old address stops working at once.")
@as_user
def public_link(home: str, form: str, enabled: bool | None, regenerate: bool, as_user: str) -> None:
    """Show a form's public link (/f/<token>), switch it on or off, or give it a new token."""
    from engine.public_forms import PublicLinkError, change_link

    ws = _open(home)
    author = _author(ws, as_user)
    try:
        if enabled is None and not regenerate:
            found = ws.definitions.forms.get(form)
            if found is None or found.public is None:
                raise PublicLinkError({"zh": f"表单“{form}”没有公开链接", "en": f"Form '{form}' has no public link"})
            link = found.public
        else:
            link = change_link(ws, form, enabled=enabled, regenerate=regenerate, author_id=author)
    except PublicLinkError as exc:
        raise click.ClickException(exc.text["en"] if isinstance(exc.text, dict) else str(exc.text)) from None
    click.echo(f"/f/{link.token} ({'on' if link.enabled else 'off'})")


COMMANDS = (export, publish, history, diff, rollback, public_link)
