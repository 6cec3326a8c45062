"""Dates and datetimes in formulas follow the workspace's zone, never the host's: the same formulas give the same
results with the process under New York, Kiritimati (UTC+14) or UTC time, for a workspace in Asia/Shanghai."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from textwrap import dedent
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.formulas import MappingEnv, evaluate, parse
from engine.records.model import Actor
from tests.conftest import Clock, open_workspace

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc)  # 10:30 in Shanghai; 22:30 the day before in New York
LATE = datetime(2024, 3, 14, 17, 0, tzinfo=timezone.utc)  # 01:00 on the 15th in Shanghai, the 14th in New York
HOST_ZONES = ["America/New_York", "Pacific/Kiritimati", "UTC"]


@pytest.fixture(params=HOST_ZONES)
def host_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The process runs under a far-away TZ for the test; the old zone is back afterwards."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield str(request.param)
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def _env() -> MappingEnv:
    values = {"dt": NOW, "late": LATE, "d": date(2024, 3, 15), "wall": datetime(2024, 3, 15, 10, 30)}
    return MappingEnv(values, LATE, SHANGHAI)


@pytest.mark.parametrize(("source", "expected"), [
    ("dt - d", Decimal("0.4375")),  # 10:30 on the same day in the workspace zone: 10.5 / 24 of a day
    ("d - dt", Decimal("-0.4375")),
    ("late - d", Decimal(1) / Decimal(24)),  # 01:00 on the 15th, wherever the server is
    ("wall - d", Decimal("0.4375")),  # a datetime without a zone is a wall time in the workspace zone
    ("wall - dt", Decimal(0)),  # … so 10:30 there is 02:30 UTC
    ("dt - wall", Decimal(0)),
    ("DAY(late)", Decimal(15)),
    ("DAYS(late, d)", Decimal(0)),
    ("TODAY() = d", True),  # the clock reads 17:00 UTC on the 14th: the 15th in Shanghai
    ("MAX(d, dt) = dt", True),
    ("MIN(d, dt) = d", True),
    ("MAX(wall, late) = wall", True),
    ("late & ''", "2024-03-15 01:00:00"),
    ("CONCATENATE(dt)", "2024-03-15 10:30:00"),
    ("TEXT(late, 'yyyy-mm-dd hh:mm')", "2024-03-15 01:00"),
    ("late >= d", True),
])
def test_dates_follow_the_workspace_zone(host_zone: str, source: str, expected: Any) -> None:
    result = evaluate(parse(source), _env())
    if isinstance(expected, Decimal):
        assert abs(result - expected) < Decimal("1e-15"), (host_zone, source, result)
    else:
        assert result == expected, (host_zone, source, result)


def test_the_host_zone_really_is_far_away(host_zone: str) -> None:
    local = datetime(2024, 3, 15, 12, 0).astimezone()  # what the old code used for a date's midnight
    assert local.utcoffset() == ZoneInfo(host_zone).utcoffset(datetime(2024, 3, 15, 12, 0))


FORM = {
    "visits/app.yaml": "app: visits\nlabel: {zh: 拜访, en: Visits}\nforms: [visit]\n",
    "visits/forms/visit.yaml": dedent("""\
        form: visit
        label: {zh: 拜访, en: Visit}
        title: name
        fields:
          - {id: name, type: text, label: {zh: 名称, en: Name}, required: true}
          - {id: planned, type: date, label: {zh: 计划日期, en: Planned}}
          - {id: arrived, type: datetime, label: {zh: 到达时间, en: Arrived}}
          - {id: late_by, type: number, decimals: 4, label: {zh: 迟到天数, en: Late by}, formula: "arrived - planned"}
          - {id: arrived_on, type: date, label: {zh: 到达日期, en: Arrived on}, formula: "DATEDELTA(arrived, 0)"}
          - {id: stamp, type: text, label: {zh: 记录, en: Stamp}, formula: "'到达 ' & arrived"}
        """),
}


def test_stored_formulas_follow_the_workspace_zone(host_zone: str, tmp_path: Path) -> None:
    ws = open_workspace(f"sqlite:///{tmp_path / 'zones.db'}", tmp_path / "ws", Clock(NOW))
    try:
        ws.publish(FORM)
        record = ws.records.create(Actor.system_actor(), "visit", {
            "name": "早班拜访", "planned": "2024-03-15", "arrived": "2024-03-14T17:00:00Z"})
        assert record.values["late_by"] == Decimal("0.0417"), host_zone  # 01:00 in Shanghai: 1/24 of a day
        assert record.values["arrived_on"] == date(2024, 3, 15), host_zone
        assert record.values["stamp"] == "到达 2024-03-15 01:00:00", host_zone
    finally:
        ws.close()
