"""Long bulk jobs (imports, exports) with the objects alive before them set aside from the cyclic garbage collector.

A job that writes or reads a million records keeps promoting batches of rows to the collector's oldest generation,
and each full collection then walks every object of the process — the workspace, its definitions, SQLAlchemy's
tables — again (in one 50,000-row import on PostgreSQL: 6 full collections, 1.3 s of its 7.9 s). Frozen
(`gc.freeze`), those objects are not walked; they are unfrozen when the job ends, so nothing they hold is kept
past it. Only the young generations are collected before freezing: a full collection there would walk the whole
process once more (seconds in a process that has served for long — a test worker after thousands of tests took 2 to
8 s per import), and garbage left in the old generation is merely kept until the job ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def settled_heap() -> Iterator[None]:
    """Within the block, the collector walks only objects made inside it."""
    gc.collect(1)
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
