"""The `dashboards` block reads dashboards from the definitions when they hold them (Definitions.dashboards, keyed
by id, each with app, id, label and roles) and lists those meant for the viewer's roles; none before they exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timezone
from types import SimpleNamespace
from typing import Any

from engine.home.model import BlockDef
from engine.records.model import Actor
from web.home.blocks import Viewer
from web.home.dashboards import Dashboards, visible_dashboards


@dataclass(frozen=True)
class _Dashboard:  # the shape the dashboard kind gives (docs: /work/dashboard-spec.md)
    id: str
    app: str
    label: dict[str, str]
    roles: tuple[str, ...] = field(default=())


def _viewer(ws: Any, actor: Actor, dashboards: dict[str, _Dashboard] | None) -> Viewer:
    defs = ws.definitions if dashboards is None else SimpleNamespace(apps=ws.definitions.apps, dashboards=dashboards)
    return Viewer(SimpleNamespace(definitions=defs, records=ws.records), {}, actor, "en", timezone.utc)  # type: ignore[arg-type]


def test_dashboards_follow_the_roles_and_the_apps_the_viewer_can_open(shop) -> None:  # type: ignore[no-untyped-def]
    boards = {"all": _Dashboard("all", "sales", {"zh": "全部", "en": "Everyone"}),
              "clerks": _Dashboard("clerks", "sales", {"zh": "店员", "en": "Clerks"}, ("clerk",)),
              "bosses": _Dashboard("bosses", "sales", {"zh": "老板", "en": "Bosses"}, ("boss",)),
              "elsewhere": _Dashboard("elsewhere", "nowhere", {"zh": "无", "en": "None"})}
    clerk = Actor(user_id=2, roles=frozenset({"clerk"}))
    assert [d.id for d in visible_dashboards(_viewer(shop, clerk, boards))] == ["all", "clerks"]
    admin = Actor(user_id=1, is_admin=True)
    assert [d.id for d in visible_dashboards(_viewer(shop, admin, boards))] == ["all", "clerks", "bosses"]
    nobody = Actor(user_id=3)  # no role: reads no form of the app
    assert visible_dashboards(_viewer(shop, nobody, boards)) == []
    shown = Dashboards().show(_viewer(shop, clerk, boards), BlockDef("dashboards"))
    assert shown == {"links": [{"href": "/apps/sales/dashboards/all", "label": "Everyone"},
                               {"href": "/apps/sales/dashboards/clerks", "label": "Clerks"}]}


def test_without_a_dashboard_kind_the_block_lists_none(shop) -> None:  # type: ignore[no-untyped-def]
    assert visible_dashboards(_viewer(shop, Actor(user_id=1, is_admin=True), None)) == []


def test_every_block_the_definitions_accept_has_a_registered_web_block() -> None:
    from engine.home.checks import block_kinds
    from web.home.blocks import block_names

    assert block_names() and set(block_names()) == {k.name for k in block_kinds()}
