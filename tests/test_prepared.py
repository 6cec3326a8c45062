"""A prepared workspace's clone holds exactly what building it would have given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.conftest import Clock, _shop_recipe, add_user, open_workspace, server_url
from tests.prepared import PreparedWorkspaces


def rows_of(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in a stable order; a password hash is salted afresh each time, so it is left out."""
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {name: sorted((tuple(r) for r in conn.execute(sa.select(*[c for c in table.c
                                                                          if c.name != "password_hash"]))), key=repr)
                for name, table in meta.tables.items()}


def test_a_clone_is_the_built_workspace_row_for_row(request, db_url: str, backend: str,  # type: ignore[no-untyped-def]
                                                    clock: Clock, tmp_path: Path) -> None:
    built = open_workspace(db_url, tmp_path / "built", clock)
    _shop_recipe(built)
    prepared = PreparedWorkspaces(tmp_path / "templates")
    (tmp_path / "templates").mkdir()
    clones = []
    for n in range(2):  # the first clone builds the template, the second only copies it
        (tmp_path / f"c{n}").mkdir()
        clones.append(prepared.clone(_shop_recipe, tmp_path / f"c{n}", Clock(clock.now),
                                     server_url(request, backend)))
    try:
        expected = rows_of(built.engine)
        assert expected["users"] and expected["meta_documents"]
        for ws in clones:
            assert rows_of(ws.engine) == expected
            assert ws.clock.now == clock.now
            assert add_user(ws, "carol") == 2  # the sequences were copied too
            assert sorted(ws.definitions.forms) == sorted(built.definitions.forms)
    finally:
        for ws in [built, *clones]:
            ws.close()
