"""The web links of an HTML message (`<a href>` with http or https), found and rewritten in place."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable

ANCHOR_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
WEB = re.compile(r"^https?://", re.IGNORECASE)


def _url(match: re.Match[str]) -> str:
    raw = next(g for g in match.groups()[1:] if g is not None)
    return htmllib.unescape(raw).strip()


def links_in(html: str) -> list[str]:
    """Every http(s) URL an `<a href>` of the message points to, in order (repeats kept)."""
    return [url for url in (_url(m) for m in ANCHOR_HREF.finditer(html)) if WEB.match(url)]


def rewrite_links(html: str, replace: Callable[[str], str | None]) -> str:
    """The HTML with each http(s) link's URL replaced by `replace(url)` (None leaves the link as it is)."""
    def swap(match: re.Match[str]) -> str:
        url = _url(match)
        new = replace(url) if WEB.match(url) else None
        return match.group(0) if new is None else f'{match.group(1)}"{htmllib.escape(new, quote=True)}"'
    return ANCHOR_HREF.sub(swap, html)


def add_pixel(html: str, src: str) -> str:
    """The HTML with a 1×1 image loading `src` (open tracking) at the end of the body."""
    img = f'<img src="{htmllib.escape(src, quote=True)}" width="1" height="1" alt="" border="0">'
    at = html.lower().rfind("</body>")
    return f"{html[:at]}{img}{html[at:]}" if at >= 0 else html + img
