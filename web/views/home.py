"""GET /: the signed-in user's home (工作台) — the blocks the home document gives their roles, then the apps."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from engine.home.model import BlockDef
from web.endpoints import workspace
from web.home import blocks as home_blocks
from web.i18n import choose_language
from web.render import page
from web.session import actor_of, current_user
from web.zones import user_tz

DEFAULT_BLOCKS = (BlockDef("todos"),)  # the home of a workspace without a home document


def home(request: Request) -> Response:
    """The viewer's blocks, then the apps they can open (unless an `apps` block already lists them)."""
    user = current_user(request)
    if user is None:
        return page(request, "home.html", {"blocks": [], "apps_shown": False})
    ws, lang = workspace(request), choose_language(request)
    viewer = home_blocks.Viewer(ws, user, actor_of(user, lang), lang, user_tz(request))
    home_def = ws.definitions.home
    chosen = home_def.blocks_for(viewer.actor.roles) if home_def is not None else DEFAULT_BLOCKS
    shown = home_blocks.shown(viewer, chosen)
    return page(request, "home.html", {"blocks": shown, "apps_shown": any(b.block == "apps" for b in chosen)})
