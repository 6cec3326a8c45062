"""The CRM template's sample data, read once per process (with libyaml: the pure-Python reader takes seconds)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

CRM = Path(__file__).parents[1] / "apps_templates" / "crm"


@cache
def crm_sample() -> dict[str, Any]:
    """apps_templates/crm/sample_data.yaml as data (the caller must not change it)."""
    return dict(yaml.load((CRM / "sample_data.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))


@cache
def crm_documents() -> list[Any]:
    """Every YAML document of the CRM template (definitions and sample data) as data, in a stable order."""
    return [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in sorted(CRM.rglob("*.yaml"))]
