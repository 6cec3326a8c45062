"""A small crawler for the web app (starlette TestClient) and the checks it runs on each page's visible text:
internal codes shown as text, English words on a Chinese page, unformatted money. See tests/web/test_crawl_roles.py.

It follows what a user can reach with GET: links (a[href]), htmx requests (hx-get, asked with the HX-Request header
as htmx asks them) and GET forms (their action with the form's hidden values, as a submit without typing sends it).

A page's visible text is what a user reads: element text (without <script>, <style> and <template>), the values of
visible text inputs and buttons; never attributes such as hrefs, option values or data-*."""

from __future__ import annotations

import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

from starlette.testclient import TestClient

# Links the crawl never follows: signing out or switching language changes the session; downloads are not pages.
SKIP_PATH = re.compile(r"^/(logout|lang/|static/|files/|api/v1/|hooks/|t/|f/)|/(export|download)(/|$)"
                       r"|\.(xlsx|csv|pdf|zip|json|png|jpg|svg|ico)$")
SKIP_QUERY = re.compile(r"(^|&)(format|download)=")
ID_SEGMENT = re.compile(r"/\d+(?=/|$)")
# The designer's pages of one kind (every form, report, dashboard…) are one template: a couple of each is enough.
DESIGN_SLUG = re.compile(r"^(/design/[a-z_]+|/admin/(?:permissions|roles|automations|workflows))((?:/[^/]+)+)")
MAX_PER_PATTERN = 2  # at most two records per form, two variants of a page (the list and one sorted or filtered)
MAX_PAGES = 400  # a safety net: the crawl of one role never runs away
VISIBLE_INPUTS = {"", "text", "search", "email", "tel", "url", "number", "date", "datetime-local", "time", "submit",
                  "button"}


