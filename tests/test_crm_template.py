"""The CRM template: its definitions are clean, and it installs with sample data on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from engine.definitions.loader import load_directory
from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.records.model import Actor, Filter, Query

CRM = Path(__file__).parents[1] / "apps_templates" / "crm"
FORMS = {"client", "contact", "follow_up", "lead", "opportunity", "product", "quote", "sales_target", "contract",
         "order", "payment", "ticket", "knowledge_article", "campaign", "feedback"}


def test_crm_definitions_are_clean() -> None:
    result = load_directory(CRM)
    assert [str(p) for p in result.problems] == []
    defs = result.definitions
    assert [a.id for a in defs.apps] == ["client", "lead", "opportunity", "contract", "ticket", "campaign"]
    assert FORMS <= set(defs.forms)
    assert {r.id for r in defs.roles} >= {"admin", "management", "sales_manager", "sales_rep", "service_manager",
                                          "service_agent", "marketing", "finance"}


def test_crm_installs_with_sample_data(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    template = find("crm")
    assert template is not None
    result = install(ws, template, sample_data=True)
    assert not result.already_installed
    tables = set(sa.inspect(ws.engine).get_table_names())
    assert {ws.definitions.form(f).table for f in FORMS} <= tables
    assert result.sample is not None and result.sample.users >= 8
    assert sum(result.sample.records.values()) >= 300
    admin = Actor(user_id=None, system=True)
    clients = ws.records.list(admin, "client", Query(limit=100, with_total=True))
    assert clients.total and clients.total >= 30
    assert all(r.values.get("code") for r in clients.records)
    stages = {r.values.get("stage") for r in ws.records.list(admin, "opportunity", Query(limit=500)).records}
    assert len(stages) >= 5
    assert install(ws, template).already_installed
    assert ws.plan().is_empty()


def test_crm_filters_on_sample_data(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    install(ws, find("crm"), sample_data=True)  # type: ignore[arg-type]
    admin = Actor(user_id=None, system=True)
    recent = ws.records.list(admin, "follow_up", Query(filters=(Filter("created_at", "today"),), limit=10))
    assert recent.records
