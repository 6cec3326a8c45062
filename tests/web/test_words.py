"""No internal code or untranslated word on the CRM's screens, in Chinese and English, as a user sees them: tags
and kept option values on edit forms, lookups of options, formatted money, the timeline's channels, automation
triggers and the audit log's actions (on SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.audit import ACTIONS, record_audit
from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.records.model import Actor, Query
from engine.storage.database import write_transaction
from tests.conftest import add_user, prepared_workspace
from tests.web.test_web import sign_in
from web.app import create_app

SYSTEM = Actor(user_id=None, system=True)
ADMIN = Actor(user_id=1, is_admin=True)


def _crm(ws: Any) -> None:
    add_user(ws, "alice")  # user 1: the administrator these tests sign in as
    install(ws, find("crm"), sample_data=True)  # type: ignore[arg-type]


@pytest.fixture
def crm(request: pytest.FixtureRequest, backend: str) -> Iterator[tuple[Any, TestClient]]:
    ws = prepared_workspace(request, _crm)
    with TestClient(create_app(ws), base_url="http://testserver") as client:
        sign_in(client)
        yield ws, client


def _visible(page: str) -> str:
    """The text a reader sees (no tags, scripts or attribute values)."""
    page = re.sub(r"<script.*?</script>|<style.*?</style>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _get(client: TestClient, lang: str, url: str) -> str:
    client.get(f"/lang/{lang}")
    response = client.get(url)
    assert response.status_code == 200, url
    return response.text


def _client_with(ws: Any, tags: list[str]) -> Any:
    found = ws.records.list(SYSTEM, "client", Query(limit=1)).records[0]
    return ws.records.update(ADMIN, "client", found.id, {"tags": tags}, version=found.version)


@pytest.mark.parametrize("lang, shown", [("zh", "重点客户, 决策周期长"), ("en", "Key account, Long decision cycle")])
def test_the_edit_form_shows_tags_by_their_labels(crm, lang: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    ws, client = crm
    record = _client_with(ws, ["key_account", "long_cycle"])
    page = _get(client, lang, f"/apps/client/client/{record.id}/edit")
    box = re.search(r'<input name="tags"[^>]*>', page).group(0)  # type: ignore[union-attr]
    assert f'value="{shown}"' in box and "key_account" not in page
    assert re.search(r'<datalist id="tags-options">.*重点客户|<datalist id="tags-options">.*Key account', page, re.S)


def test_saving_tags_typed_by_their_labels_keeps_the_option_values(crm) -> None:  # type: ignore[no-untyped-def]
    ws, client = crm
    record = _client_with(ws, ["key_account"])
    page = _get(client, "zh", f"/apps/client/client/{record.id}/edit")
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    data = {**form, "tags": "重点客户, 价格敏感, 自定义"}
    names = re.findall(r'name="([a-z_]+)"', page)
    saved_before = ws.records.get(SYSTEM, "client", record.id).values
    for name in ("name", "grade", "industry"):
        if name in names and saved_before.get(name) is not None:
            data.setdefault(name, str(saved_before[name]))
    client.post(f"/apps/client/client/{record.id}/edit", data=data)
    assert ws.records.get(SYSTEM, "client", record.id).values["tags"] == ["key_account", "price_sensitive", "自定义"]


def test_a_stored_value_that_is_no_longer_an_option_stays_chosen_by_its_name(crm) -> None:  # type: ignore[no-untyped-def]
    ws, client = crm
    record = _client_with(ws, ["key_account", "legacy"])  # a free tag: kept, shown as typed
    page = _get(client, "en", f"/apps/client/client/{record.id}/edit")
    assert 'value="Key account, legacy"' in page


@pytest.mark.parametrize("lang, label", [("zh", "VIP客户"), ("en", "VIP")])
def test_a_lookup_of_an_option_shows_its_label_on_list_record_and_export(crm, lang: str, label: str) -> None:  # type: ignore[no-untyped-def]
    ws, client = crm
    vip = ws.records.list(SYSTEM, "client", Query(limit=500)).records
    vip_ids = {r.id for r in vip if r.values.get("grade") == "vip"}
    contact = next(r for r in ws.records.list(SYSTEM, "contact", Query(limit=500)).records
                   if r.values.get("client") in vip_ids)
    for url in ("/apps/client/contact?cols=name,client,client_grade", f"/apps/client/contact/{contact.id}"):
        text = _visible(_get(client, lang, url))
        assert label in text and not re.search(r"\bvip\b", text), url
    export = client.get("/apps/client/contact/export?format=csv&cols=name,client_grade").text
    assert label in export and ",vip," not in export


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_money_totals_are_formatted_like_the_amounts_beside_them(crm, lang: str) -> None:  # type: ignore[no-untyped-def]
    ws, client = crm
    rich = max(ws.records.list(SYSTEM, "client", Query(limit=500)).records,
               key=lambda r: float(r.values.get("contract_total") or 0))
    assert float(rich.values["contract_total"]) >= 1000
    for url in (f"/apps/client/client/{rich.id}", "/apps/client/client?cols=name,contract_total",
                "/apps/contract/contract"):
        text = _visible(_get(client, lang, url))
        assert "¥" in text, url
        assert not re.search(r"(?<![\d,.])\d{4,}\.\d\d\b", text), (url, re.findall(r"(?<![\d,.])\d{4,}\.\d\d", text))


@pytest.mark.parametrize("lang, word, code", [("zh", "(自动化)", "(automation)"), ("en", "(automation)", "(自动化)")])
def test_the_timeline_names_the_channel_of_a_change_in_the_readers_language(crm, lang: str, word: str, code: str) -> None:  # type: ignore[no-untyped-def]
    ws, client = crm
    record = ws.records.list(SYSTEM, "client", Query(limit=1)).records[0]
    ws.records.update(SYSTEM, "client", record.id, {"needs": "由自动化修改"}, version=record.version, via="automation")
    ws.records.update(SYSTEM, "client", record.id, {"needs": "来自新渠道"}, version=record.version + 1,
                      via="carrier_pigeon")
    text = _visible(_get(client, lang, f"/apps/client/client/{record.id}"))
    assert word in text and code not in text and "carrier_pigeon" not in text


@pytest.mark.parametrize("lang, said, code", [("zh", "状态变为「进行中」", "「running」"),
                                              ("en", "Status becomes 'Running'", "'running'")])
def test_an_automation_trigger_names_the_option_by_its_label(crm, lang: str, said: str, code: str) -> None:  # type: ignore[no-untyped-def]
    _ws, client = crm
    for url in ("/admin/automations", "/admin/automations/campaign_email_send"):
        text = _visible(_get(client, lang, url))
        assert said in text and code not in text, url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_log_names_every_action(crm, lang: str) -> None:  # type: ignore[no-untyped-def]
    ws, client = crm
    with write_transaction(ws.engine) as conn:
        record_audit(conn, ws.now(), "workflow_cancelled", actor_id=1, target="contract#1",
                     detail={"instance": 1, "reason": "重复提交"})
    page = _get(client, lang, "/admin/audit")
    offered = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', page))
    assert set(ACTIONS) <= set(offered)
    for action in ACTIONS:
        assert offered[action] != action and "_" not in offered[action], action
    text = _visible(page)
    assert ("终止审批流程" if lang == "zh" else "Approval flow cancelled") in text
    assert "workflow_cancelled" not in text and "instance:" not in text
