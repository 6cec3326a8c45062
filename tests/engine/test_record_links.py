"""Per-record links (`record_links:`): what the checker refuses, the signed token (forged, altered, expired), a
survey written back to its ticket once (two answers at once: one wins), and feedback created on a campaign."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from engine.definitions.loader import load_sources
from engine.errors import RecordInvalid
from engine.record_links import tokens, visits
from engine.record_links.answers import AlreadyAnswered
from engine.record_links.visits import ANSWERED, EXPIRED, OPEN, LinkExpired
from engine.records.model import Actor
from engine.records.query import Query
from engine.storage.database import read_transaction
from engine.storage.system import history
from tests.test_crm_automations import crm, installed_crm  # noqa: F401  (fixtures)

SYSTEM = Actor.system_actor()
TICKET = "ticket/forms/ticket.yaml"
SURVEY = ("record_links:\n  - id: survey\n    label: {zh: 调查, en: Survey}\n    fields: [satisfaction]\n")


def crm_sources(ws: Any, path: str, block: str) -> list[str]:
    """The problems of the CRM's documents with `block` replacing the record links of the document at `path`."""
    sources = ws.sources()
    key = next(k for k in sources if k.endswith(path))
    text = sources[key]
    sources[key] = text[:text.index("record_links:")] + block
    return [str(p) for p in load_sources(sources).problems]


@pytest.mark.parametrize(("path", "block", "said"), [
    (TICKET, SURVEY.replace("[satisfaction]", "[satisfactoin]"), "form 'ticket' has no field 'satisfactoin'"),
    (TICKET, SURVEY.replace("[satisfaction]", "[assignee]"), "cannot be filled by an anonymous visitor"),
    (TICKET, SURVEY.replace("[satisfaction]", "[response_hours]"), "cannot be filled by an anonymous visitor"),
    (TICKET, SURVEY + "    show: [nope]\n", "cannot be shown on the link's page"),
    (TICKET, SURVEY + "    form: feedback\n", "'form' is only for links of kind create"),
    (TICKET, SURVEY + SURVEY.replace("record_links:\n", ""), "link id 'survey' is used twice"),
    (TICKET, SURVEY + "    expires_days: 0\n", "expires_days"),
    ("campaign/forms/campaign.yaml", SURVEY.replace("[satisfaction]", "[subject]") + "    kind: create\n",
     "a link of kind create names the form"),
    ("campaign/forms/campaign.yaml", SURVEY.replace("[satisfaction]", "[subject]")
     + "    kind: create\n    form: feedback\n    relation: ticket\n", "relating one record of 'campaign'"),
    ("campaign/forms/campaign.yaml", SURVEY.replace("[satisfaction]", "[subject]")
     + "    kind: create\n    form: feedbak\n    relation: campaign\n", "unknown form 'feedbak'"),
])
def test_the_checker_refuses_what_a_record_link_may_not_do(crm, path: str, block: str, said: str) -> None:  # type: ignore[no-untyped-def]
    found = crm_sources(crm, path, block)
    assert any(said in p for p in found), found


def test_the_crm_links_are_read(crm) -> None:  # type: ignore[no-untyped-def]
    survey = crm.definitions.forms["ticket"].record_link("survey")
    assert survey is not None and survey.once and survey.expires_days == 14 and survey.kind == "update"
    feedback = crm.definitions.forms["campaign"].record_link("feedback")
    assert feedback is not None and feedback.kind == "create" and feedback.relation == "campaign"


def test_a_token_is_signed_and_carries_its_record_and_expiry(crm, clock) -> None:  # type: ignore[no-untyped-def]
    secret = tokens.key(crm)
    token = tokens.make(secret, "ticket", 7, "survey", clock.now + timedelta(days=14))
    named = tokens.read(secret, token)
    assert named is not None and (named.form, named.record_id, named.link) == ("ticket", 7, "survey")
    assert not named.expired(clock.now) and named.expired(clock.now + timedelta(days=14))
    other = tokens.make(secret, "ticket", 8, "survey", None)
    payload, mac = token.split(".")
    assert tokens.read(secret, f"{other.split('.')[0]}.{mac}") is None  # another record's payload, this signature
    assert tokens.read(secret, f"{payload}.{mac[:-2]}AA") is None
    assert tokens.read(b"another workspace's key".ljust(32), token) is None
    for garbage in ("", ".", "a.b", "!!!.???", "x" * 400, token + ".x"):
        assert tokens.read(secret, garbage) is None
    assert tokens.read(secret, other).expires is None  # a link without expires_days has no end


