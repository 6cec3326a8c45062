"""Rate limits of anonymous posts are counted in the database: every web process of a deployment shares them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.public_limits import PostLimits, public_posts, purge_ticker
from engine.storage.database import read_transaction
from tests.conftest import open_workspace


@pytest.fixture
def two_processes(request, fresh_workspace, tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    """The workspace, and the same workspace opened again as a second web process would."""
    other = open_workspace(str(fresh_workspace.engine.url.render_as_string(hide_password=False)),
                           tmp_path / "ws", clock)
    yield fresh_workspace, other
    other.close()


def test_two_processes_share_one_count(two_processes, clock) -> None:  # type: ignore[no-untyped-def]
    first, second = two_processes
    a, b = PostLimits(first, per_address=3, per_link=100), PostLimits(second, per_address=3, per_link=100)
    assert [a.take("203.0.113.7", "lead"), b.take("203.0.113.7", "lead"), a.take("203.0.113.7", "lead")] \
        == [None, None, None]
    assert b.take("203.0.113.7", "lead") == pytest.approx(600)  # the other process saw all three
    assert a.take("203.0.113.8", "lead") is None  # another address is not held back
    clock.now += timedelta(minutes=4)
    assert b.take("203.0.113.7", "survey") == pytest.approx(360)  # the address is held on every link
    clock.now += timedelta(minutes=6, seconds=1)
    assert b.take("203.0.113.7", "lead") is None


def test_posts_at_once_from_two_processes_never_pass_the_limit(two_processes) -> None:  # type: ignore[no-untyped-def]
    first, second = two_processes
    limits = [PostLimits(ws, per_address=1000, per_link=7) for ws in (first, second)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda i: limits[i % 2].take(f"198.51.100.{i}", "flooded"), range(24)))
    assert answers.count(None) == 7


def test_nothing_stored_names_the_visitor_or_the_link(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    PostLimits(fresh_workspace).take("203.0.113.7", "crm-lead-web-form-template-token")
    with read_transaction(fresh_workspace.engine) as conn:
        keys = conn.execute(sa.select(public_posts.c.key)).scalars().all()
    assert len(keys) == 2 and not any("203.0.113" in k or "crm-lead" in k for k in keys)


def test_counts_that_left_the_window_are_purged_hourly(fresh_workspace, clock) -> None:  # type: ignore[no-untyped-def]
    limits = PostLimits(fresh_workspace)
    limits.take("203.0.113.7", "lead")
    clock.now += timedelta(minutes=5)
    limits.take("203.0.113.8", "lead")
    tick = purge_ticker(fresh_workspace)
    later = clock.now + timedelta(minutes=6)
    with fresh_workspace.engine.begin() as conn:
        tick(conn, later - timedelta(seconds=1), later)  # no new hour: nothing is purged
        assert conn.execute(sa.select(sa.func.count()).select_from(public_posts)).scalar() == 4
        next_hour = later.replace(minute=0, second=0) + timedelta(hours=1)
        tick(conn, next_hour - timedelta(seconds=1), next_hour)
        assert conn.execute(sa.select(sa.func.count()).select_from(public_posts)).scalar() == 0
