"""The public page's live rules (/f/{token}/live): what the visitor typed gives which of the link's fields are hidden
or required now, and nothing else; bound to the link and to a page it served, rate-limited, refused when off."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.test_crm_automations import crm, installed_crm  # noqa: F401  (fixtures)
from tests.web.test_public_forms import link, page_token
from web.app import create_app
from web.public_limits import RateLimits

RULES = ('- {show: [job_title], when: "NOT(ISEMPTY(company))"}',
         '- {require: [job_title], when: "NOT(ISEMPTY(company))"}')


def with_live_rule(ws: Any) -> None:
    """The lead form's link offers the job title, which shows (and is required) once a company is given."""
    form = ws.definitions.forms["lead"]
    path = form.source.file
    source = ws.sources()[path]
    source = source.replace("fields: [name, company, phone, email, region, needs]",
                            "fields: [name, company, job_title, phone, email, region, needs]")
    after = source.split("\nrules:\n", 1)[1]
    indent = after[:len(after) - len(after.lstrip(" "))]  # as the stored document indents its rules
    source = source.replace("\nrules:\n", "\nrules:\n" + "".join(f"{indent}{r}\n" for r in RULES), 1)
    ws.publish({path: source})


@pytest.fixture
def client(crm):  # type: ignore[no-untyped-def]
    with_live_rule(crm)
    with TestClient(create_app(crm), follow_redirects=False) as c:
        yield c


def test_the_answer_names_only_the_links_fields_as_the_rules_say(client, crm) -> None:  # type: ignore[no-untyped-def]
    page = client.get(link(crm))
    assert 'src="/static/js/public-form.js"' in page.text and f'data-live="{link(crm)}/live"' in page.text
    assert 'data-field="job_title" hidden' in page.text  # hidden before anything is typed (also without JS)
    token = page_token(page.text)
    empty = client.post(link(crm) + "/live", data={"page_token": token, "name": "周婷"})
    assert empty.status_code == 200
    assert empty.json() == {"hidden": ["job_title"], "required": ["name"]}  # invalid_reason etc. never named
    typed = client.post(link(crm) + "/live", data={"page_token": token, "company": "星河贸易", "status": "invalid"})
    assert typed.json() == {"hidden": [], "required": ["job_title", "name"]}  # a posted non-public field is ignored
    assert typed.headers["cache-control"] == "no-store"


def test_refused_without_a_served_page_for_an_unknown_or_closed_link_and_past_the_limit(client, crm) -> None:  # type: ignore[no-untyped-def]
    token = page_token(client.get(link(crm)).text)
    assert client.post(link(crm) + "/live", data={"page_token": "1.forged"}).status_code == 400
    assert client.post(link(crm) + "/live", data={}).status_code == 400
    assert client.post("/f/not-a-real-link-token-000/live", data={"page_token": token}).status_code == 404
    assert client.get(link(crm) + "/live").status_code == 405
    client.app.state.public_live_limits = RateLimits(2, 100)
    answers = [client.post(link(crm) + "/live", data={"page_token": token}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    from engine import public_forms

    public_forms.change_link(crm, "lead", enabled=False)
    assert client.post(link(crm) + "/live", data={"page_token": token}).status_code == 403
