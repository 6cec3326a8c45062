"""Drill-down from a stage-time number over the web: the list page counts the records behind it (those with a
stay in the stage, under the row's member and the viewer's scope), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from engine.reports.run import run_report
from tests.engine.reports.test_report_measures import hand
from tests.engine.reports.test_report_stage_time import days_sql, staged  # noqa: F401  (staged: the fixture)
from tests.web.reports.test_report_pages import actor_named, count_of
from tests.web.test_web import sign_in

REPORT = """report: in_proposal
label: {zh: 方案停留, en: Days in proposal}
form: deal
dimensions: [{field: owner}]
measures:
  - {id: days, aggregate: stage_time, stage: proposal}
  - {id: so_far, aggregate: stage_time, stage: proposal, current: true}
"""


@pytest.mark.parametrize("who", ["alice", "mona"])
def test_a_stage_time_drills_to_the_records_with_a_stay(web: TestClient, staged, who: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ws = staged.ws
    ws.publish({"sales/reports/in_proposal.yaml": REPORT})
    sign_in(web, who)
    report = ws.definitions.reports["in_proposal"]
    ds = run_report(ws.records, actor_named(web, who), report)
    assert any(row[1] is not None for row in ds.rows)
    for measure, current in (("days", False), ("so_far", True)):
        total = 0
        for row in ds.rows:
            url = "/apps/sales/reports/in_proposal/drill?" + urlencode(
                {"keys": json.dumps({"owner": row[0].key}), "measure": measure})
            listed = count_of(web, url)
            assert (listed > 0) == (row[ds.column_index(measure)] is not None), (measure, row[0].key)
            total += listed
        if who == "alice":  # an administrator: every deal with such a stay
            assert total == hand(staged, f"SELECT 1, count(*) FROM deal AS d JOIN ({days_sql(staged, current)}) AS x "
                                 "ON x.record_id = d.id WHERE d.deleted_at IS NULL")[1]