class VisibleText(HTMLParser):
    """Collect the visible text and the same-site GET links of an HTML page: a[href], GET forms' actions (with their
    hidden values) and hx-get requests (kept apart: they are asked as htmx asks them)."""

    # Code is shown as code on purpose: an admin's formulas (<code>AND(stage = 'won', …)</code>) and YAML documents
    # (textarea.yaml-editor) are written in the definition language, whose words are ids and functions.
    SILENT = {"script", "style", "template", "noscript", "code"}

    def __init__(self, lang: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.fragments: list[str] = []  # hx-get URLs
        self._form: tuple[str, list[tuple[str, str]]] | None = None  # an open GET form: action, hidden values
        self._silent = 0
        self.lang = lang
        self._foreign: list[str] = []  # open elements marked as another language (lang="en" on a zh page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self._foreign and tag == self._foreign[0]:
            self._foreign.append(tag)
        if tag == "textarea" and "yaml-editor" in (a.get("class") or "").split() and not self._foreign:
            self._foreign.append(tag)
        if tag == "input" and a.get("lang") and not str(a["lang"]).startswith(self.lang):
            return  # an input for the English text (a designer's name_en): its value is in English by design
        if self.lang and a.get("lang") and not str(a["lang"]).startswith(self.lang) and not self._foreign:
            # text marked as in another language, such as the language switch "Switch to English" on a Chinese
            # page, is meant to be read in that language
            self._foreign.append(tag)
        if a.get("hx-get") and not self._silent and tag not in ("input", "select", "textarea") \
                and not a.get("hx-include") and not a.get("hx-vals"):
            # a control's own hx-get sends its value, hx-include and hx-vals send others: what the user chose there
            self.fragments.append(str(a["hx-get"]))
        if tag == "form" and (a.get("method") or "get").lower() == "get" and not self._silent:
            self._form = (str(a.get("action") or ""), [])
        elif tag == "input" and self._form is not None and (a.get("type") or "").lower() == "hidden" and a.get("name"):
            self._form[1].append((str(a["name"]), str(a.get("value") or "")))
        if tag in self.SILENT:
            self._silent += 1
        elif tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        elif tag == "input" and (a.get("type") or "").lower() in VISIBLE_INPUTS and a.get("value") \
                and not self._foreign:
            self.parts.append(str(a["value"]))
        if tag in ("br", "p", "div", "li", "td", "th", "option", "tr", "h1", "h2", "h3", "label", "span", "button"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            action, hidden = self._form
            self._form = None
            if action:  # a form without an action submits to the page itself: nothing new to see
                query = urlencode(hidden)
                self.links.append(action + (("&" if "?" in action else "?") + query if query else ""))
        if self._foreign and tag == self._foreign[0]:
            self._foreign.pop()
        if tag in self.SILENT and self._silent:
            self._silent -= 1
        else:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._silent and not self._foreign:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"[ \t\r\f\v]*\n\s*", "\n", "".join(self.parts))


def read_page(html: str, lang: str = "") -> VisibleText:
    parser = VisibleText(lang)
    parser.feed(html)
    parser.close()
    return parser


def pattern_of(url: str) -> str:
    """The URL's path with ids replaced: pages of one kind share it (a list sorted, filtered or paged is one list)."""
    path = ID_SEGMENT.sub("/{id}", urlsplit(url).path)
    return DESIGN_SLUG.sub(lambda m: m.group(1) + "/{slug}" * m.group(2).count("/"), path)


def same_site(base: str, href: str) -> str | None:
    """The path?query of a same-site link, or None (other sites, mailto:, javascript:, in-page anchors)."""
    href = urldefrag(href.strip())[0]
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    full = urlsplit(urljoin(base, href))
    if full.netloc not in ("", "testserver") or full.scheme not in ("", "http"):
        return None
    return full.path + (f"?{full.query}" if full.query else "")


@dataclass
class Findings:
    """What the checks found, grouped by check: {check: {url: {finding: count}}}."""

    by_check: dict[str, dict[str, Counter[str]]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, check: str, url: str, what: str) -> None:
        self.by_check[check].setdefault(url, Counter())[what] += 1

    def report(self, known: Iterable[tuple[str, str, str]] = ()) -> str:
        """Every finding, grouped by check and URL; `known` (check, URL pattern regex, finding regex) are left out."""
        lines: list[str] = []
        for check, pages in sorted(self.by_check.items()):
            shown = []
            for url, found in sorted(pages.items()):
                what = sorted(w for w in found if not any(
                    c == check and re.search(u, url) and re.search(f, w) for c, u, f in known))
                if what:
                    shown.append(f"    {url}: {', '.join(what[:12])}" + (" …" if len(what) > 12 else ""))
            if shown:
                lines += [f"  {check} ({len(shown)} pages):", *shown]
        return "\n".join(lines)


@dataclass
class Vocabulary:
    """What the text checks need to know: internal codes, the English words a Chinese page may show, and the
    words a user may have typed (sample data, user names), which are theirs to choose."""

    codes: set[str]  # option values, states, actions, triggers that differ from their labels
    english_words: set[str]  # lower-case words of the English interface texts and labels
    allowed_on_zh: set[str]  # lower-case: proper nouns and user data


# A word, not part of an e-mail, a path or a URL (docs/print.md, America/Chicago)
WORD = re.compile(r"(?<![\w@./-])[A-Za-z][A-Za-z'-]*[A-Za-z](?![\w@/-])")
# Template syntax a hint quotes ({{ record.字段 }}, {% for r in rows %}) is code, written as the user must type it.
TEMPLATE_SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
# So are a serial number pattern's placeholders ({YYYY}-{industry}-{seq:03} in the form settings' numbering input).
SERIAL_SYNTAX = re.compile(r"\{[A-Za-z_][\w.]*(?::\d+)?\}")
MONEY_SHOWN = re.compile(r"[¥￥]\s?-?\d")
UNFORMATTED = re.compile(r"(?<![\w.,:/-])\d{4,}\.\d{2}(?![\d.:-])")


# The API reference documents the values the API takes and gives: option codes are its subject there.
CODES_DOCUMENTED = re.compile(r"\] /api/docs")


def check_text(url: str, text: str, lang: str, vocab: Vocabulary, findings: Findings) -> None:
    text = SERIAL_SYNTAX.sub(" ", TEMPLATE_SYNTAX.sub(" ", text))
    for code in sorted(vocab.codes) if not CODES_DOCUMENTED.search(url) else ():
        # On an English page a code that is also a plain English word of the interface ("done", "new") may be that
        # word; there only codes that cannot be prose (with "_", or not an interface word) count.
        if lang == "en" and "_" not in code and code.lower() in vocab.english_words:
            continue
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            findings.add("internal code shown", url, code)
    if lang == "zh":
        # user data and proper nouns aside, a word of two or more Latin letters on a Chinese page is English left over
        for word in WORD.findall(text):
            if word.lower() not in vocab.allowed_on_zh and not _user_shaped(word):
                findings.add("English on a zh page", url, word)
    if MONEY_SHOWN.search(text):
        for number in UNFORMATTED.findall(text):
            findings.add("unformatted number", url, number)


def _user_shaped(word: str) -> bool:
    """Product codes, SKUs and similar identifiers a user types (SRV-R740, NAS-8): upper case with a dash or digit."""
    return bool(re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", word))


def crawl(client: TestClient, lang: str, vocab: Vocabulary, findings: Findings, start: str = "/",
          who: str = "") -> int:
    """Visit every same-site GET link from `start` (capped per URL pattern); return the number of pages seen."""
    seen_patterns: Counter[str] = Counter()
    queue: list[tuple[str, str | None, bool]] = [(start, None, False)]  # url, referrer, asked by htmx
    visited: set[tuple[str, bool]] = set()
    pages = 0
    while queue and pages < MAX_PAGES:
        url, referrer, by_htmx = queue.pop(0)
        if (url, by_htmx) in visited:
            continue
        visited.add((url, by_htmx))
        path = urlsplit(url).path
        if SKIP_PATH.search(path) or SKIP_QUERY.search(urlsplit(url).query):
            continue
        pattern = pattern_of(url) + (" (htmx)" if by_htmx else "")
        if seen_patterns[pattern] >= MAX_PER_PATTERN:
            continue
        seen_patterns[pattern] += 1
        t0 = time.monotonic()
        response = client.get(url, follow_redirects=True, headers={"HX-Request": "true"} if by_htmx else None)
        if os.environ.get("CRAWL_TRACE"):
            print(f"{time.monotonic() - t0:6.2f} {response.status_code} {url}", flush=True)
        pages += 1
        where = f"[{who}] {url} (from {referrer})" if referrer else f"[{who}] {url}"
        if response.status_code >= 500:
            findings.add("server error", where, str(response.status_code))
            continue
        if response.status_code >= 400:
            findings.add("broken link", where, str(response.status_code))
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        page = read_page(response.text, lang)
        check_text(f"[{who}] {url}", page.text, lang, vocab, findings)
        plain = {same_site(str(response.url), href) for href in page.links}
        for hrefs, htmx in ((page.links, False), (page.fragments, True)):
            for href in hrefs:
                target = same_site(str(response.url), href)
                # an hx-get beside the same href (a list's sort and page links) asks for a part of that page: skip it
                if target and (target, htmx) not in visited and not (htmx and (target in plain
                                                                                or (target, False) in visited)):
                    queue.append((target, url, htmx))
    return pages


def words_of(values: Iterable[Any]) -> set[str]:
    """Every lower-case Latin word in a nest of values (dicts, lists, strings)."""
    found: set[str] = set()
    todo = list(values)
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            todo += list(v.values())
        elif isinstance(v, (list, tuple)):
            todo += list(v)
        elif isinstance(v, str):
            found |= {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*[A-Za-z]", v)}
    return found
