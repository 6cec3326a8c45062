"""Fixtures of the fuzz tests: the CRM installed once per test process, and a fresh copy of it per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzz.site import FuzzSite, installed_crm, open_site


@pytest.fixture(scope="session")
def crm_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The installed CRM (one per test process)."""
    return installed_crm(tmp_path_factory.mktemp("fuzz-crm"))


@pytest.fixture(scope="module")
def site(crm_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzSite]:
    """A fresh copy of the CRM per test module, served with the rep and an anonymous client."""
    yield from open_site(crm_file, tmp_path_factory.mktemp("fuzz-site"))
