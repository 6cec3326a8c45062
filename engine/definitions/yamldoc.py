"""Definition documents as a person writes them: a round trip through ruamel.yaml that keeps comments, quotes and
layout, and new values written in the house style (short maps and i18n texts in flow style, keys in a stable order).

The text is always checked by the bounded reader (yamlsource) before ruamel.yaml sees it, so a hostile document
is refused by the same limits as everywhere else. An unchanged document dumps byte-identical to its text.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.definitions.yamlsource import YamlSyntaxError, parse_yaml
from engine.errors import DefinitionError, Problem
from engine.i18n import zh_en

FLOW_WIDTH = 110  # a new or changed map shorter than this, in flow style, is written on one line
FIELD_FLOW_WIDTH = 150  # fields of a form read best one per line; the CRM's are up to ~150 characters

# Key order of new keys; keys a person placed elsewhere stay where they are.
DOCUMENT_KEYS = {
    "form": ("form", "label", "description", "title", "status", "key_fields", "numbering", "search", "fields", "rules",
             "layout", "public", "print_templates", "record_links"),
    "app": ("app", "label", "description", "icon", "color", "admins", "forms"),
}
FIELD_HEAD = ("id", "type", "label", "help", "placeholder", "required", "unique", "index", "default", "formula")
RULE_KEYS = ("show", "require", "readonly", "check", "fields", "when", "message")
OPTION_KEYS = ("value", "label", "color", "default")
TEXT_KEYS = ("zh", "en")


def _yaml(sequence_offset: int = 2) -> YAML:
    y = YAML(typ="rt")
    y.width = 4096  # never fold a long line a person wrote on one line
    y.indent(mapping=2, sequence=sequence_offset + 2, offset=sequence_offset)
    y.preserve_quotes = True
    y.brace_single_entry_mapping_in_flow_sequence = True  # [{role: x}] stays as written, not [role: x]
    return y


def _sequence_offset(text: str) -> int:
    """0 when the text writes `- ` under its key's column (`key:\\n- a`), else 2 (`key:\\n  - a`)."""
    return 0 if re.search(r"^( *)[^\s#-][^\n]*:\n\1- ", text, re.M) else 2


def load_document(text: str, path: str) -> CommentedMap:
    """The document as an editable round-trip map (DefinitionError when the text is not a YAML map in bounds)."""
    try:
        parsed = parse_yaml(text, path)
    except YamlSyntaxError as exc:
        raise DefinitionError([Problem(exc.file, exc.line, "", exc.message)]) from None
    if not isinstance(parsed.data, dict):
        raise DefinitionError([Problem(path, 1, "", zh_en("文档必须是“键: 值”的映射",
                                                          "the document must be a map of keys to values"))])

    doc = _yaml(_sequence_offset(text)).load(text)
    assert isinstance(doc, CommentedMap)
    doc._formwork_offset = _sequence_offset(text)  # type: ignore[attr-defined]
    return doc


def dump_document(doc: CommentedMap) -> str:
    """The document's text in the house style."""
    out = io.StringIO()
    _yaml(getattr(doc, "_formwork_offset", 2)).dump(doc, out)
    return out.getvalue()


