"""The ASGI application uvicorn serves: the workspace named by FORMWORK_HOME / DATABASE_URL."""

from __future__ import annotations

from engine.settings import Settings
from engine.workspace import Workspace
from web.app import create_app

_settings = Settings.load()
app = create_app(Workspace.open(_settings), run_jobs=not _settings.redis_url)
