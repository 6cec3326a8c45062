"""The workspace's definitions with one draft in place, and a record service over them: what the formula check
and the preview compile and run against. Built once per draft text (a small cache), never stored."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from engine.definitions.loader import LoadResult, load_sources
from engine.definitions.model import Definitions
from engine.records.service import RecordService
from engine.workspace import Workspace

CACHED = 8
_cache: OrderedDict[tuple[int, int, str, str], LoadResult] = OrderedDict()
_lock = threading.Lock()


def draft_load(ws: Workspace, path: str, draft_text: str) -> LoadResult:
    """The workspace's stored documents with `path` replaced by the draft's text, loaded and checked."""
    key = (id(ws), id(ws.definitions), path, hashlib.sha256(draft_text.encode()).hexdigest())
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    result = load_sources({**ws.sources(), path: draft_text})
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return result


@dataclass
class DraftRuntime:
    """Definitions of the draft and a record service over them (reads the live tables, never writes)."""

    definitions: Definitions
    records: RecordService


def draft_runtime(ws: Workspace, path: str, draft_text: str, lang: str) -> DraftRuntime | list[str]:
    """The draft's runtime, or the messages (in `lang`) of the problems that keep it from being built."""
    result = draft_load(ws, path, draft_text)
    if result.problems:
        return [p.text(lang) for p in result.problems]

    defs = result.definitions
    return DraftRuntime(defs, ws.records_for(defs))
