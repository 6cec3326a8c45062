"""The `home` document (<template>/home.yaml) as frozen objects: per role, the blocks of the home page in order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.definitions.model import Source, frozen
from engine.definitions.yamlsource import YamlDocument
from engine.i18n import I18n
from engine.records.model import Filter
from engine.reports.model import build_filters

HOME_PATH = "home.yaml"  # the one home document, at the template root
DEFAULT_ROLE = "default"  # the blocks of users none of whose roles is listed
DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class BlockDef:
    """One block of a home page: its kind (`block`) and, for a list of records, the form, filter and label."""

    block: str
    form: str | None = None
    filters: tuple[Filter, ...] = ()
    label: I18n | None = None
    limit: int = DEFAULT_LIMIT
    sort: str | None = None
    descending: bool = False
    source: Source = Source()

    @property
    def key(self) -> tuple[Any, ...]:
        """What makes two blocks the same block (a user with several roles sees it once)."""
        return (self.block, self.form, self.filters, self.sort, self.descending)


@dataclass(frozen=True)
class HomeDef:
    """The blocks of each role's home (`default`: of users whose roles are not listed), in document order."""

    id: str
    roles: Mapping[str, tuple[BlockDef, ...]] = field(default_factory=lambda: frozen({}))
    path: str = HOME_PATH  # where the document is stored (an installed template's: <template>/home.yaml)
    source: Source = Source()

    def blocks_for(self, roles: Iterable[str]) -> tuple[BlockDef, ...]:
        """The blocks of a user with these roles, each block once: the roles' lists merged position by position
        (every role's first block, then every role's second…, roles in document order), so each keeps its order;
        the `default` blocks when none of the roles is listed."""
        mine = set(roles)
        chosen = [r for r in self.roles if r != DEFAULT_ROLE and r in mine] or [DEFAULT_ROLE]
        placed = sorted((i, n, block) for n, role in enumerate(chosen)
                        for i, block in enumerate(self.roles.get(role, ())))
        seen: dict[tuple[Any, ...], BlockDef] = {}
        for _i, _n, block in placed:
            seen.setdefault(block.key, block)
        return tuple(seen.values())


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def build_block(data: Mapping[str, Any], source: Source) -> BlockDef:
    """One block from its YAML form."""
    limit = data.get("limit")
    sort = data.get("sort")
    return BlockDef(block=str(data.get("block", "")), form=str(data["form"]) if data.get("form") else None,
                    filters=build_filters(data.get("filter")), label=data.get("label"),
                    limit=limit if isinstance(limit, int) and not isinstance(limit, bool) else DEFAULT_LIMIT,
                    sort=str(sort).lstrip("-") if sort else None, descending=str(sort or "").startswith("-"),
                    source=source)


def build_home(doc: YamlDocument, path: str = HOME_PATH) -> HomeDef:
    """The home document."""
    data = _dict(doc.data)
    roles: dict[str, tuple[BlockDef, ...]] = {}
    for role, blocks in _dict(data.get("roles")).items():
        items = blocks if isinstance(blocks, list) else []
        roles[str(role)] = tuple(
            build_block(_dict(b), Source(doc.file, doc.line(f"/roles/{role}/{i}"), f"/roles/{role}/{i}"))
            for i, b in enumerate(items))
    return HomeDef(id=str(data.get("home", "")), roles=frozen(roles), path=path, source=Source(doc.file, doc.line("/home"), "/home"))
