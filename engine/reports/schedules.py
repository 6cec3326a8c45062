"""Scheduled deliveries of a document (a report or a dashboard): when (a cron expression in the workspace time
zone), to whom (roles, users by username, plain addresses), in which language, with which note. Checked at
publish: the cron expression, the roles (against the definitions) and the addresses; usernames against the users
table (`unknown_users`, which needs the database).

Each kind of document that carries `schedules` registers one `Schedulable` (its kind name and where the
definitions keep its documents); the checks and the delivery ticker go through the registry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol

import sqlalchemy as sa
from croniter import croniter

from engine.definitions.checker import Report
from engine.definitions.model import Definitions, Source
from engine.definitions.suggest import closest
from engine.definitions.yamlsource import YamlDocument
from engine.errors import Problem
from engine.i18n import I18n, zh_en
from engine.mail.config import valid_address
from engine.storage.system import users


@dataclass(frozen=True)
class ScheduleDef:
    """One scheduled delivery."""

    cron: str
    roles: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    lang: str = "zh"
    note: I18n | None = None
    source: Source = Source()

    @property
    def key(self) -> str:
        """What identifies the schedule across publishes (its content, not its place in the list)."""
        data = [self.cron, sorted(self.roles), sorted(self.users), sorted(a.lower() for a in self.addresses), self.lang]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:12]


class Scheduled(Protocol):
    """A document that carries schedules (a report, a dashboard)."""

    @property
    def id(self) -> str: ...
    @property
    def app(self) -> str: ...
    @property
    def label(self) -> I18n: ...
    @property
    def schedules(self) -> tuple[ScheduleDef, ...]: ...


@dataclass(frozen=True)
class Schedulable:
    """A kind of document that may be sent on a schedule: `kind` names it (in job keys and payloads),
    `collection` is the attribute of the definitions holding its documents by id."""

    kind: str
    collection: str

    def documents(self, defs: Definitions) -> Mapping[str, Scheduled]:
        found: Mapping[str, Scheduled] = getattr(defs, self.collection, None) or {}
        return found


_SCHEDULABLES: dict[str, Schedulable] = {}


def register_schedulable(item: Schedulable) -> Schedulable:
    _SCHEDULABLES[item.kind] = item
    return item


def schedulable(kind: str) -> Schedulable | None:
    return _SCHEDULABLES.get(kind)


def scheduled(defs: Definitions) -> Iterator[tuple[Schedulable, Scheduled]]:
    """Every document of every registered kind that has a schedule, kind by kind, in id order."""
    for item in _SCHEDULABLES.values():
        for _, doc in sorted(item.documents(defs).items()):
            if doc.schedules:
                yield item, doc


def build_schedules(doc: YamlDocument, value: Any, pointer: str = "/schedules") -> tuple[ScheduleDef, ...]:
    """The `schedules` block of a document (already checked against its JSON Schema)."""
    found = []
    for i, item in enumerate(value if isinstance(value, list) else []):
        item = item if isinstance(item, Mapping) else {}
        to: Mapping[str, Any] = item["to"] if isinstance(item.get("to"), Mapping) else {}
        found.append(ScheduleDef(
            cron=str(item.get("cron", "")), roles=_strings(to.get("roles")), users=_strings(to.get("users")),
            addresses=_strings(to.get("addresses")), lang=str(item.get("lang") or "zh"), note=item.get("note"),
            source=Source(doc.file, doc.line(f"{pointer}/{i}"), f"{pointer}/{i}")))
    return tuple(found)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def check_schedules(defs: Definitions, schedules: Iterable[ScheduleDef], report: Report) -> None:
    """A cron expression that does not parse, a role that does not exist, an address that is not one."""
    role_ids = [r.id for r in defs.roles]
    for s in schedules:
        if not croniter.is_valid(s.cron):
            report.add(s.source, "/cron", zh_en(f"“{s.cron}”不是有效的 cron 表达式(分 时 日 月 星期),如 '0 9 * * 1'",
                                                f"'{s.cron}' is not a cron expression (minute hour day month "
                                                "weekday), such as '0 9 * * 1'"))
        for i, role in enumerate(s.roles):
            if role not in role_ids:
                report.add(s.source, f"/to/roles/{i}", zh_en(f"未知角色“{role}”", f"unknown role '{role}'"),
                           closest(role, role_ids))
        for i, address in enumerate(s.addresses):
            if not valid_address(address):
                report.add(s.source, f"/to/addresses/{i}", zh_en(f"“{address}”不是有效的邮箱地址",
                                                                 f"'{address}' is not an email address"))
        if not (s.roles or s.users or s.addresses):
            report.add(s.source, "/to", zh_en("定时发送需要至少一个收件人(角色、用户或邮箱)",
                                              "a schedule needs at least one recipient (a role, a user or an address)"))


def unknown_users(conn: sa.Connection, defs: Definitions) -> list[Problem]:
    """Usernames named by schedules that no user has, each at its file:line (with the closest username)."""
    found = [s for _, doc in scheduled(defs) for s in doc.schedules]
    if not any(s.users for s in found):
        return []
    known = set(conn.execute(sa.select(users.c.username)).scalars())
    problems = []
    for s in found:
        for i, name in enumerate(s.users):
            if name not in known:
                problems.append(Problem(s.source.file, s.source.line, f"{s.source.pointer}/to/users/{i}",
                                        zh_en(f"没有用户名为“{name}”的用户", f"no user has the username '{name}'"),
                                        closest(name, sorted(known))))
    return problems


def due_slot(cron: str, tz: tzinfo, previous: datetime, now: datetime) -> datetime | None:
    """The latest time in (previous, now] the cron expression names, read in `tz`; None when there is none."""
    it = croniter(cron, previous.astimezone(tz))
    found = None
    while True:
        slot = it.get_next(datetime)
        if slot > now:
            return found
        found = slot
