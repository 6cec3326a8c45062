"""Per-record links on the web (/f/r/{token}), on the CRM: the ticket survey end to end (the ticket closes → the
automation mails the contact through a real SMTP server on loopback → the link from the mail → the survey posted
without JavaScript → the ticket has the rating; a second post says already answered), forged and expired links,
hostile values, the campaign's feedback link and where it is shown."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from engine.mail.config import save_smtp
from engine.records.model import Actor, Query
from engine.storage.database import write_transaction
from tests.crm_sample import crm_sample
from tests.engine.test_mail import SmtpServer
from tests.engine.test_record_links import closed_ticket, survey_visit
from tests.test_crm_automations import crm, installed_crm  # noqa: F401  (fixtures)
from tests.web.test_public_forms import page_token
from web.app import create_app

SYSTEM = Actor.system_actor()
CRM = Path(__file__).parents[2] / "apps_templates" / "crm"
PASSWORD = crm_sample()["password"]


@pytest.fixture
def client(crm):  # type: ignore[no-untyped-def]
    with TestClient(create_app(crm), follow_redirects=False) as c:
        yield c


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def answer(client: TestClient, clock: Any, path: str, values: dict[str, str], lang: str = "zh") -> Any:
    page = client.get(path, headers={"accept-language": lang})
    assert page.status_code == 200, page.text
    clock.now += timedelta(seconds=3)
    return client.post(path, data={"page_token": page_token(page.text), "_lang": lang, **values})


@pytest.mark.parametrize("crm", ["sqlite", "postgresql"], indirect=True)
def test_a_closed_ticket_mails_its_survey_and_the_answer_goes_back_to_it(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    server = SmtpServer().start()
    try:
        with write_transaction(crm.engine) as conn:
            save_smtp(conn, server.config())
        ticket_id = closed_ticket(crm)
        crm.jobs.drain()
        crm.jobs.drain()
        ticket = crm.records.get(SYSTEM, "ticket", ticket_id)
        [mail] = [m for m in server.inbox.messages() if m["To"] == ticket["contact_email"]]
    finally:
        server.stop()
    assert ticket["code"] in mail["Subject"]
    html = mail.get_body(("html",)).get_content()
    [href] = [h for h in re.findall(r'href="([^"]+)"', html)]
    tracked = client.get(path_of(href.replace("&amp;", "&")))  # the mail's link counts the click, then leads on
    assert tracked.status_code in (302, 303, 307)
    survey = path_of(tracked.headers["location"])
    assert survey.startswith("/f/r/")
    page = client.get(survey)
    for shown in ("服务满意度调查", "打印机无法联网", ticket["code"], "满意度", "评价"):
        assert shown in page.text
    for hidden in ("办公室打印机连不上网络", "更换网线", "/apps/", "csrf_token"):
        assert hidden not in page.text  # nothing of the ticket but what the link shows, no way into the app
    response = answer(client, clock, survey, {"satisfaction": "5", "satisfaction_comment": "很快就解决了"})
    assert response.status_code == 200 and "感谢您的评价" in response.text
    ticket = crm.records.get(SYSTEM, "ticket", ticket_id)
    assert ticket["satisfaction"] == 5 and ticket["satisfaction_comment"] == "很快就解决了"
    again = client.post(survey, data={"page_token": page_token(page.text), "satisfaction": "1"})
    assert again.status_code == 409 and "已经提交过" in again.text
    assert client.get(survey, headers={"accept-language": "en"}).text.count("Already answered") >= 1
    assert crm.records.get(SYSTEM, "ticket", ticket_id)["satisfaction"] == 5


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"),
    lambda t: "x" + t,
    lambda t: t.split(".")[0],
    lambda t: "not-a-token",
    lambda t: "%00%3Cscript%3E",
])
def test_a_forged_link_is_404_and_names_nothing(client, crm, mangle) -> None:  # type: ignore[no-untyped-def]
    visit = survey_visit(crm, closed_ticket(crm))
    for method in ("GET", "POST"):
        response = client.request(method, f"/f/r/{mangle(visit.token)}", data={"satisfaction": "1"} if method == "POST" else None)
        assert response.status_code == 404
        for secret in ("满意度", "工单", "ticket", "打印机", "survey"):
            assert secret not in response.text
    assert crm.records.get(SYSTEM, "ticket", visit.record_id)["satisfaction"] is None


def test_an_expired_link_says_so_in_the_visitors_language(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    visit = survey_visit(crm, closed_ticket(crm))
    page = client.get(f"/f/r/{visit.token}")
    clock.now += timedelta(days=15)
    for lang, words in (("zh", "链接已过期"), ("en", "This link has expired")):
        response = client.get(f"/f/r/{visit.token}", headers={"accept-language": lang})
        assert response.status_code == 410 and words in response.text
    posted = client.post(f"/f/r/{visit.token}", data={"page_token": page_token(page.text), "satisfaction": "3"})
    assert posted.status_code == 410
    assert crm.records.get(SYSTEM, "ticket", visit.record_id)["satisfaction"] is None


def test_hostile_values_are_stored_inert_and_shown_escaped(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    visit = survey_visit(crm, closed_ticket(crm))
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>{{ 7*7 }}=HYPERLINK("http://x")\u202e'
    refused = answer(client, clock, f"/f/r/{visit.token}", {"satisfaction": "9", "satisfaction_comment": hostile})
    assert refused.status_code == 422 and "<script>alert(1)" not in refused.text and "&lt;script&gt;" in refused.text
    sent = answer(client, clock, f"/f/r/{visit.token}", {"satisfaction": "2", "satisfaction_comment": hostile})
    assert sent.status_code == 200
    assert crm.records.get(SYSTEM, "ticket", visit.record_id)["satisfaction_comment"] == hostile
    sign_in(client, "liuyang")  # the service manager reads the ticket
    record = client.get(f"/apps/ticket/ticket/{visit.record_id}")
    assert record.status_code == 200
    assert "<script>alert(1)" not in record.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in record.text
    assert "{{ 7*7 }}" in record.text  # template syntax stays text
    assert "记录专属链接" in record.text  # the history says where the answer came from


def test_a_robot_filling_the_honeypot_or_posting_at_once_stores_nothing(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    visit = survey_visit(crm, closed_ticket(crm))
    path = f"/f/r/{visit.token}"
    page = client.get(path)
    fast = client.post(path, data={"page_token": page_token(page.text), "satisfaction": "1"})
    assert fast.status_code == 422 and "太快" in fast.text
    robot = answer(client, clock, path, {"satisfaction": "1", "website": "http://spam.example"})
    assert robot.status_code == 200
    assert crm.records.get(SYSTEM, "ticket", visit.record_id)["satisfaction"] is None
    assert client.get(path).status_code == 200  # still open for the customer


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    response = client.post("/login", data={"username": username, "password": password, "next": "/",
                                           "csrf_token": csrf.group(1)})
    assert response.status_code == 303
    signed_in = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert signed_in
    return signed_in.group(1)


def test_the_mail_template_preview_shows_a_working_survey_link(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import add_user

    ticket_id = closed_ticket(crm)
    add_user(crm, "mailadmin")
    csrf = sign_in(client, "mailadmin", "correct horse 1")
    preview = client.post("/admin/email/templates/new", data={
        "csrf_token": csrf, "name": "survey", "subject": "{{ record.code }}", "action": "preview",
        "body": '<a href="{{ record_links.survey }}">评价</a>', "preview_form": "ticket"})
    assert preview.status_code == 200
    found = re.search(r"/f/r/([\w-]+\.[\w-]+)", preview.text)
    assert found, preview.text
    client.cookies.clear()
    page = client.get(f"/f/r/{found.group(1)}")
    assert page.status_code == 200 and "打印机无法联网" in page.text and ticket_id


def test_the_campaign_page_offers_its_feedback_link_to_those_who_may_edit_it(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    campaign = crm.records.list(SYSTEM, "campaign", Query(limit=1)).records[0]
    sign_in(client, "sunli")  # marketing: edits campaigns
    page = client.get(f"/apps/campaign/campaign/{campaign.id}")
    found = re.search(r'id="record-link-feedback" class="token-secret" readonly value="([^"]+)"', page.text)
    assert found, page.text
    link = path_of(found.group(1))
    assert "活动反馈问卷" in page.text and 'data-copy="record-link-feedback"' in page.text
    client.cookies.clear()
    form = client.get(link, headers={"accept-language": "en"})
    assert "Your feedback on our event" in form.text and campaign["name"] in form.text
    assert 'name="campaign"' not in form.text and 'name="channel"' not in form.text
    sent = answer(client, clock, link, {"subject": "Great booth", "service_rating": "5", "campaign": "999"}, "en")
    assert sent.status_code == 200 and "Thank you for your feedback" in sent.text
    [made] = [r for r in crm.records.list(SYSTEM, "feedback", Query(limit=500)).records if r["subject"] == "Great booth"]
    assert made["campaign"] == campaign.id and made["channel"] == "survey"
    sign_in(client, "lina")  # a sales rep reads campaigns, may not edit them
    assert "record-link-feedback" not in client.get(f"/apps/campaign/campaign/{campaign.id}").text


def test_a_body_past_the_public_limit_is_refused_before_it_is_read(client, crm) -> None:  # type: ignore[no-untyped-def]
    visit = survey_visit(crm, closed_ticket(crm))
    response = client.post(f"/f/r/{visit.token}", data={"satisfaction_comment": "长" * (1024 * 1024)})
    assert response.status_code == 413 and "提交的内容太大" in response.text
    assert crm.records.get(SYSTEM, "ticket", visit.record_id)["satisfaction_comment"] is None
