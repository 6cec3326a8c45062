"""Edits of the `home` document as an administrator makes them on /admin/home: add, remove or move one block of one
role. Each returns the new text (comments and the rest of the document kept); publishing it is the caller's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.definitions.yamldoc import dump_document, load_document, styled
from engine.home.model import HOME_PATH

BLOCK_ORDER = ("block", "form", "label", "filter", "sort", "limit")
FILTER_ORDER = ("field", "op", "value")
NEW_DOCUMENT = "home: home\nroles: {}\n"


class HomeEditError(ValueError):
    """The edit names a block that is not there."""


def _blocks(doc: CommentedMap, role: str, create: bool = False) -> CommentedSeq:
    roles = doc.get("roles")
    if not isinstance(roles, CommentedMap):
        roles = styled({"placeholder": 0})
        del roles["placeholder"]
        roles.fa.set_block_style()
        doc["roles"] = roles
    elif roles.fa.flow_style():
        roles.fa.set_block_style()
    blocks = roles.get(role)
    if not isinstance(blocks, CommentedSeq):
        if not create:
            raise HomeEditError(f"role '{role}' has no blocks")
        blocks = CommentedSeq()
        blocks.fa.set_block_style()
        roles[role] = blocks
    return blocks


def add_block(text: str | None, role: str, block: Mapping[str, Any]) -> str:
    """The document with `block` appended to the role's blocks (the document is started when there is none)."""
    doc = load_document(text or NEW_DOCUMENT, HOME_PATH)
    item = dict(block)
    if item.get("filter"):
        conditions = CommentedSeq(styled(dict(f), order=FILTER_ORDER) for f in item["filter"])
        conditions.fa.set_block_style()
        item["filter"] = conditions
    _blocks(doc, role, create=True).append(styled(item, order=BLOCK_ORDER))
    return dump_document(doc)


def remove_block(text: str | None, role: str, index: int) -> str:
    """The document without the role's block at `index`."""
    doc = load_document(text or NEW_DOCUMENT, HOME_PATH)
    blocks = _blocks(doc, role)
    if not 0 <= index < len(blocks):
        raise HomeEditError(f"role '{role}' has no block {index}")
    del blocks[index]
    return dump_document(doc)


def move_block(text: str | None, role: str, index: int, delta: int) -> str:
    """The document with the role's block at `index` moved `delta` places (-1 up, +1 down)."""
    doc = load_document(text or NEW_DOCUMENT, HOME_PATH)
    blocks = _blocks(doc, role)
    target = index + delta
    if not (0 <= index < len(blocks) and 0 <= target < len(blocks)):
        raise HomeEditError(f"role '{role}' cannot move block {index} to {target}")
    blocks[index], blocks[target] = blocks[target], blocks[index]
    return dump_document(doc)


def set_conditions(text: str | None, role: str, index: int, conditions: Sequence[Mapping[str, Any]]) -> str:
    """The document with the `filter` of the role's block at `index` replaced (removed when `conditions` is empty);
    the rest of the block and of the document kept."""
    doc = load_document(text or NEW_DOCUMENT, HOME_PATH)
    blocks = _blocks(doc, role)
    if not 0 <= index < len(blocks) or not isinstance(blocks[index], CommentedMap):
        raise HomeEditError(f"role '{role}' has no block {index}")
    block = blocks[index]
    if not conditions:
        block.pop("filter", None)
        return dump_document(doc)
    seq = CommentedSeq(styled(dict(f), order=FILTER_ORDER) for f in conditions)
    seq.fa.set_block_style()
    if "filter" in block:
        block["filter"] = seq
    else:
        keys = [k for k in BLOCK_ORDER if k in block or k == "filter"]
        block.insert(keys.index("filter"), "filter", seq)
    return dump_document(doc)
