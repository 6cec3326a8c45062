"""Reports under the viewer's data scope and field access: a rep counts only her deals, a manager his department
tree; a field hidden from the viewer cannot be a dimension, measure or filter."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.errors import PermissionDenied, QueryInvalid
from engine.records.model import Filter, Query
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import ReportForbidden, run_report


def stage_counts(sales, where: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    table = sales.ws.records.runtime("deal").main.name
    with sales.ws.engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT stage, count(*) FROM {table} WHERE deleted_at IS NULL AND {where} "
                                    "AND (stage IS NULL OR stage <> 'lost') GROUP BY stage"))
        return {r[0]: r[1] for r in rows}


def funnel(sales, who: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    ds = run_report(sales.ws.records, sales.actors[who], sales.ws.definitions.reports["pipeline"])
    return {row[0].key: row[1] for row in ds.rows}


def test_a_rep_counts_only_her_deals(sales) -> None:  # type: ignore[no-untyped-def]
    rep = sales.actors["east_rep"]
    got = funnel(sales, "east_rep")
    assert got == stage_counts(sales, f"owner_id = {rep.user_id}")
    assert sum(got.values()) < sum(funnel(sales, "manager").values())


@pytest.mark.parametrize(("who", "departments"), [("manager", ("sales", "east", "west")), ("east_manager", ("east",))])
def test_a_manager_counts_his_department_tree(sales, who: str, departments: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    ids = ", ".join(str(sales.departments[d]) for d in departments)
    assert funnel(sales, who) == stage_counts(sales, f"department_id IN ({ids})")


def _report(**parts) -> ReportDef:  # type: ignore[no-untyped-def]
    return ReportDef(id="t", app="sales", label="t", form="deal", **{"measures": (MeasureDef("n", aggregate="count"),),
                                                                      **parts})


@pytest.mark.parametrize(("parts", "field"), [
    ({"measures": (MeasureDef("c", aggregate="sum", field="cost"),)}, "cost"),
    ({"dimensions": (DimensionDef("c", "cost"),)}, "cost"),
    ({"filters": (Filter("cost", "gt", 1),)}, "cost"),
    ({"measures": (MeasureDef("n", aggregate="count", filters=(Filter("cost", "gt", 1),)),)}, "cost"),
    ({"dimensions": (DimensionDef("r", "client.revenue"),)}, "client.revenue"),
], ids=["sum", "dimension", "filter", "measure-filter", "through-relation"])
def test_a_hidden_field_is_refused_by_name(sales, parts, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReportForbidden) as caught:
        run_report(sales.ws.records, sales.actors["east_rep"], _report(**parts))
    assert isinstance(caught.value, PermissionDenied) and caught.value.field == field
    assert field in str(caught.value)
    run_report(sales.ws.records, sales.actors["manager"], _report(**parts))  # the manager sees it


def test_a_form_the_viewer_cannot_read_is_refused(sales) -> None:  # type: ignore[no-untyped-def]
    from engine.records.model import Actor
    stranger = Actor(user_id=sales.actors["east_rep"].user_id, roles=frozenset())
    with pytest.raises(ReportForbidden):
        run_report(sales.ws.records, stranger, _report())


def test_lists_refuse_a_path_through_a_hidden_field(sales) -> None:  # type: ignore[no-untyped-def]
    rep = sales.actors["east_rep"]
    with pytest.raises(QueryInvalid):
        sales.ws.records.list(rep, "deal", Query(filters=(Filter("client.revenue", "gt", 0),)))
    page = sales.ws.records.list(rep, "deal", Query(filters=(Filter("client.industry", "eq", "it"),), with_total=True))
    assert page.total is not None and all(r.owner_id == rep.user_id for r in page.records)
