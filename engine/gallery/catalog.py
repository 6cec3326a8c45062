"""Find templates under apps_templates/ and read their template.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.definitions.yamlsource import load_yaml
from engine.i18n import I18n

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "apps_templates"


@dataclass(frozen=True)
class TemplateInfo:
    """A template on disk."""

    name: str
    version: str
    label: I18n
    description: I18n | None
    path: Path
    has_sample_data: bool


def available(root: Path = TEMPLATES_DIR) -> list[TemplateInfo]:
    """Every folder under `root` with a template.yaml."""
    found = []
    for manifest in sorted(root.glob("*/template.yaml")):
        data = load_yaml(manifest).data or {}
        found.append(TemplateInfo(
            name=str(data.get("template", manifest.parent.name)), version=str(data.get("version", "0.0.0")),
            label=data.get("label", manifest.parent.name), description=data.get("description"),
            path=manifest.parent, has_sample_data=(manifest.parent / "sample_data.yaml").is_file(),
        ))
    return found


def find(name: str, root: Path = TEMPLATES_DIR) -> TemplateInfo | None:
    """The template called `name`, if there is one."""
    return next((t for t in available(root) if t.name == name), None)
