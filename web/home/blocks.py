"""The registry of home blocks: a block kind turns one BlockDef into what its partial shows, for one viewer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, ClassVar

from engine.home.model import BlockDef
from engine.records.model import Actor
from engine.workspace import Workspace


@dataclass(frozen=True)
class Viewer:
    """Who the home is shown to: the workspace, the signed-in user, the engine's actor, language and zone."""

    ws: Workspace
    user: Mapping[str, Any]
    actor: Actor
    lang: str
    tz: tzinfo


@dataclass(frozen=True)
class Shown:
    """One block ready for its partial: the template and the data it renders."""

    template: str
    data: Mapping[str, Any]


class HomeBlock(ABC):
    """A kind of block: its name (as the home document writes it) and its partial. `show` gives the data, or None
    when the block has nothing the viewer may see (a form they cannot read)."""

    name: ClassVar[str]
    template: ClassVar[str]

    @abstractmethod
    def show(self, viewer: Viewer, block: BlockDef) -> Mapping[str, Any] | None:
        """The partial's data for this viewer, or None to leave the block out."""


_BLOCKS: dict[str, HomeBlock] = {}


def register(cls: type[HomeBlock]) -> type[HomeBlock]:
    """Make a block kind known to the home page by its name."""
    if cls.name in _BLOCKS:
        raise ValueError(f"home block '{cls.name}' is registered twice")
    _BLOCKS[cls.name] = cls()
    return cls


def block_names() -> tuple[str, ...]:
    """The names of every registered block, in registration order."""
    return tuple(_BLOCKS)


def shown(viewer: Viewer, blocks: tuple[BlockDef, ...]) -> list[Shown]:
    """The viewer's blocks ready for their partials (blocks of kinds this page does not know, or with nothing the
    viewer may see, left out)."""
    out: list[Shown] = []
    for block in blocks:
        kind = _BLOCKS.get(block.block)
        data = kind.show(viewer, block) if kind is not None else None
        if kind is not None and data is not None:
            out.append(Shown(kind.template, data))
    return out