def closed_ticket(ws: Any) -> int:
    """A ticket (no approval flow started: made as an import) whose contact has an email, then closed."""
    contact = next(c for c in ws.records.list(SYSTEM, "contact", Query(limit=500)).records if c.get("email"))
    assignee = next(iter(ws.records.list(SYSTEM, "ticket", Query(limit=50)).records))["assignee"]
    made = ws.records.create(SYSTEM, "ticket", {
        "title": "打印机无法联网", "client": contact["client"], "contact": contact.id, "type": "fault",
        "description": "办公室打印机连不上网络", "assignee": assignee, "status": "in_progress"}, via="import")
    closed = ws.records.update(SYSTEM, "ticket", made.id, {
        "status": "closed", "resolution": "更换网线", "resolved_time": ws.now().isoformat()},
        version=made.version, via="web")
    return closed.id


def survey_visit(ws: Any, ticket_id: int) -> visits.Visit:
    form = ws.definitions.forms["ticket"]
    link = form.record_link("survey")
    address = visits.url(ws, form, link, ticket_id, "https://crm.example.cn")
    visit = visits.open_link(ws, address.rsplit("/", 1)[1], "zh")
    assert visit is not None
    return visit


def test_a_survey_is_written_back_once(crm, clock) -> None:  # type: ignore[no-untyped-def]
    ticket_id = closed_ticket(crm)
    visit = survey_visit(crm, ticket_id)
    assert visit.state == OPEN and [f.id for f in visit.fields] == ["satisfaction", "satisfaction_comment"]
    assert [text for _, text in visit.shown][1] == "打印机无法联网"
    with pytest.raises(RecordInvalid):
        visits.answer(crm, visit, {"satisfaction": "9", "satisfaction_comment": "?"})
    assert survey_visit(crm, ticket_id).state == OPEN  # a refused answer leaves the link open
    visits.answer(crm, visit, {"satisfaction": "4", "satisfaction_comment": "<script>alert(1)</script>{{ 7*7 }}",
                               "resolution": "taken over", "assignee": "1"})
    ticket = crm.records.get(SYSTEM, "ticket", ticket_id)
    assert ticket["satisfaction"] == 4 and ticket["satisfaction_comment"] == "<script>alert(1)</script>{{ 7*7 }}"
    assert ticket["resolution"] == "更换网线"  # only the offered fields are taken
    with read_transaction(crm.engine) as conn:
        vias = conn.execute(sa.select(history.c.via).where(history.c.form == "ticket", history.c.record_id == ticket_id)
                            .order_by(history.c.id)).scalars().all()
    assert vias[-1] == "record_link"
    with pytest.raises(AlreadyAnswered):
        visits.answer(crm, visit, {"satisfaction": "1"})
    assert crm.records.get(SYSTEM, "ticket", ticket_id)["satisfaction"] == 4
    assert survey_visit(crm, ticket_id).state == ANSWERED


def test_an_expired_link_says_so_and_writes_nothing(crm, clock) -> None:  # type: ignore[no-untyped-def]
    ticket_id = closed_ticket(crm)
    visit = survey_visit(crm, ticket_id)
    clock.now += timedelta(days=14, seconds=1)
    assert visits.open_link(crm, visit.token, "zh").state == EXPIRED
    with pytest.raises(LinkExpired):
        visits.answer(crm, visit, {"satisfaction": "5"})
    assert crm.records.get(SYSTEM, "ticket", ticket_id)["satisfaction"] is None


def test_a_link_to_a_deleted_record_or_a_removed_link_opens_nothing(crm) -> None:  # type: ignore[no-untyped-def]
    ticket_id = closed_ticket(crm)
    visit = survey_visit(crm, ticket_id)
    secret = tokens.key(crm)
    assert visits.open_link(crm, tokens.make(secret, "ticket", ticket_id, "nope", None), "zh") is None
    assert visits.open_link(crm, tokens.make(secret, "nope", ticket_id, "survey", None), "zh") is None
    crm.records.delete(SYSTEM, "ticket", ticket_id)
    assert visits.open_link(crm, visit.token, "zh") is None


