"""Real Chromium on the field types added through their own module and partial: description text on the form,
a location typed by hand or taken from the browser's position, and read-only system fields on the record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user, open_workspace
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)

SHOTS = Path("/tmp/formwork-fields")  # screenshots for a person to look at; nothing asserts on them
APP = "app: field\nlabel: {zh: 外勤, en: Field work}\nforms: [visit]\n"
VISIT = """form: visit
label: {zh: 拜访, en: Visit}
title: subject
fields:
  - {id: guide, type: description, label: {zh: 填写说明, en: How to fill}, content: {zh: "<p>到达客户处后<b>点击定位</b>。<script>alert(1)</script></p><ul><li>地址可手动修改</li></ul>", en: "<p>Press <b>Use my location</b> on site.</p>"}}
  - {id: subject, type: text, label: {zh: 主题, en: Subject}, required: true}
  - {id: spot, type: location, label: {zh: 拜访地点, en: Place}}
  - {id: creator, type: created_by, label: {zh: 提交人, en: Created by}}
  - {id: created, type: created_at, label: {zh: 提交时间, en: Created at}}
  - {id: changed, type: updated_at, label: {zh: 更新时间, en: Updated at}}
  - {id: step, type: flow_node, label: {zh: 当前节点, en: Step}}
layout:
  - [guide]
  - [subject]
  - [spot]
  - [creator, created]
  - [changed, step]
"""


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    ws.publish({"field/app.yaml": APP, "field/forms/visit.yaml": VISIT})
    add_user(ws, "alice")
    with live_server(ws) as url:
        yield url
    ws.close()


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_description_location_by_hand_and_system_fields(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors)
    sign_in(page)
    page.goto("/apps/field/visit/new")
    guide = page.locator(".description")
    expect(guide).to_contain_text("到达客户处后点击定位")
    assert guide.locator("b").inner_text() == "点击定位" and guide.locator("script").count() == 0
    expect(page.locator("#creator")).to_have_text("—")  # nobody created it yet
    page.fill("[name=subject]", "回访华联")
    page.fill("[name='spot.lat']", "95")
    page.fill("[name='spot.lng']", "113.95")
    page.click(".record-form button[type=submit]")
    expect(page.locator("[data-path=spot] .error")).to_contain_text("-90")  # out of range, said at the field
    assert page.locator("[name='spot.lng']").input_value() == "113.95"  # what was typed stays
    page.fill("[name='spot.lat']", "22.54")
    page.fill("[name='spot.address']", "深圳湾科技生态园")
    shoot(page, "form-1280")
    page.click(".record-form button[type=submit]")
    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
    value = page.locator(".location-value")
    expect(value.locator(".location-address")).to_have_text("深圳湾科技生态园")
    expect(value.locator(".location-coords")).to_have_text("22.540000, 113.950000")
    expect(page.locator(".cell", has_text="提交人").locator(".field-value")).to_have_text("Alice")
    expect(page.locator(".cell", has_text="提交时间").locator(".field-value")).to_have_text("2024年3月15日 10:30")
    expect(page.locator(".cell", has_text="当前节点").locator(".field-value")).to_have_text("—")  # no value yet
    shoot(page, "record-1280")
    page.goto(page.url + "/edit")
    expect(page.locator("#creator")).to_have_text("Alice")  # read-only, no input to post
    assert page.locator("[name=creator], [name=created]").count() == 0
    assert page.locator("[name='spot.lat']").input_value() == "22.54"
    page.goto("/apps/field/visit")
    header = page.locator("table.records thead").inner_text()
    assert "提交人" in header and "拜访地点" not in header  # a location is too bulky for a list column
    assert errors == []


def test_location_from_the_browser_on_a_phone(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, errors=errors, width=375, height=740)
    page.context.grant_permissions(["geolocation"], origin=site)
    page.context.set_geolocation({"latitude": 31.2304, "longitude": 121.4737})
    sign_in(page)
    page.goto("/apps/field/visit/new")
    page.fill("[name=subject]", "上门安装")
    page.click("[data-geolocate]")
    expect(page.locator("[name='spot.lat']")).to_have_value("31.230400")
    expect(page.locator("[name='spot.lng']")).to_have_value("121.473700")
    box = page.locator("[data-location]").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375  # fits the phone's width
    shoot(page, "form-375")
    page.click(".record-form button[type=submit]")
    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
    expect(page.locator(".location-coords")).to_have_text("31.230400, 121.473700")
    assert page.locator(".location-address").count() == 0
    shoot(page, "record-375")
    assert errors == []


def test_a_refused_position_is_said_and_the_inputs_stay_editable(chromium: Any, site: str) -> None:  # noqa: F811
    page = new_page(chromium, site, locale="en-US")
    page.context.clear_permissions()
    sign_in(page)
    page.goto("/apps/field/visit/new")
    expect(page.locator(".description")).to_contain_text("Press Use my location on site.")
    page.click("[data-geolocate]")
    expect(page.locator("[data-location-status]")).to_have_text("Your location is not available: enter the coordinates")
    assert page.locator("[name='spot.lat']").is_editable()
