"""Bad dashboards are refused at publish, each problem at its file:line and path, in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.definitions.loader import load_sources, read_directory

FIXTURE = Path(__file__).parents[2] / "fixtures" / "reports"
HEAD = "dashboard: bad\nlabel: Bad\n"
ITEMS = "items:\n  - {report: pipeline, w: 6}\n  - {report: monthly, w: 6}\n  - {report: clients, w: 6}\n"


def problems(body: str, where: str = "sales/dashboards/bad.yaml") -> list:  # type: ignore[type-arg]
    sources = {**read_directory(FIXTURE), where: HEAD + body}
    return [p for p in load_sources(sources).problems if p.file.endswith(where)]


def test_the_fixture_dashboard_is_clean() -> None:
    assert problems(ITEMS) == []


@pytest.mark.parametrize(("body", "path", "words", "suggestion"), [
    ("items:\n  - {report: pipelin}\n", "/items/0/report", "unknown report 'pipelin'", "pipeline"),
    ("roles: [managr]\n" + ITEMS, "/roles/0", "unknown role 'managr'", "manager"),
    ("items:\n  - {report: other.pipeline}\n", "/items/0/report", "unknown report", None),
    ("items:\n  - {w: 3}\n", "/items/0", "exactly one of report or text", None),
    ("items:\n  - {report: pipeline, text: hi}\n", "/items/0", "exactly one of report or text", None),
    ("items:\n  - {report: pipeline, w: 13}\n", "/items/0/w", "from 1 to 12", None),
    ("items:\n  - {report: pipeline, w: 0}\n", "/items/0/w", "from 1 to 12", None),
    ("items:\n  - {report: pipeline, w: 6, x: 8}\n", "/items/0/x", "goes past 12", None),
    (ITEMS + "filters:\n  - {id: p, type: date_range, field: closed_at}\n  - {id: p, type: owner, field: owner}\n",
     "/filters/1/id", "used twice", None),
    (ITEMS + "filters:\n  - {id: p, type: date_range, field: stage}\n", "/filters/0/field", "date or date-time", None),
    (ITEMS + "filters:\n  - {id: p, type: select, field: amount}\n", "/filters/0/field", "single-choice", None),
    (ITEMS + "filters:\n  - {id: p, type: owner, field: client}\n", "/filters/0/field", "user field", None),
    (ITEMS + "filters:\n  - {id: p, type: department, field: owner}\n", "/filters/0/field", "department field", None),
    (ITEMS + "filters:\n  - {id: p, type: owner, field: ownr}\n", "/filters/0/field", "has a field 'ownr'", "owner"),
    (ITEMS + "filters:\n  - {id: p, type: date_range, field: closed_at, apply: {clients: made_at}}\n",
     "/filters/0/apply/clients", "has no field 'made_at'", None),
    (ITEMS + "filters:\n  - {id: p, type: date_range, field: closed_at, apply: {nope: created_at}}\n",
     "/filters/0/apply/nope", "not on this dashboard", None),
    (ITEMS + "filters:\n  - {id: p, type: date_range, field: closed_at, default: this_moth}\n",
     "/filters/0/default", "unknown date range", "this_month"),
    (ITEMS + "links:\n  - {from: pipeline, to: [by_industry]}\n", "/links/0/to/0", "not on this dashboard", None),
    (ITEMS + "links:\n  - {from: won_this_month, to: [monthly]}\n", "/links/0/from", "not on this dashboard", None),
    (ITEMS + "links:\n  - {from: pipeline, to: [pipeline]}\n", "/links/0", "cycle: pipeline → pipeline", None),
    (ITEMS + "links:\n  - {from: pipeline, to: [monthly]}\n  - {from: monthly, to: [pipeline]}\n", "/links/1",
     "cycle: monthly → pipeline → monthly", None),
    (ITEMS + "links:\n  - {from: pipeline, to: [monthly]}\n  - {from: monthly, to: [clients]}\n"
     "  - {from: clients, to: [pipeline]}\n", "/links/2", "cycle: clients → pipeline → monthly → clients", None),
])
def test_bad_dashboard_is_refused_with_its_place(body: str, path: str, words: str, suggestion: str | None) -> None:
    found = problems(body)
    match = [p for p in found if p.path == path and words in p.text("en")]
    assert match, [str(p) for p in found]
    assert match[0].line > 0
    assert match[0].text("zh") != match[0].text("en")
    assert suggestion is None or match[0].suggestion == suggestion


def test_a_report_without_the_field_is_simply_not_filtered() -> None:
    assert problems(ITEMS + "filters:\n  - {id: s, type: select, field: stage}\n") == []


def test_links_without_a_cycle_pass() -> None:
    assert problems(ITEMS + "links:\n  - {from: pipeline, to: [monthly, clients]}\n"
                    "  - {from: monthly, to: [clients]}\n") == []


def test_a_dashboard_outside_an_apps_dashboards_folder_is_refused() -> None:
    found = problems(ITEMS, where="sales/bad.yaml")
    assert any("<app>/dashboards/" in p.text("en") for p in found)


def test_the_schema_refuses_an_unknown_filter_type() -> None:
    found = problems(ITEMS + "filters:\n  - {id: p, type: slider, field: amount}\n")
    assert any(p.path.startswith("/filters/0/type") for p in found), [str(p) for p in found]


@pytest.mark.parametrize("word", ["reports", "dashboards"])
def test_a_form_cannot_take_the_address_of_the_report_pages(word: str) -> None:
    form = f"form: {word}\nlabel: X\nfields:\n  - {{id: name, type: text, label: Name}}\n"
    sources = {**read_directory(FIXTURE), f"sales/forms/{word}.yaml": form}
    found = [p for p in load_sources(sources).problems if p.file.endswith(f"{word}.yaml")]
    assert any("cannot be called" in p.text("en") and p.path == "/form" for p in found), [str(p) for p in found]