@pytest.mark.parametrize("crm", ["sqlite", "postgresql"], indirect=True)
def test_two_answers_at_once_store_one(crm) -> None:  # type: ignore[no-untyped-def]
    ticket_id = closed_ticket(crm)
    visit = survey_visit(crm, ticket_id)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def answer(stars: str) -> None:
        start.wait()
        try:
            visits.answer(crm, visit, {"satisfaction": stars})
            outcomes.append(f"stored {stars}")
        except AlreadyAnswered:
            outcomes.append("already answered")

    threads = [threading.Thread(target=answer, args=(s,)) for s in ("2", "5")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split()[0] for o in outcomes) == ["already", "stored"]
    stored = next(o for o in outcomes if o.startswith("stored")).split()[1]
    assert crm.records.get(SYSTEM, "ticket", ticket_id)["satisfaction"] == int(stored)


def test_campaign_feedback_is_created_on_its_campaign(crm) -> None:  # type: ignore[no-untyped-def]
    form = crm.definitions.forms["campaign"]
    campaign = crm.records.list(SYSTEM, "campaign", Query(limit=1)).records[0]
    other = crm.records.list(SYSTEM, "campaign", Query(limit=2)).records[1]
    address = visits.url(crm, form, form.record_link("feedback"), campaign.id, "https://crm.example.cn/")
    visit = visits.open_link(crm, address.rsplit("/", 1)[1], "en")
    assert visit is not None and visit.state == OPEN and visit.target.id == "feedback"
    assert "campaign" not in [f.id for f in visit.fields] and visit.shown[0][1] == campaign["name"]
    for n in range(2):  # not once: each visitor leaves their feedback
        made = visits.answer(crm, visit, {"subject": f"展台很好 {n}", "service_rating": "5", "campaign": str(other.id),
                                          "channel": "phone"})
        feedback = crm.records.get(SYSTEM, "feedback", made)
        assert feedback["campaign"] == campaign.id and feedback["channel"] == "survey"
    with pytest.raises(RecordInvalid) as refused:
        visits.answer(crm, visit, {"service_rating": "5"})
    assert "subject" in refused.value.errors


def test_a_ticket_closed_by_its_handling_flow_queues_the_survey_to_its_contact(crm) -> None:  # type: ignore[no-untyped-def]
    from engine.mail.tables import email_messages
    from tests.test_crm_workflows import person, todo

    wuting, liuyang = person(crm, "wuting"), person(crm, "liuyang")
    contact = next(c for c in crm.records.list(SYSTEM, "contact", Query(limit=500)).records if c.get("email"))
    ticket = crm.records.create(wuting, "ticket", {"title": "发票抬头错误", "client": contact["client"],
                                                   "contact": contact.id, "type": "after_sales",
                                                   "description": "发票需重开"}, via="web").id
    assert crm.records.get(SYSTEM, "ticket", ticket)["contact_email"] == contact["email"]  # from the contact
    crm.jobs.drain()
    [assign] = [t for t in todo(crm, liuyang) if t.record_id == ticket]
    crm.workflows.act(liuyang, assign.task_id, "approve", values={"assignee": str(wuting.user_id)})
    [handle] = [t for t in todo(crm, wuting) if t.record_id == ticket and t.node == "handle"]
    crm.workflows.act(wuting, handle.task_id, "approve", values={"resolution": "已重开", "resolved_time": "2024-03-15T12:00"})
    crm.jobs.drain()
    with read_transaction(crm.engine) as conn:
        assert conn.execute(sa.select(email_messages.c.id).where(email_messages.c.record_id == ticket)).all() == []
    [confirm] = [t for t in todo(crm, wuting) if t.record_id == ticket and t.node == "confirm"]
    crm.workflows.act(wuting, confirm.task_id, "approve")
    crm.jobs.drain()
    with read_transaction(crm.engine) as conn:
        [(to, html)] = conn.execute(sa.select(email_messages.c.to_address, email_messages.c.html)
                                    .where(email_messages.c.record_id == ticket)).all()
    assert to == contact["email"] and "/f/r/" in html
