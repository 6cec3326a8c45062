"""Charts drawn server-side as SVG by the vendored ECharts in an embedded V8 (PyPI `mini-racer`): the PDF's
charts are the screen's charts, from the same option web/charts/ builds, without a browser.

A `ChartDrawer` holds one V8 context with ECharts loaded (~0.2 s) for the charts of one document, and must be
closed (it is a context manager): an unclosed V8 context can keep the interpreter from exiting."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

STATIC = Path(__file__).parents[1] / "static" / "vendor"
ECHARTS = STATIC / "echarts" / "echarts.min.js"
MAPS = {"china": STATIC / "echarts-map" / "china.json"}
SSR = Path(__file__).with_name("ssr.js")
TIMEOUT_MS = 20_000  # one chart; a runaway option must not hold a worker for ever
_LOCK = threading.Lock()  # V8 contexts are created one at a time (mini-racer's initialisation is not reentrant)


def _new_racer() -> Any:
    """A V8 context made on a thread of its own. mini-racer runs a context on the asyncio loop running where it is
    made, if any, and then refuses timeouts; made on a fresh thread it gets its own loop, whatever the caller's
    thread is running (a server's loop, or playwright's in tests)."""
    from py_mini_racer import MiniRacer

    made: list[Any] = []
    failed: list[BaseException] = []

    def make() -> None:
        try:
            made.append(MiniRacer())
        except BaseException as error:  # handed to the caller's thread
            failed.append(error)

    thread = threading.Thread(target=make, name="formwork-v8")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return made[0]


class ChartDrawer:
    """Draws chart specs ({option, formats, map, lang}) as SVG text."""

    def __init__(self) -> None:
        with _LOCK:
            self._v8 = _new_racer()
        self._v8.eval("var window = undefined; var self = globalThis;")
        self._v8.eval(ECHARTS.read_text(encoding="utf-8"))
        self._v8.eval(SSR.read_text(encoding="utf-8"))
        self._maps: set[str] = set()

    def svg(self, spec: dict[str, Any], width: int, height: int) -> str:
        """The chart of `spec` as an SVG document `width` × `height` pixels."""
        name = spec.get("map")
        geo = "null"
        if name and name in MAPS and name not in self._maps:
            geo = MAPS[name].read_text(encoding="utf-8")
            self._maps.add(name)
        # The spec (labels typed by users) goes in as a string for JSON.parse: data, never JavaScript source.
        data = json.dumps(json.dumps(spec))
        source = f"formwork_svg(JSON.parse({data}), {int(width)}, {int(height)}, {geo})"
        return str(self._v8.eval(source, timeout=TIMEOUT_MS))

    def close(self) -> None:
        self._v8.close()

    def __enter__(self) -> ChartDrawer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
