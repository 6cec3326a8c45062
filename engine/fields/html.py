"""Sanitising rich text: only harmless formatting tags and http(s)/mailto links survive."""

from __future__ import annotations

import nh3

TAGS = {"p", "br", "div", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "a", "h2", "h3", "h4",
        "blockquote", "code", "pre", "hr"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str) -> str:
    """The HTML with scripts, event handlers, styles and unsafe links removed (ammonia via nh3)."""
    return nh3.clean(value, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True).strip()
