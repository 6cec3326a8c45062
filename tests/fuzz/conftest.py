"""Fixtures of the fuzz tests: the CRM installed once per test run (shared by the xdist workers under a file lock),
and a fresh copy of it per module."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzz.site import FuzzSite, installed_crm, open_site


@pytest.fixture(scope="session")
def crm_file(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The installed CRM: the first worker installs it, the others wait on the lock and copy it."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if worker_id != "master" else base  # the folder all workers of this run share
    folder = root / "fuzz-crm"
    folder.mkdir(exist_ok=True)
    with open(root / "fuzz-crm.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return installed_crm(folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def site(crm_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzSite]:
    """A fresh copy of the CRM per test module, served with the rep, a manager and an anonymous client."""
    yield from open_site(crm_file, tmp_path_factory.mktemp("fuzz-site"))