def plain(value: Any) -> Any:
    """The document (or a part of it) as plain dicts, lists and scalars."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


# -- new values in the house style ---------------------------------------------------------------------------


def styled(value: Any, *, width: int = FLOW_WIDTH, order: Sequence[str] = ()) -> Any:
    """A plain value as round-trip nodes: i18n texts and short maps in flow style, lists of scalars in flow style,
    lists of maps in block style with each item styled; keys of a map in `order` first, in that order."""
    if isinstance(value, Mapping) and not isinstance(value, CommentedMap):
        node = CommentedMap()
        for key in ordered_keys(value, order):
            node[key] = styled(value[key], order=_child_order(key))
        if _is_text(value) or (_all_simple(value.values()) and len(flow_text(value)) <= width):
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        return node
    if isinstance(value, (list, tuple)) and not isinstance(value, CommentedSeq):
        seq = CommentedSeq(styled(v, order=_item_order(v)) for v in value)
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            seq.fa.set_flow_style()
        elif all(isinstance(v, (list, tuple)) for v in value) and len(flow_text(value)) <= width:
            seq.fa.set_flow_style()
        else:
            seq.fa.set_block_style()
        return seq
    return value


def ordered_keys(value: Mapping[str, Any], order: Sequence[str]) -> list[str]:
    known = [k for k in order if k in value]
    return known + [k for k in value if k not in order]


@lru_cache(maxsize=1)
def field_properties() -> dict[str, Any]:
    """The form schema's field properties: `true` for a type's own keys, a schema for the common ones."""
    from engine.definitions.schemas import validator  # the kinds register on first use

    return dict(validator("form").schema["$defs"]["field"]["properties"])


def field_order() -> tuple[str, ...]:
    """Key order of a field: the common keys, then the type keys in the schema's order."""
    return FIELD_HEAD + tuple(k for k in field_properties() if k not in FIELD_HEAD)


def styled_field(field: Mapping[str, Any]) -> CommentedMap:
    node = styled(field, width=FIELD_FLOW_WIDTH, order=field_order())
    assert isinstance(node, CommentedMap)
    return node


def restyle(node: CommentedMap, *, width: int = FIELD_FLOW_WIDTH) -> None:
    """After an edit: a flow map that grew past `width` (or took a nested list of maps) turns to block style,
    its children keeping their own style; a block map is left as the person wrote it."""
    if node.fa.flow_style() and (len(flow_text(node)) > width or not _all_simple(node.values())):
        node.fa.set_block_style()
        for key, child in node.items():
            if isinstance(child, CommentedMap) and not _is_text(child) and not _all_simple(child.values()):
                child.fa.set_block_style()
            elif isinstance(child, CommentedSeq) and any(isinstance(v, CommentedMap) for v in child):
                child.fa.set_block_style()
                for item in child:
                    if isinstance(item, CommentedMap):
                        item.fa.set_flow_style()


def set_key(node: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    """Set a key of a map: in place when it exists (its comment kept), else at its place in `order`."""
    new = value if isinstance(value, (CommentedMap, CommentedSeq)) else styled(value, order=_child_order(key))
    if key in node:
        node[key] = new
        return
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    position = len(node)
    for index, existing in enumerate(node):
        if rank.get(existing, len(order)) > mine:
            position = index
            break
    node.insert(position, key, new)


def flow_text(value: Any) -> str:
    """About how long the value is written in flow style on one line."""
    return json.dumps(plain(value), ensure_ascii=False, separators=(", ", ": "))


def _is_text(value: Mapping[str, Any]) -> bool:
    return bool(value) and all(k in TEXT_KEYS for k in value) and all(isinstance(v, str) for v in value.values())


def _all_simple(values: Iterable[Any]) -> bool:
    """Scalars, i18n texts and lists of scalars: what reads well on one line."""
    for v in values:
        if isinstance(v, Mapping):
            if not _is_text(v) and not all(not isinstance(x, (Mapping, list, tuple)) for x in v.values()):
                return False
        elif isinstance(v, (list, tuple)):
            if any(isinstance(x, (Mapping, list, tuple)) for x in v):
                return False
    return True


def _child_order(key: str) -> Sequence[str]:
    return {"options": OPTION_KEYS, "rules": RULE_KEYS, "fields": FIELD_HEAD}.get(key, TEXT_KEYS)


def _item_order(value: Any) -> Sequence[str]:
    if isinstance(value, Mapping) and "value" in value:
        return OPTION_KEYS
    if isinstance(value, Mapping) and "id" in value:
        return FIELD_HEAD
    return TEXT_KEYS
