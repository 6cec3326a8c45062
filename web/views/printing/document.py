"""Printed records as HTML sheets and as one PDF (a page or more per record): the default layout or a form's print
template, rendered in the sandbox; a template that fails says why (PrintFailed), never a server error.

    sheets = record_sheets(Reader(ws, actor, "zh", tz), form, [7, 8], form.print_template("quote"))
    pdf = pdf_of(sheets, "zh", "报价单")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from engine.definitions.model import FormDef, PrintTemplateDef
from engine.i18n import text
from engine.printing.record import PrintRecord, print_record
from engine.printing.templates import DEFAULT, render_print
from engine.records.model import Actor
from engine.templating import TemplateProblem
from engine.workspace import Workspace
from web.i18n import translator
from web.render import environment
from web.views.display import Formatter
from web.views.printing.context import print_context

CSS = Path(__file__).resolve().parents[2] / "static" / "print.css"
PNG_DATA = "data:image/png;base64,"


class PrintFailed(Exception):
    """A print template that could not be rendered: which one and why (the sandbox's or Jinja's words)."""

    def __init__(self, template: PrintTemplateDef, reason: str):
        super().__init__(reason)
        self.template, self.reason = template, reason


@dataclass(frozen=True)
class Reader:
    """Who prints, and how they read: their actor, language and time zone."""

    ws: Workspace
    actor: Actor
    lang: str
    tz: tzinfo


def template_choices(form: FormDef, lang: str) -> list[tuple[str, str]]:
    """(id, name) of the ways the form prints: the default layout first, then its templates."""
    t = translator(lang)
    return [(DEFAULT, t("print_default"))] + [(p.id, text(p.label, lang)) for p in form.print_templates]


def record_sheets(reader: Reader, form: FormDef, record_ids: Sequence[int],
                  template: PrintTemplateDef | None) -> list[Markup]:
    """One sheet of HTML per record, as the reader may read it (NotFound / PermissionDenied as reading it does)."""
    printed = [print_record(reader.ws, reader.actor, form, i) for i in record_ids]
    fmt = Formatter(reader.ws, form, [p.record for p in printed], reader.lang, reader.tz)
    t = translator(reader.lang)
    return [_sheet(p, print_context(reader.ws, p, fmt, reader.lang, reader.tz, t), template, reader.lang, t)
            for p in printed]


def _sheet(printed: PrintRecord, context: dict[str, Any], template: PrintTemplateDef | None, lang: str,
           t: Callable[[str], str]) -> Markup:
    if template is None:
        return Markup(environment.get_template("print/_record.html").render(
            c=context, sections=printed.sections, t=t, label=lambda value: text(value, lang)))
    try:
        return Markup(render_print(template, context))  # the sandbox escaped every value
    except TemplateProblem as exc:
        raise PrintFailed(template, str(exc)) from None


def pdf_of(sheets: Sequence[Markup], lang: str, title: str) -> bytes:
    """The PDF of the sheets, each starting a new page, with page numbers."""
    import weasyprint

    t = translator(lang)
    page_text = t("print_page").replace("{page}", '" counter(page) "').replace("{pages}", '" counter(pages) "')
    html = environment.get_template("print/document.html").render(
        lang=lang, title=title, css=Markup(_css()), sheets=sheets, page_text=page_text)
    return bytes(weasyprint.HTML(string=html, url_fetcher=_image_fetcher()).write_pdf())


@lru_cache(maxsize=1)
def _css() -> str:
    return CSS.read_text(encoding="utf-8")


def _image_fetcher() -> Any:
    """A URL fetcher reading only PNG data URLs (signatures): any other address in a print came from data or a
    template, and fetching it (a file:// path, an internal address) must not happen."""
    from weasyprint.urls import URLFetcher

    class PngDataOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(PNG_DATA):
                raise ValueError(f"a print loads no URL ({url[:60]})")
            return super().fetch(url, headers)

    return PngDataOnly(allowed_protocols=("data",))
