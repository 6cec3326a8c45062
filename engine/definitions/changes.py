"""What changed between two texts of a document, field by field, and the three-way merge of two admins' edits.

A form is compared in units: each field (by id; a subform's columns belong to their subform), and each other
top-level key (label, layout, rules…). Two edits of one base merge when no unit was changed differently by both.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ruamel.yaml.comments import CommentedMap

from engine.definitions.yamldoc import dump_document, load_document, plain
from engine.definitions.yamlsource import YamlSyntaxError, safe_data

FIELD_UNIT = "field:"


@dataclass(frozen=True)
class FieldChange:
    """One change: a field added, removed, changed (which keys) or moved; or a form-level key (`field` "")."""

    field: str
    kind: str  # added removed changed moved form
    keys: tuple[str, ...] = ()
    label: Any = None  # the field's label (new text, else old), for people


def field_changes(old_text: str | None, new_text: str | None) -> list[FieldChange]:
    """The changes from `old_text` to `new_text` (None: the document did not exist / was removed)."""
    old, new = document_data(old_text), document_data(new_text)
    out: list[FieldChange] = []
    old_fields, new_fields = _fields_by_id(old), _fields_by_id(new)
    for fid, f in new_fields.items():
        if fid not in old_fields:
            out.append(FieldChange(fid, "added", (), f.get("label")))
    for fid, f in old_fields.items():
        if fid not in new_fields:
            out.append(FieldChange(fid, "removed", (), f.get("label")))
    for fid, f in new_fields.items():
        before = old_fields.get(fid)
        if before is not None and before != f:
            keys = sorted(k for k in set(before) | set(f) if before.get(k) != f.get(k))
            out.append(FieldChange(fid, "changed", tuple(keys), f.get("label")))
    kept_old = [i for i in old_fields if i in new_fields]
    kept_new = [i for i in new_fields if i in old_fields]
    for fid in _moved(kept_old, kept_new):
        out.append(FieldChange(fid, "moved", (), new_fields[fid].get("label")))
    keys = sorted(k for k in set(old) | set(new) if k != "fields" and old.get(k) != new.get(k))
    if keys:
        out.append(FieldChange("", "form", tuple(keys)))
    return out


def _moved(before: list[str], after: list[str]) -> list[str]:
    """Fields whose place changed: those outside the longest run kept in order."""
    if before == after:
        return []
    position = {fid: i for i, fid in enumerate(before)}
    seq = [position[f] for f in after]
    # longest increasing subsequence, O(n²) is fine for a form's few hundred fields
    best = [1] * len(seq)
    prev = [-1] * len(seq)
    for i in range(len(seq)):
        for j in range(i):
            if seq[j] < seq[i] and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    keep: set[int] = set()
    i = max(range(len(seq)), key=best.__getitem__) if seq else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return [after[i] for i in range(len(after)) if i not in keep]


def document_data(text: str | None) -> dict[str, Any]:
    """A document's text as plain data; {} for no text, unreadable YAML or anything but a map. A copy the caller
    may change: the parse is cached by text (the designer reads the same draft several times per page)."""
    if text is None:
        return {}
    return copy.deepcopy(_parsed(text))


@lru_cache(maxsize=32)
def _parsed(text: str) -> dict[str, Any]:
    try:
        data = safe_data(text)
    except YamlSyntaxError:
        return {}
    return data if isinstance(data, dict) else {}


def _fields_by_id(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    fields = data.get("fields")
    if not isinstance(fields, list):
        return {}
    return {str(f["id"]): f for f in fields if isinstance(f, dict) and "id" in f}


# -- three-way merge -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Merge:
    """The result of merging my edit into theirs: the merged text, or the units both changed differently."""

    text: str | None
    conflicts: tuple[str, ...]  # field ids, or top-level keys ("layout", "label"…)
    theirs: tuple[str, ...]  # every unit the other publish changed


def merge(base_text: str, theirs_text: str, mine_text: str, path: str) -> Merge:
    """Apply my changes since `base_text` onto `theirs_text` when no unit was changed differently by both."""
    base, theirs, mine = (_units(document_data(t)) for t in (base_text, theirs_text, mine_text))
    changed_theirs = {u for u in set(base) | set(theirs) if base.get(u) != theirs.get(u)}
    changed_mine = {u for u in set(base) | set(mine) if base.get(u) != mine.get(u)}
    shown = tuple(sorted(_shown(u) for u in changed_theirs))
    conflicts = tuple(sorted(_shown(u) for u in changed_theirs & changed_mine if theirs.get(u) != mine.get(u)))
    if conflicts:
        return Merge(None, conflicts, shown)
    doc = load_document(theirs_text, path)
    mine_doc = load_document(mine_text, path)
    for unit in sorted(changed_mine - changed_theirs):
        _apply_unit(doc, mine_doc, unit)
    return Merge(dump_document(doc), (), shown)


def _units(data: Mapping[str, Any]) -> dict[str, Any]:
    units: dict[str, Any] = {k: v for k, v in data.items() if k != "fields"}
    for fid, f in _fields_by_id(data).items():
        units[FIELD_UNIT + fid] = f
    return units


def _shown(unit: str) -> str:
    return unit[len(FIELD_UNIT):] if unit.startswith(FIELD_UNIT) else unit


def _apply_unit(doc: CommentedMap, mine: CommentedMap, unit: str) -> None:
    if not unit.startswith(FIELD_UNIT):
        if unit in mine:
            doc[unit] = copy.deepcopy(mine[unit])
        else:
            doc.pop(unit, None)
        return
    fid = unit[len(FIELD_UNIT):]
    fields = doc["fields"]
    mine_fields = list(mine.get("fields") or [])
    theirs_at = next((i for i, f in enumerate(fields) if plain(f).get("id") == fid), None)
    mine_at = next((i for i, f in enumerate(mine_fields) if plain(f).get("id") == fid), None)
    if mine_at is None:
        if theirs_at is not None:
            del fields[theirs_at]
        return
    node = copy.deepcopy(mine_fields[mine_at])
    if theirs_at is not None:
        fields[theirs_at] = node
        return
    # a field I added: after the field that precedes it in my document, if they kept it; else at the end
    before = [plain(f).get("id") for f in mine_fields[:mine_at]]
    ids = [plain(f).get("id") for f in fields]
    anchor = next((ids.index(b) for b in reversed(before) if b in ids), None)
    fields.insert(len(fields) if anchor is None else anchor + 1, node)
