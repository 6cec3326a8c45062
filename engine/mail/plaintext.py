"""The plain-text alternative of an HTML message: paragraphs and line breaks kept, links as `text (url)`."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol", "blockquote", "pre",
          "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "center"}
SKIPPED = {"script", "style", "head", "title", "template"}
SPACES = re.compile(r"[ \t\r\f\v]+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[tuple[str, int]] = []  # href, where its text starts in parts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append("  ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            if href.startswith(("http://", "https://", "mailto:")) and href.removeprefix("mailto:") != label:
                self.parts.append(f" ({href.removeprefix('mailto:')})" if label else href)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(SPACES.sub(" ", data.replace("\n", " ")))


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML fragment or document."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
