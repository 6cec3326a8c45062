"""A right-to-left override in user text is shown isolated and without its power to reverse: on the list, the record
page, the kanban, the edit form (kept exact there), exports and uploads."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from starlette.testclient import TestClient

from engine.bidi import isolated
from engine.records.model import Actor
from tests.web.test_attacks import PNG
from tests.web.test_web import sign_in
from web.app import create_app
from web.isolation import mark_data
from web.render import environment

ADMIN = Actor(user_id=1, is_admin=True)
SPOOF = "\u202egnp.exe"
SHOWN = isolated(SPOOF)
OVERRIDES = re.compile("[\u202a-\u202e]")


@pytest.fixture
def spoofed(shop):  # type: ignore[no-untyped-def]
    record = shop.records.create(ADMIN, "customer", {"name": SPOOF, "grade": "A", "notes": "note " + SPOOF})
    with TestClient(create_app(shop), base_url="http://testserver") as client:
        sign_in(client)
        yield client, record.id


def test_list_record_page_and_kanban_show_the_title_isolated(spoofed) -> None:  # type: ignore[no-untyped-def]
    client, record_id = spoofed
    for url in ("/apps/sales/customer", f"/apps/sales/customer/{record_id}", "/apps/sales/customer/kanban?by=grade"):
        html = client.get(url).text
        assert SHOWN in html, url
        assert not OVERRIDES.search(html), url  # no override reaches the browser: letters show as typed


def test_the_edit_form_keeps_the_value_exact(spoofed) -> None:  # type: ignore[no-untyped-def]
    client, record_id = spoofed
    html = client.get(f"/apps/sales/customer/{record_id}/edit").text
    assert f'value="{SPOOF}"' in html  # data goes back as it came: saving the form does not change it
    assert f">note {SPOOF}</textarea>" in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_show_the_title_isolated(spoofed, fmt: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = spoofed
    response = client.get(f"/apps/sales/customer/export?format={fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    cells = [str(c) for row in rows[1:] for c in row]
    assert SHOWN in cells and SPOOF not in cells and not any(OVERRIDES.search(c) for c in cells)


def test_an_uploaded_file_name_is_cleaned(spoofed) -> None:  # type: ignore[no-untyped-def]
    client, _ = spoofed
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/apps/sales/customer/new").text)
    sent = client.post("/apps/sales/customer/upload/photo", files={"file": ("photo\u202egnp.exe", PNG, "image/png")},
                       headers={"x-csrf-token": token.group(1) if token else ""})
    assert sent.status_code == 201, sent.text
    assert sent.json()["name"] == "photognp.exe"
    download = client.get(sent.json()["url"] + "?download=1")
    assert "\u202e" not in download.headers["content-disposition"] and "%E2%80%AE" not in \
        download.headers["content-disposition"]


def test_data_attributes_and_raw_elements_are_kept_exact() -> None:
    source = ('<input name="{{ f }}" value="{{- v -}}" title="{{ t }}" {% if x %}checked{% endif %}>'
              '<a href="/x?q={{ q }}" aria-label="{{ t }}">{{ t }}</a><textarea>{{ v }}</textarea>'
              '{% macro go(url) %}hx-get="{{ url }}"{% endmacro %}<p title=\'{{ "a>b" }}\'>{{ {"a": {"b": 1}} }}</p>')
    marked = mark_data(source)
    assert marked.count("|verbatim") == 5 and 'title="{{ t }}"' in marked and 'aria-label="{{ t }}"' in marked
    html = environment.from_string(source).render(f=SPOOF, v=SPOOF, t=SPOOF, q=SPOOF, x=False)
    assert f'name="{SPOOF}" value="{SPOOF}" title="{SHOWN}"' in html
    assert f'href="/x?q={SPOOF}" aria-label="{SHOWN}">{SHOWN}</a><textarea>{SPOOF}</textarea>' in html


def test_html_values_pass_as_they_are() -> None:
    from markupsafe import Markup

    html = environment.from_string("{{ v }}|{{ w }}|{{ n }}").render(v=Markup("<b>\u202egnp.exe</b>"), w="<i>", n=3)
    assert html == "<b>\u202egnp.exe</b>|&lt;i&gt;|3"  # a macro's output: its values were finalized inside it
