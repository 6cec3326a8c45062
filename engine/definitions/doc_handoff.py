"""The round-trip map behind the text an edit just wrote, handed to the next edit of that text.

A designer edit parses the draft's YAML with ruamel.yaml, changes the map and dumps it: on the CRM client form
the parse is most of an edit (~60 ms of ~100). The next edit almost always starts from the text the last one
wrote, so the map that produced it is kept and handed over instead of parsing the text again. A map is owned by
one edit at a time: `take` removes it, and only an edit that succeeded gives its map back under the new text
(a refused edit may have changed its map halfway, so that map is dropped).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ruamel.yaml.comments import CommentedMap

KEPT = 32  # maps kept at most (one per document being edited)

_lock = threading.Lock()
_maps: OrderedDict[tuple[str, str], CommentedMap] = OrderedDict()


def take(path: str, text: str) -> CommentedMap | None:
    """The map that dumps to `text`, removed from the hand-off (None: parse the text)."""
    with _lock:
        return _maps.pop((path, text), None)


def give(path: str, text: str, doc: CommentedMap) -> None:
    """Keep `doc`, which dumped to `text`, for the next edit of `path`."""
    with _lock:
        _maps[(path, text)] = doc
        _maps.move_to_end((path, text))
        while len(_maps) > KEPT:
            _maps.popitem(last=False)
