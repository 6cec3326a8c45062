"""The `formwork` command: the engine's commands plus `serve`, which needs the web layer."""

from __future__ import annotations

import os

import click

from engine.cli import main
from engine.cli_common import pass_home
from engine.serving import secret_refusal
from engine.settings import Settings
from web.exports import delivery  # noqa: F401  (the worker draws scheduled reports' PDFs with it)


@main.command()
@pass_home
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1), help="Worker processes.")
@click.option("--access-log/--no-access-log", default=None,
              help="Log every request (default: the access_log setting, off).")
def serve(home: str, host: str, port: int, workers: int, access_log: bool | None) -> None:
    """Serve the web application and the API with uvicorn."""
    import uvicorn

    settings = Settings.load({"home": home})
    if not (settings.home_path / "config.json").is_file() and not settings.database_url:
        raise click.ClickException(f"no workspace at {settings.home_path}; run `formwork init --home {home}` first")
    refusal = secret_refusal(settings, workers)
    if refusal:
        raise click.ClickException(refusal)
    os.environ["FORMWORK_HOME"] = home
    click.echo(f"Formwork on http://{host}:{port}/ (workspace {settings.home_path})")
    if access_log is None:
        access_log = settings.access_log.strip().lower() in ("1", "true")
    uvicorn.run("web.asgi:app", host=host, port=port, workers=workers, log_level="info", proxy_headers=True,
                access_log=access_log)


__all__ = ["main"]
