"""Chromium answers a ticket's satisfaction survey with JavaScript switched off at phone width (and looks right at
desktop width), and a marketing user copies a campaign's feedback link from the campaign's page."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from engine.records.model import Actor, Query
from tests.engine.test_record_links import closed_ticket, survey_visit
from tests.test_crm_automations import crm, installed_crm  # noqa: F401  (fixtures)
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.test_record_links import PASSWORD

SYSTEM = Actor.system_actor()
SHOTS = Path(os.environ.get("FORMWORK_SCREENSHOTS", "/tmp/formwork-shots"))


def test_a_customer_rates_a_ticket_on_a_phone_without_javascript(chromium, crm, clock) -> None:  # type: ignore[no-untyped-def]
    visit = survey_visit(crm, closed_ticket(crm))
    errors: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    with live_server(crm) as base:
        wide = new_page(chromium, base, width=1280, height=900, errors=errors)
        wide.goto(f"/f/r/{visit.token}")
        expect(wide.locator("h1")).to_have_text("服务满意度调查")
        wide.screenshot(path=str(SHOTS / "survey-1280.png"), full_page=True)
        wide.context.close()
        page = new_page(chromium, base, width=375, height=812, errors=errors, javascript=False)
        page.goto(f"/f/r/{visit.token}")
        assert page.locator("a[href^='/']").count() == 0  # no link into the app
        assert page.locator("form.public-form").bounding_box()["width"] <= 375
        page.click("label[for=satisfaction-star-4]")
        page.fill("textarea[name=satisfaction_comment]", "工程师很专业 <b>赞</b>")
        page.screenshot(path=str(SHOTS / "survey-375.png"), full_page=True)
        clock.now += timedelta(seconds=5)
        page.click("button[type=submit]")
        page.wait_for_selector("text=感谢您的评价")
        page.goto(f"/f/r/{visit.token}")
        page.wait_for_selector("text=已经提交过了")
        page.context.close()
    ticket = crm.records.get(SYSTEM, "ticket", visit.record_id)
    assert ticket["satisfaction"] == 4 and ticket["satisfaction_comment"] == "工程师很专业 <b>赞</b>"
    assert errors == []


def test_marketing_copies_the_campaign_feedback_link(chromium, crm) -> None:  # type: ignore[no-untyped-def]
    campaign = crm.records.list(SYSTEM, "campaign", Query(limit=1)).records[0]
    errors: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    with live_server(crm) as base:
        for width in (1280, 375):
            page = new_page(chromium, base, width=width, height=900, errors=errors)
            page.context.grant_permissions(["clipboard-read", "clipboard-write"])
            sign_in(page, "sunli", PASSWORD)
            page.goto(f"/apps/campaign/campaign/{campaign.id}")
            box = page.locator("[data-record-link=feedback]")
            expect(box.locator("input")).to_have_value(re.compile(r"^https?://[^/]+/f/r/[\w-]+\.[\w-]+$"))
            box.scroll_into_view_if_needed()
            box.locator("button").click()
            expect(box.locator("button")).to_have_text("已复制")
            assert box.bounding_box()["width"] <= width
            page.locator("section.record-links").screenshot(path=str(SHOTS / f"campaign-links-{width}.png"))
            page.context.close()
    assert errors == []
