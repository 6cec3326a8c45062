"""Chromium with JavaScript switched off, at phone width, fills the CRM's public lead form: the lead is stored from
the website form and the region's assignment gives it an owner; the page leads nowhere into the app."""

from __future__ import annotations

from datetime import timedelta

from engine.records.model import Actor, Query
from tests.test_crm_automations import crm, installed_crm  # noqa: F401  (fixtures)
from tests.web.browser import chromium, live_server, new_page  # noqa: F401  (fixture)

SYSTEM = Actor.system_actor()


def test_the_lead_form_posts_without_javascript_on_a_phone(chromium, crm, clock) -> None:  # type: ignore[no-untyped-def]
    token = crm.definitions.forms["lead"].public.token
    errors: list[str] = []
    with live_server(crm) as base:
        page = new_page(chromium, base, width=390, height=844, errors=errors, javascript=False)
        page.goto(f"/f/{token}?region=east")
        assert page.locator("select[name=region]").input_value() == "east"  # pre-filled from the link
        assert page.locator("a[href^='/']").count() == 0  # no link into the app
        page.fill("input[name=name]", "林晓")
        page.fill("input[name=company]", "东方制造")
        page.fill("input[name=phone]", "13900000000")
        page.fill("textarea[name=needs]", "<b>需要</b> 报价")
        width = page.locator("form.public-form").bounding_box()["width"]
        assert width <= 390  # fits the phone's width
        clock.now += timedelta(seconds=5)  # a person takes a few seconds
        page.click("button[type=submit]")
        page.wait_for_selector("text=感谢您的咨询")
        page.context.close()
    [lead] = [r for r in crm.records.list(SYSTEM, "lead", Query(limit=500)).records if r.values.get("name") == "林晓"]
    assert lead.values["source"] == "web_form" and lead.values["region"] == "east"
    assert lead.values["needs"] == "<b>需要</b> 报价"
    crm.jobs.drain()
    [lead] = [r for r in crm.records.list(SYSTEM, "lead", Query(limit=500)).records if r.values.get("name") == "林晓"]
    assert lead.values["owner"] is not None  # assigned by the region's rule
    assert errors == []
