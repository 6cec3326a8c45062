"""A browser's User-Agent header in plain words ("Chrome · Windows"), for the list of a user's sessions.

Only the common browsers and systems are told apart; anything else is "another browser" or "another system".
Order matters: Edge and Opera also say Chrome, Chrome also says Safari, WeChat says both.
"""

from __future__ import annotations

from collections.abc import Callable

BROWSERS: tuple[tuple[str, str], ...] = (
    ("MicroMessenger/", "sessions_wechat"), ("Edg", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
)
TEXT = "sessions_"  # names starting so are text keys, translated; the others are product names
SYSTEMS: tuple[tuple[str, str], ...] = (
    ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"), ("Windows", "Windows"),
    ("Macintosh", "macOS"), ("Linux", "Linux"),
)


def _first(agent: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for marker, name in table if marker in agent), None)


def describe_agent(agent: str | None, t: Callable[[str], str]) -> str:
    """The browser and system a User-Agent names, in the language of `t` (names of products stay as they are)."""
    agent = agent or ""
    browser = _first(agent, BROWSERS) or "sessions_other_browser"
    system = _first(agent, SYSTEMS) or "sessions_other_system"
    return " · ".join(t(name) if name.startswith(TEXT) else name for name in (browser, system))
