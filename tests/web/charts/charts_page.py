"""A test-only Starlette app showing one chart of each type (the real partials, charts.js and vendored ECharts,
under the app's security headers), for the browser tests of charts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tests.web.browser import PATIENCE_MS
from tests.web.charts import datasets as d
from web.app import SECURITY_HEADERS, STATIC
from web.charts import render
from web.i18n import translator
from web.render import environment
from web.serve_thread import serve_in_thread

PAGE = """<!doctype html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>charts</title>
<link rel="stylesheet" href="/static/app.css">
{% include "charts/assets.html" %}
</head><body><main>
{% for name, chart in charts %}
<section class="card" id="c-{{ name }}"><h3>{{ name }}</h3>{% set chart_title = name %}{% include chart.template %}</section>
{% endfor %}
</main></body></html>"""

CHARTS: list[tuple[str, Any, dict[str, Any]]] = [
    ("kpi", lambda: d.won_this_month({"amount": 400000, "cycle": 35}), {"target": 500000}),
    ("column", d.by_stage, {"labels": True}),
    ("bar", d.by_stage, {}),
    ("stacked", d.by_stage_and_owner, {}),
    ("line", d.by_month, {"measures": ["amount"]}),
    ("area", d.by_month, {"measures": ["amount"], "smooth": True}),
    ("dual_axis", d.by_month, {}),
    ("pie", d.by_stage, {"measure": "amount"}),
    ("ring", d.by_stage, {}),
    ("funnel", d.by_stage, {}),
    ("gauge", d.won_this_month, {"target": 500000}),
    ("radar", d.by_stage_and_owner, {}),
    ("map_china", d.by_province, {}),
    ("scatter", d.by_owner_scatter, {}),
    ("table", d.by_stage, {}),
    ("pivot", d.by_owner_stage_quarter, {"rows": ["owner", "stage"], "columns": ["month"]}),
]
ECHARTS_TYPES = [name for name, _, _ in CHARTS if name not in ("kpi", "table", "pivot")]


def page(request: Request) -> Response:
    lang = request.query_params.get("lang", "zh")
    only = request.query_params.get("only")
    charts = [(name, render(name, make(), options, lang)) for name, make, options in CHARTS if only in (None, name)]
    html = environment.from_string(PAGE).render(lang=lang, t=translator(lang), charts=charts)
    return HTMLResponse(html, headers=SECURITY_HEADERS)


class Headers:
    """The app's security headers on every answer (the static files too), as web.app's Guard sends them."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + \
                    [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
            await send(message)
        await self.app(scope, receive, sending)


def app() -> Any:
    return Headers(Starlette(routes=[Route("/", page), Mount("/static", StaticFiles(directory=STATIC))]))


@contextmanager
def serve() -> Iterator[str]:
    with serve_in_thread(app(), PATIENCE_MS / 1000) as url:
        yield url
