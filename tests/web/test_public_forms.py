"""Public forms (/f/{token}) on the CRM's web-to-lead form: anonymous posts without JavaScript, the signed page
token's time check, the honeypot, rate limits, hostile values, fixed values and pre-fill, JSON with CORS."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from engine import public_forms
from engine.records.model import Actor, Query
from engine.settings import Settings
from tests.test_crm_automations import crm, installed_crm, usernames  # noqa: F401  (fixtures)
from web.app import create_app

SYSTEM = Actor.system_actor()
LEAD = {"name": "周婷", "company": "星河贸易", "phone": "13800000000", "email": "zt@xh.cn", "region": "south",
        "needs": "想了解报价"}


def link(ws) -> str:  # type: ignore[no-untyped-def]
    public = ws.definitions.forms["lead"].public
    assert public is not None
    return f"/f/{public.token}"


def page_token(html: str) -> str:
    found = re.search(r'name="page_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def leads(ws, name: str):  # type: ignore[no-untyped-def]
    return [r for r in ws.records.list(SYSTEM, "lead", Query(limit=500)).records if r.values.get("name") == name]


@pytest.fixture
def client(crm):  # type: ignore[no-untyped-def]
    with TestClient(create_app(crm), follow_redirects=False) as c:
        yield c


def fill(client, ws, clock, values, lang="zh", wait=3.0, **extra):  # type: ignore[no-untyped-def]
    page = client.get(link(ws), headers={"accept-language": lang})
    assert page.status_code == 200
    clock.now += timedelta(seconds=wait)
    return client.post(link(ws), data={"page_token": page_token(page.text), "_lang": lang, **values, **extra})


def test_an_anonymous_visitor_sends_a_lead_that_is_assigned_by_region(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    page = client.get(link(crm))
    assert page.status_code == 200
    for label in ("联系我们", "联系人姓名", "公司名称", "电话", "邮箱", "所在区域", "需求描述"):
        assert label in page.text
    for hidden in ("线索来源", "负责人", "线索评分", "预算", "/apps/", "/admin", "/login", "csrf_token"):
        assert hidden not in page.text  # nothing else of the form, no way into the app
    assert 'name="viewport"' in page.text
    response = fill(client, crm, clock, LEAD)
    assert response.status_code == 200
    assert "感谢您的咨询" in response.text
    [lead] = leads(crm, "周婷")
    assert lead.values["source"] == "web_form"  # the fixed value
    assert lead.values["owner"] is None  # nobody's until assignment
    crm.jobs.drain()
    [lead] = leads(crm, "周婷")
    assert usernames(crm)[int(lead.values["owner"])]  # the region's rule gave it a sales rep


def test_the_page_speaks_the_visitors_language(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    page = client.get(link(crm), headers={"accept-language": "en-US,en;q=0.9"})
    assert "Contact us" in page.text and "Company" in page.text and "Send" in page.text and "公司名称" not in page.text
    response = fill(client, crm, clock, {**LEAD, "name": "Ann"}, lang="en")
    assert "One of our sales advisers will contact you" in response.text


def test_errors_are_shown_at_the_field_and_nothing_is_stored(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    response = fill(client, crm, clock, {"company": "无名公司", "email": "not-an-email"})
    assert response.status_code == 422
    assert "请修改标出的内容" in response.text
    assert 'value="无名公司"' in response.text  # what was typed stays
    assert not [r for r in crm.records.list(SYSTEM, "lead", Query(limit=500)).records
                if r.values.get("company") == "无名公司"]


def test_hostile_values_are_stored_inert_and_shown_escaped(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    hostile = {"name": "<script>alert(1)</script>", "company": "{{ 7*7 }}'; DROP TABLE lead;--",
               "needs": "=HYPERLINK(\"http://evil\")\u202e gnp.exe", "phone": "13800000000"}
    assert fill(client, crm, clock, hostile).status_code == 200
    [lead] = leads(crm, hostile["name"])
    assert lead.values["company"] == hostile["company"]
    # shown again (an error page keeps what was typed): escaped
    again = fill(client, crm, clock, {**hostile, "email": "bad"})
    assert again.status_code == 422
    assert "<script>alert(1)</script>" not in again.text and "&lt;script&gt;" in again.text
    assert "49" not in again.text.split("公司名称")[1][:300]


def test_a_forged_or_unknown_token_is_a_404_that_reveals_nothing(client, crm) -> None:  # type: ignore[no-untyped-def]
    for path in ("/f/forged-token-1234567890", "/f/" + "x" * 500, "/f/%E2%80%AE"):
        response = client.get(path)
        assert response.status_code == 404
        assert "线索" not in response.text and "/apps/" not in response.text and "/login" not in response.text
    assert client.post("/f/forged-token-1234567890", data={"name": "x"}).status_code == 404


def test_a_forged_page_token_is_refused(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    response = client.post(link(crm), data={**LEAD, "name": "伪造", "page_token": "9999.AAAA"})
    assert response.status_code == 400
    assert "请重新打开表单链接" in response.text
    assert leads(crm, "伪造") == []


def test_a_post_sooner_than_two_seconds_is_refused(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    response = fill(client, crm, clock, {**LEAD, "name": "机器人"}, wait=0.5)
    assert response.status_code == 422
    assert "提交得太快了" in response.text and 'value="机器人"' in response.text
    assert leads(crm, "机器人") == []
    clock.now += timedelta(seconds=3)  # the page's fresh token; a person presses Send again
    retry = client.post(link(crm), data={**LEAD, "name": "机器人", "page_token": page_token(response.text)})
    assert retry.status_code == 200 and len(leads(crm, "机器人")) == 1


def test_the_honeypot_stores_nothing(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    response = fill(client, crm, clock, {**LEAD, "name": "蜜罐"}, website="http://spam.example")
    assert response.status_code == 200  # the robot is not told
    assert leads(crm, "蜜罐") == []


def test_url_parameters_prefill_only_the_fields_allowed(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    page = client.get(link(crm) + "?region=north&source=exhibition&owner=1")
    assert re.search(r'<option value="north"\s+selected', page.text)
    assert "exhibition" not in page.text
    # a posted value for a field the link does not offer is ignored: the fixed value stands
    fill(client, crm, clock, {**LEAD, "name": "固定值", "source": "referral", "owner": "1", "budget": "999999"})
    [lead] = leads(crm, "固定值")
    assert lead.values["source"] == "web_form" and lead.values["budget"] is None


def test_a_flood_from_one_address_gets_429_and_the_site_goes_on(crm, clock) -> None:  # type: ignore[no-untyped-def]
    crm.settings = Settings({**crm.settings.values, "public_posts_per_address": "3"})
    with TestClient(create_app(crm), follow_redirects=False) as client:
        for i in range(3):
            assert fill(client, crm, clock, {**LEAD, "name": f"洪水{i}"}).status_code == 200
        flooded = fill(client, crm, clock, {**LEAD, "name": "洪水3"})
        assert flooded.status_code == 429
        assert "提交太频繁" in flooded.text and int(flooded.headers["retry-after"]) > 0
        assert leads(crm, "洪水3") == []
        assert client.get(link(crm)).status_code == 200  # the page still opens
        assert client.get("/login").status_code == 200  # the rest of the site is unaffected
        clock.now += timedelta(minutes=11)
        assert fill(client, crm, clock, {**LEAD, "name": "洪水4"}).status_code == 200


def test_a_switched_off_link_says_so_and_a_new_token_retires_the_old(client, crm, clock) -> None:  # type: ignore[no-untyped-def]
    old = link(crm)
    public_forms.change_link(crm, "lead", enabled=False)
    closed = client.get(old)
    assert closed.status_code == 403 and "表单已关闭" in closed.text
    public_forms.change_link(crm, "lead", enabled=True, regenerate=True)
    assert client.get(old).status_code == 404
    assert client.get(link(crm)).status_code == 200 and link(crm) != old


def test_a_body_over_the_limit_is_413(client, crm) -> None:  # type: ignore[no-untyped-def]
    response = client.post(link(crm), data={"needs": "长" * 1_000_000})
    assert response.status_code == 413
    assert "提交的内容太大" in response.text


def test_json_from_an_allowed_origin_with_cors(crm) -> None:  # type: ignore[no-untyped-def]
    path = crm.definitions.forms["lead"].source.file
    text = crm.sources()[path].replace("  prefill: [region]", "  prefill: [region]\n  origins: ['https://www.example.cn']")
    crm.publish({path: text})
    with TestClient(create_app(crm), follow_redirects=False) as client:
        url = link(crm)
        origin = {"origin": "https://www.example.cn"}
        preflight = client.options(url, headers={**origin, "access-control-request-method": "POST"})
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "https://www.example.cn"
        sent = client.post(url, json={**LEAD, "name": "接口线索", "source": "referral"}, headers=origin)
        assert sent.status_code == 201, sent.text
        assert sent.headers["access-control-allow-origin"] == "https://www.example.cn"
        [lead] = leads(crm, "接口线索")
        assert lead.values["source"] == "web_form"
        bad = client.post(url, json={"company": "x"}, headers=origin)
        assert bad.status_code == 422 and "name" in bad.json()["error"]["fields"]
        other = client.post(url, json={**LEAD, "name": "别的网站"}, headers={"origin": "https://evil.example"})
        assert other.status_code == 403 and "access-control-allow-origin" not in other.headers
        assert client.post(url, json={**LEAD, "name": "无来源"}).status_code == 403
        assert leads(crm, "别的网站") == [] and leads(crm, "无来源") == []


def test_the_per_link_limit_holds_across_addresses(crm, clock) -> None:  # type: ignore[no-untyped-def]
    from engine.public_limits import PostLimits

    limits = PostLimits(crm, per_address=5, per_link=3)
    assert [limits.take(f"10.0.0.{i}", "link-a") for i in range(3)] == [None, None, None]
    assert limits.take("10.0.0.9", "link-a") == pytest.approx(600)  # the link is full, for everyone
    assert limits.take("10.0.0.9", "link-b") is None  # another link is not
    clock.now += timedelta(minutes=10, seconds=1)
    assert limits.take("10.0.0.9", "link-a") is None


def test_a_redirect_sends_the_browser_on_after_a_post(crm, clock) -> None:  # type: ignore[no-untyped-def]
    path = crm.definitions.forms["lead"].source.file
    text = crm.sources()[path].replace("  prefill: [region]",
                                       "  prefill: [region]\n  redirect: 'https://www.example.cn/thanks?a=1&b=2'")
    crm.publish({path: text})
    with TestClient(create_app(crm), follow_redirects=False) as client:
        response = fill(client, crm, clock, {**LEAD, "name": "跳转"})
    assert response.status_code == 200
    assert 'http-equiv="refresh" content="0; url=https://www.example.cn/thanks?a=1&amp;b=2"' in response.text
    assert len(leads(crm, "跳转")) == 1
