"""Numbers as people read them, by what a measure is (Column.kind), and as ECharts reads them (plain JSON numbers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine import locale_format as shown
from engine.reports.dataset import Column
from web.texts.charts import chart_text

NO_NUMBER = "—"
DEFAULT_DECIMALS = {"money": 2, "percent": 1, "days": 1}


def plain(value: Any) -> float | int | None:
    """A measure's value as a JSON number (Decimal to float), None staying None."""
    if value is None or isinstance(value, (date, datetime, str)):
        return None  # the earliest or latest date of a group is read in the table, not drawn as a bar
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    return float(value)


def decimals(column: Column, value: Any) -> int:
    """How many decimal places a value of the column shows: the column's own, else by kind (a whole number none)."""
    if column.decimals is not None:
        return column.decimals
    if column.kind in DEFAULT_DECIMALS:
        return DEFAULT_DECIMALS[column.kind]
    return 0 if float(value) == int(float(value)) else 2


def currency_symbol(currency: str, lang: str = "zh") -> str:
    return shown.currency_symbol(currency, lang)


def format_value(column: Column, value: Any, lang: str, currency: str = "CNY") -> str:
    """A measure's value as text: 1,234 · ¥1,234.00 · 25.0% · 12.5 天; "—" when there is none."""
    if value is None:
        return NO_NUMBER
    if column.kind == "date" or isinstance(value, (date, datetime)):
        return _when(value, lang)
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    places = decimals(column, number)
    if column.kind == "percent":
        return shown.percent(number * 100, lang, places)
    if column.kind == "money":
        return shown.money(number, column.currency or currency, lang, places)
    if column.kind == "days":
        return chart_text("chart_days", lang, n=shown.number(number, lang, places))
    return shown.number(number, lang, places)


def headline(column: Column, value: Any, lang: str, currency: str = "CNY") -> str:
    """A KPI card's big number: as `format_value`, money in whole units (¥1,234,568), as a headline reads it."""
    if column.kind == "money" and value is not None and not isinstance(value, (date, datetime)):
        return format_value(replace(column, decimals=0), value, lang, currency)
    return format_value(column, value, lang, currency)


def axis_format(column: Column, lang: str, currency: str = "CNY") -> dict[str, Any]:
    """How charts.js labels a value axis of this column (Intl.NumberFormat in the browser, compact: 1.2万, 12K)."""
    found: dict[str, Any] = {"kind": column.kind}
    if column.kind == "money":
        found["currency"] = column.currency or currency
    if column.kind == "days":
        found["suffix"] = chart_text("chart_days_suffix", lang)
    return found


def _when(value: Any, lang: str) -> str:
    """A date measure (the earliest or latest date of a group) in the reader's language: 2024年5月1日, May 1, 2024,
    with the time of day for a date-time."""
    if isinstance(value, datetime):
        return shown.moment(value, lang)
    if isinstance(value, date):
        return shown.day(value, lang)
    return str(value)[:16].replace("T", " ")
