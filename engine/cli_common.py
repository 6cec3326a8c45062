"""What every `formwork` command module shares: the --home option, opening the workspace, printing problems."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from engine.errors import DefinitionError
from engine.settings import Settings

if TYPE_CHECKING:
    from engine.workspace import Workspace

pass_home = click.option("--home", envvar="FORMWORK_HOME", default="workspace", show_default=True,
                         help="Workspace folder (FORMWORK_HOME).")


def open_workspace(home: str) -> Workspace:
    """The workspace at `home`, closed when the command ends (a clear error when there is none)."""
    from engine.workspace import Workspace  # the workspace imports every service; commands that need none stay quick

    settings = Settings.load({"home": home})
    if not (settings.home_path / "config.json").is_file() and not settings.database_url:
        raise click.ClickException(f"no workspace at {settings.home_path}; run `formwork init --home {home}` first")
    ws = Workspace.open(settings)
    click.get_current_context().call_on_close(ws.close)  # its connections are closed when the command ends
    return ws


def print_problems(exc: DefinitionError, lang: str = "en") -> None:
    """Every problem on a line of its own, in `lang` (English unless a command's --lang says otherwise)."""
    for problem in exc.problems:
        click.echo(problem.describe(lang), err=True)
    count = len(exc.problems)
    click.echo(f"发现 {count} 个问题" if lang == "zh" else f"{count} problem(s) found", err=True)

