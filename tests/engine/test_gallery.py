"""Template install: transactional, idempotent, refuses broken templates and other versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.errors import DefinitionError
from engine.gallery.catalog import available
from engine.gallery.install import TemplateVersionMismatch, install, installed_version
from tests.conftest import FIXTURES


def shop_template(tmp_path: Path) -> Path:
    target = tmp_path / "templates" / "shop"
    shutil.copytree(FIXTURES / "shop", target)
    return target


def test_install_is_idempotent_and_versioned(fresh_workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = shop_template(tmp_path)
    info = next(t for t in available(root.parent) if t.name == "shop")
    first = install(fresh_workspace, info)
    assert not first.already_installed and installed_version(fresh_workspace, "shop") == "0.1.0"
    assert install(fresh_workspace, info).already_installed
    manifest = root / "template.yaml"
    manifest.write_text(manifest.read_text().replace("0.1.0", "0.2.0"))
    newer = next(t for t in available(root.parent) if t.name == "shop")
    with pytest.raises(TemplateVersionMismatch):
        install(fresh_workspace, newer)


def test_a_broken_template_installs_nothing(fresh_workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = shop_template(tmp_path)
    form = root / "sales" / "forms" / "order.yaml"
    form.write_text(form.read_text().replace("to: customer", "to: custmer"))
    info = next(t for t in available(root.parent) if t.name == "shop")
    with pytest.raises(DefinitionError) as error:
        install(fresh_workspace, info)
    assert "did you mean 'customer'" in str(error.value)
    assert not [t for t in sa.inspect(fresh_workspace.engine).get_table_names() if t.startswith("f_")]
    assert fresh_workspace.sources() == {}
    assert installed_version(fresh_workspace, "shop") is None
