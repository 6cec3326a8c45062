"""Real Chromium with JavaScript on: the public lead form's show rule reveals a field as the visitor types; every
address the public page names is crawled as an anonymous visitor and nothing outside /f/{token} and /static answers;
the designer's public form panel turns a form's link on, chooses its fields, is published, and a new link makes the
old one answer 404. Screenshots (1280 and 375 px) go to /work/shots/publicpanel/."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import expect

from tests.conftest import add_user
from tests.test_crm_automations import crm, installed_crm  # noqa: F401  (fixtures)
from tests.web.browser import chromium, live_server, new_page, settled, sign_in  # noqa: F401  (fixture)
from tests.web.test_public_live import with_live_rule

SHOTS = Path("/work/shots/publicpanel")
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
NAMED = """() => [
  ...[...document.querySelectorAll('a[href]')].map((e) => e.getAttribute('href')),
  ...[...document.querySelectorAll('form')].map((e) => e.getAttribute('action') || ''),
  ...[...document.querySelectorAll('script[src], img[src], iframe[src]')].map((e) => e.getAttribute('src')),
  ...[...document.querySelectorAll('link[href]')].map((e) => e.getAttribute('href')),
]"""
# the app's doors an anonymous visitor might try besides what the page names
APP_PATHS = ("/", "/apps", "/apps/crm_lead/lead", "/api/v1/lead", "/design/forms/lead/public",
             "/design/forms/lead/public/qr.png", "/admin", "/files/1", "/f/", "/f/crm-lead-web-form-template-tokex")


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")


def test_a_show_rule_reveals_a_field_as_the_visitor_types_and_the_page_leads_nowhere_else(
        chromium, crm) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with_live_rule(crm)
    token = crm.definitions.forms["lead"].public.token
    errors: list[str] = []
    with live_server(crm) as base:
        for width in (1280, 375):
            page = new_page(chromium, base, width=width, height=900, errors=errors)
            page.goto(f"/f/{token}")
            job = page.locator(".cell[data-field=job_title]")
            expect(job).to_be_hidden()
            page.fill("input[name=company]", "东方制造")
            expect(job).to_be_visible()
            expect(job.locator(".req")).to_have_count(1)  # the require rule marks it too
            page.fill("input[name=name]", "林晓")
            page.evaluate(NO_SIDEWAYS) or page.wait_for_function(NO_SIDEWAYS)
            shoot(page, f"public-page-{width}")
            page.fill("input[name=company]", "")
            expect(job).to_be_hidden()
            page.context.close()

        visitor = new_page(chromium, base, errors=errors)
        visitor.goto(f"/f/{token}")
        seen: set[str] = set()
        waiting = [f"{base}/f/{token}"]
        while waiting:  # every address the public pages name, and what those name in turn (same site)
            url = waiting.pop()
            if url in seen:
                continue
            seen.add(url)
            answer = visitor.request.get(url, max_redirects=0)
            path = urlsplit(url).path
            assert path.startswith((f"/f/{token}", "/static/")), url
            assert answer.status == 200, (url, answer.status)
            if "text/html" in answer.headers.get("content-type", ""):
                visitor.goto(url)
                for named in visitor.evaluate(NAMED):
                    target = urljoin(url, named).split("#")[0]
                    if urlsplit(target).netloc == urlsplit(base).netloc:
                        waiting.append(target)
        assert any("/static/js/public-form.js" in u for u in seen) and any("?lang=en" in u for u in seen)
        for path in APP_PATHS:
            answer = visitor.request.get(base + path, max_redirects=0)
            assert answer.status in (303, 401, 404), (path, answer.status)
            if answer.status == 303:
                assert answer.headers["location"].startswith("/login"), path
        visitor.context.close()
    assert errors == []


def test_the_designer_panel_turns_a_link_on_publishes_it_and_a_new_link_ends_the_old_one(
        chromium, crm) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    add_user(crm, "alice")
    errors: list[str] = []
    with live_server(crm) as base:
        page = new_page(chromium, base, errors=errors)
        page.on("dialog", lambda dialog: dialog.accept())
        sign_in(page)
        page.goto("/design/forms/feedback")
        page.click("button:has-text('公开表单')")
        page.click("button:has-text('开启公开表单')")
        panel = page.locator("[data-public-panel]")
        expect(panel.locator(".props-saved")).to_be_visible()
        expect(panel.locator("text=选择人员、部门或记录会让访客看到它们").first).to_be_visible()  # the client picker
        settled(page)
        panel.locator("input[name=fields][value=price_rating]").uncheck()
        expect(panel.locator("input[name=fields][value=price_rating]")).not_to_be_checked()
        settled(page)
        panel.locator("input[name='title.zh']").fill("客户满意度调查")
        panel.locator("input[name='title.zh']").dispatch_event("change")
        expect(panel.locator("input[name='title.zh']")).to_have_value("客户满意度调查")
        settled(page)
        expect(panel.locator("text=这个链接在发布草稿后才生效")).to_be_visible()
        page.click("#publish-open")
        expect(page.locator("#design-dialog-body .publish-changes")).to_contain_text("公开表单")
        page.click("#publish-go")
        expect(page.locator("#design-dialog-body .notice")).to_be_visible()
        old = crm.definitions.forms["feedback"].public
        assert old is not None and "price_rating" not in old.fields and old.title == {"zh": "客户满意度调查"}

        page.goto("/design/forms/feedback")
        page.click("button:has-text('公开表单')")
        qr = page.locator("[data-public-panel] .public-qr img")
        expect(qr).to_be_visible()
        page.wait_for_function("() => document.querySelector('.public-qr img').naturalWidth > 0")  # the SVG loads
        shoot(page, "panel-1280")
        phone = new_page(chromium, base, width=375, height=800, errors=errors)
        sign_in(phone)
        phone.goto("/design/forms/feedback")
        phone.click("button:has-text('公开表单')")
        expect(phone.locator("[data-public-panel] .public-qr img")).to_be_visible()
        phone.locator("[data-public-panel]").scroll_into_view_if_needed()
        shoot(phone, "panel-375")
        phone.context.close()

        visitor = new_page(chromium, base, errors=errors)
        visitor.goto(f"/f/{old.token}")
        expect(visitor.locator("h1")).to_have_text("客户满意度调查")
        expect(visitor.locator("textarea[name=comments]")).to_be_visible()
        assert visitor.locator("[name=price_rating]").count() == 0

        page.click("[data-public-panel] button:has-text('重新生成链接')")  # confirmed in the dialog
        expect(page.locator("[data-public-panel] .props-saved")).to_be_visible()
        settled(page)
        page.click("#publish-open")
        page.click("#publish-go")
        expect(page.locator("#design-dialog-body .notice")).to_be_visible()
        new = crm.definitions.forms["feedback"].public
        assert new is not None and new.token != old.token
        assert visitor.goto(f"/f/{old.token}").status == 404
        assert visitor.goto(f"/f/{new.token}").status == 200
        visitor.context.close()
        page.context.close()
    assert errors == [], errors


def test_a_visitor_attaches_a_picture_where_the_link_allows_it(chromium, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from datetime import timedelta

    from engine.records.model import Actor, Query
    from tests.conftest import FIXTURES, open_workspace, publish_directory
    from tests.web.test_public_uploads import BLOCK, CUSTOMER, LINK, png

    ws = open_workspace(f"sqlite:///{tmp_path / 'u.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    ws.publish({CUSTOMER: ws.sources()[CUSTOMER] + BLOCK})
    picture = tmp_path / "logo.png"
    picture.write_bytes(png())
    errors: list[str] = []
    with live_server(ws) as base:
        page = new_page(chromium, base, width=375, height=800, errors=errors)
        page.goto(LINK)
        page.fill("input[name=name]", "晨光文具")
        page.set_input_files("input[type=file][name=photo]", str(picture))  # the live rules leave the file out
        page.fill("input[name=email]", "a@b.cn")
        clock.now += timedelta(seconds=5)
        shoot(page, "public-upload-375")
        page.click("button[type=submit]")
        page.wait_for_selector("text=提交成功")
        page.context.close()
    [record] = [r for r in ws.records.list(Actor.system_actor(), "customer", Query(limit=50)).records
                if r.values.get("name") == "晨光文具"]
    assert [ref["name"] for ref in record.values["photo"]] == ["logo.png"]
    ws.close()
    assert errors == [], errors
