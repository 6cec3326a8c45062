"""A PDF of an ordered list of blocks — a report (its chart drawn as on the screen, or its table, pivot or KPI card)
or a text — with a title, the time it was made, the filters in words and page numbers. A report's page exports
one block; a dashboard passes its items in order.

    blocks = [report_block(ws, actor, ws.definitions.reports["funnel"], "zh"), TextBlock("本周重点：跟进大客户")]
    pdf: bytes = render_pdf(blocks, "zh", "销售经理看板", made=ws.now().astimezone(ws.tz))

WeasyPrint lays the HTML out (Noto CJK for Chinese; it needs the pango libraries), the charts are SVG drawn by
the vendored ECharts in an embedded V8 (svg.py), so they stay vector graphics in the PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup

from engine.i18n import text
from engine.locale_format import zoned_moment
from engine.records.model import Actor
from engine.reports.dataset import Dataset
from engine.reports.model import ReportDef
from engine.reports.run import run_report
from engine.workspace import Workspace
from web.charts import Chart, render
from web.exports.svg import ChartDrawer
from web.exports.words import filter_words
from web.i18n import translator
from web.render import environment
from web.texts.exports import export_text

PAGE_WIDTH = {False: 680, True: 1000}  # CSS pixels between the margins of an A4 page, upright or landscape
WIDE_TABLE = 10  # a table or pivot with more columns turns the pages to landscape
CHART_HEIGHT = {"kpi": 0, "gauge": 260, "pie": 300, "ring": 300, "map_china": 420}
DEFAULT_HEIGHT = 320


@dataclass(frozen=True)
class ReportBlock:
    """A report drawn: its title, its chart (web.charts.render's result) and its own filters in words."""

    title: str
    chart: Chart
    filters: Sequence[str] = ()
    height: int | None = None  # of an ECharts chart, in CSS pixels (a default per chart type)


@dataclass(frozen=True)
class TextBlock:
    """A paragraph of text (a dashboard's text item) under its title, already in the reader's language."""

    text: str
    title: str = ""


@dataclass(frozen=True)
class NoteBlock:
    """A report that is not drawn, with why (no data, a field hidden from the reader): its title and the message."""

    title: str
    message: str
    filters: Sequence[str] = ()


Block = ReportBlock | TextBlock | NoteBlock


@dataclass(frozen=True)
class Page:
    """What the document says at its top besides the blocks."""

    title: str
    made: datetime  # in the workspace time zone
    filters: Sequence[str] = ()  # filters applying to every block (a dashboard's), in words
    extra: Sequence[str] = field(default_factory=tuple)  # further lines under the title


def report_block(ws: Workspace, actor: Actor, report: ReportDef, lang: str,
                 dataset: Dataset | None = None) -> ReportBlock:
    """Run `report` as `actor` (unless its `dataset` is given) and draw it (ReportForbidden when they may not
    run it)."""
    if dataset is None:
        dataset = run_report(ws.records, actor, report)
    chart = render(report.chart.type, dataset, dict(report.chart.options), lang)
    return ReportBlock(text(report.label, lang), chart, filter_words(ws.records, report, lang))


def render_pdf(blocks: Sequence[Block], lang: str, title: str, *, made: datetime,
               filters: Sequence[str] = (), extra: Sequence[str] = ()) -> bytes:
    """The PDF of `blocks`, in order, for a reader of `lang`."""
    return render_document(blocks, lang, Page(title, made, filters, extra))


def render_document(blocks: Sequence[Block], lang: str, page: Page) -> bytes:
    """The PDF of the blocks under `page`'s heading."""
    import weasyprint

    html = document_html(blocks, lang, page)
    return bytes(weasyprint.HTML(string=html, url_fetcher=_fetch_nothing).write_pdf())


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> Any:
    """The document is self-contained (inline SVG and CSS, local fonts): any URL in it came from data, and
    fetching it (a file:// path, an internal address) must not happen."""
    raise ValueError(f"a report PDF loads no URL ({url[:60]})")


def document_html(blocks: Sequence[Block], lang: str, page: Page) -> str:
    """The HTML WeasyPrint lays out (charts already drawn as inline SVG)."""
    t = translator(lang)
    drawn: list[dict[str, Any]] = []
    widest = max([_columns(b.chart) for b in blocks if isinstance(b, ReportBlock)], default=0)
    landscape = widest > WIDE_TABLE
    with _drawer(blocks) as drawer:
        for block in blocks:
            if isinstance(block, TextBlock):
                drawn.append({"text": block.text, "title": block.title})
            elif isinstance(block, NoteBlock):
                drawn.append({"title": block.title, "filters": "; ".join(block.filters),
                              "body": Markup('<p class="chart-empty">{}</p>').format(block.message)})
            else:
                drawn.append({"title": block.title, "filters": "; ".join(block.filters),
                              "body": _body(block, drawer, lang, PAGE_WIDTH[landscape])})
    made = export_text("export_made", lang, time=zoned_moment(page.made, lang))
    shown = export_text("export_filters", lang, filters="; ".join(page.filters)) if page.filters else ""
    return environment.get_template("exports/document.html").render(
        lang=lang, t=t, landscape=landscape, table_font=_table_font(widest), title=page.title, made=made,
        filters=shown, extra=list(page.extra), blocks=drawn,
        page_text=export_text("export_page", lang, page="\" counter(page) \"", pages="\" counter(pages) \""))


class _NoDrawer:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: Any) -> None:
        return None


def _drawer(blocks: Sequence[Block]) -> Any:
    """A V8 chart drawer when some block is an ECharts chart (none needed for tables and text)."""
    needs = any(isinstance(b, ReportBlock) and "spec" in b.chart.context for b in blocks)
    return ChartDrawer() if needs else _NoDrawer()


def _table_font(columns: int) -> float:
    """The font size (pt) of tables: smaller as they get wider, so a wide pivot still fits across the page."""
    return round(max(5.0, min(9.0, 170 / columns)) if columns else 9.0, 1)


def _columns(chart: Chart) -> int:
    """How many columns a table or pivot shows (0 for other charts)."""
    head = chart.context.get("head") or []
    first = head[0].cells if head and hasattr(head[0], "cells") else head
    return sum(getattr(c, "colspan", 1) for c in first)


def _body(block: ReportBlock, drawer: ChartDrawer | None, lang: str, width: int) -> Markup:
    chart = block.chart
    if "spec" in chart.context and drawer is not None:
        height = block.height or CHART_HEIGHT.get(chart.type, DEFAULT_HEIGHT)
        return Markup(drawer.svg(chart.context["spec"], width, height))  # ECharts' own SVG, escaped by it
    return Markup(environment.get_template(chart.template).render(chart=chart, t=translator(lang),
                                                                  chart_title=block.title))
