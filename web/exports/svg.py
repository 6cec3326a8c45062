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


class ChartDrawer:
    """Draws chart specs ({option, formats, map, lang}) as SVG text."""

    def __init__(self) -> None:
        from py_mini_racer import MiniRacer

        with _LOCK:
            self._v8 = MiniRacer()
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
        source = f"formwork_svg({json.dumps(spec, ensure_ascii=False)}, {int(width)}, {int(height)}, {geo})"
        return str(self._v8.eval(source, timeout=TIMEOUT_MS))

    def close(self) -> None:
        self._v8.close()

    def __enter__(self) -> ChartDrawer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
