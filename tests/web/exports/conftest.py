"""The report tests' sales workspace (tests/engine/reports/conftest.py), for the export tests."""

from tests.engine.reports.conftest import Sales, sales  # noqa: F401  (a fixture, found by name)
