"""Column types used by system tables (defined with the field types, which own the value types)."""

from __future__ import annotations

from engine.fields.types.sqltypes import JSONList as JSONValue
from engine.fields.types.sqltypes import UTCDateTime

__all__ = ["JSONValue", "UTCDateTime"]
