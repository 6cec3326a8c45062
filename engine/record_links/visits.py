"""A visitor's per-record link: the token read (forged → nothing), the record and its link found, the page's state
(open, already answered, expired) and the answer written; and the addresses of a record's links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.automation.facts import display_record
from engine.definitions.model import FieldDef, FormDef, RecordLinkDef
from engine.errors import FormworkError, NotFound
from engine.i18n import I18n
from engine.record_links import answers, tokens
from engine.record_links.kinds import SYSTEM, kind_of, offered
from engine.storage.database import read_transaction, write_transaction

if TYPE_CHECKING:
    from engine.workspace import Workspace

OPEN, ANSWERED, EXPIRED = "open", "answered", "expired"
SUCCESS: I18n = {"zh": "提交成功,感谢您的反馈!", "en": "Thank you, your answer was sent."}


class LinkExpired(FormworkError):
    """A per-record link past its expiry was answered."""

    def __init__(self, form: str, record_id: int, link: str):
        super().__init__(f"the link '{link}' of {form} #{record_id} has expired")


@dataclass(frozen=True)
class Visit:
    """An opened link: its record, what the page shows and offers, and whether it takes an answer now."""

    token: str
    form: FormDef  # the form of the record the link is bound to
    link: RecordLinkDef
    record_id: int
    target: FormDef  # the form whose fields the visitor fills (the same form, or the related one)
    fields: tuple[FieldDef, ...]  # what the visitor fills
    shown: tuple[tuple[I18n, str], ...]  # (label, text) of the record's fields the page shows
    state: str  # OPEN, ANSWERED or EXPIRED

    @property
    def limit_key(self) -> str:
        """What posts through this link are counted under (rate limits)."""
        return f"{self.form.id}:{self.record_id}:{self.link.id}"


def open_link(ws: Workspace, token: str, lang: str) -> Visit | None:
    """The visit a token opens, or None when it names nothing (forged, altered, no such link or record)."""
    named = tokens.read(tokens.key(ws), token)
    form = ws.definitions.forms.get(named.form) if named else None
    link = form.record_link(named.link) if form is not None and named is not None else None
    if named is None or form is None or link is None:
        return None
    target = kind_of(link).target(ws.definitions, form, link)
    if target is None:
        return None
    try:
        record = ws.records.get(SYSTEM, form.id, named.record_id)
    except NotFound:
        return None
    with read_transaction(ws.engine) as conn:
        done = link.once and answers.answered(conn, form.id, named.record_id, link.id)
        values = {**record.values, "id": record.id}
        texts = display_record(conn, ws.records.runtimes, form, values, lang, ws.tz) if link.show else {}
    shown = tuple((f.label, texts.get(f.id, "")) for fid in link.show if (f := form.field(fid)) is not None)
    state = ANSWERED if done else EXPIRED if named.expired(ws.now()) else OPEN
    return Visit(token, form, link, named.record_id, target, tuple(offered(ws.definitions, form, link)), shown, state)


def answer(ws: Workspace, visit: Visit, values: Mapping[str, Any]) -> int:
    """Write an answer (posted values; only the offered fields are taken) through the record service, as the
    system with `via: "record_link"`, and record a once-only link's answer in the same transaction. RecordInvalid
    (nothing written), AlreadyAnswered or LinkExpired otherwise; the id of the record written."""
    named = tokens.read(tokens.key(ws), visit.token)
    if named is None or named.expired(ws.now()):
        raise LinkExpired(visit.form.id, visit.record_id, visit.link.id)
    taken = {f.id: values[f.id] for f in visit.fields if f.id in values}
    with write_transaction(ws.engine) as conn:
        if visit.link.once:
            answers.mark(conn, visit.form.id, visit.record_id, visit.link.id, ws.now())
        return kind_of(visit.link).write(ws, conn, visit.form, visit.link, visit.record_id, taken)


def url(ws: Workspace, form: FormDef, link: RecordLinkDef, record_id: int, base_url: str,
        secret: bytes | None = None) -> str:
    """The address of a record's link made now (good for the link's `expires_days` from now)."""
    expires = tokens.expiry(ws.now(), link.expires_days)
    token = tokens.make(secret or tokens.key(ws), form.id, record_id, link.id, expires)
    return f"{base_url.rstrip('/')}/f/r/{token}"


def urls(ws: Workspace, form: FormDef, record_id: int, base_url: str,
         conn: sa.Connection | None = None) -> dict[str, str]:
    """Link id → address of every link of a record (what email templates read as `record_links.<id>`); `conn`: the
    caller's open write transaction, if any."""
    if not form.record_links:
        return {}
    secret = tokens.key(ws, conn)
    return {link.id: url(ws, form, link, record_id, base_url, secret) for link in form.record_links}


def title(visit: Visit) -> I18n:
    """The page's heading: the link's title, else its label."""
    return visit.link.title or visit.link.label


def success(visit: Visit) -> I18n:
    """The message after an answer."""
    return visit.link.success or SUCCESS
