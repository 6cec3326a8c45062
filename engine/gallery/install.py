"""Install a template into a workspace: publish its documents (one transaction, schema included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone

import sqlalchemy as sa

from engine.definitions.loader import read_directory
from engine.gallery.catalog import TemplateInfo
from engine.gallery.sample_data import SampleReport, load_sample_data
from engine.public_forms import fresh_tokens
from engine.storage.database import read_transaction, write_transaction
from engine.storage.sync import Plan
from engine.storage.system import installed_templates
from engine.workspace import Workspace


@dataclass(frozen=True)
class InstallResult:
    """What installing did."""

    template: str
    version: str
    already_installed: bool
    changed: list[str]
    plan: Plan | None
    sample: SampleReport | None = None


class TemplateVersionMismatch(Exception):
    """Another version of the template is installed; upgrading is a separate step."""


def installed_version(ws: Workspace, name: str) -> str | None:
    """The installed version of a template, if any."""
    with read_transaction(ws.engine) as conn:
        return conn.execute(sa.select(installed_templates.c.version)
                            .where(installed_templates.c.template == name)).scalar()


def install(ws: Workspace, template: TemplateInfo, *, sample_data: bool = False,
            author_id: int | None = None) -> InstallResult:
    """Publish the template's documents under `<name>/` and record the installed version (idempotent)."""
    current = installed_version(ws, template.name)
    if current is not None and current != template.version:
        raise TemplateVersionMismatch(
            f"template '{template.name}' {current} is installed; this is {template.version} — upgrading is not "
            "available yet")
    if current is not None:
        return InstallResult(template.name, template.version, True, [], None)
    sources = fresh_tokens({f"{template.name}/{path}": text for path, text in read_directory(template.path).items()})
    result = ws.publish(sources, author_id=author_id, comment=f"install template {template.name} {template.version}")
    with write_transaction(ws.engine) as conn:
        conn.execute(sa.insert(installed_templates).values(
            template=template.name, version=template.version, installed_at=ws.now().astimezone(timezone.utc)))
    sample = None
    if sample_data and template.has_sample_data:
        sample = load_sample_data(ws, template.path / "sample_data.yaml")
    return InstallResult(template.name, template.version, False, result.changed, result.plan, sample)
