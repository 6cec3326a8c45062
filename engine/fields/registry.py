"""The registry of field types, by name. Built-ins register themselves the way a plugin would."""

from __future__ import annotations

from typing import TypeVar

from engine.definitions.model import FieldDef
from engine.fields.base import FieldType
from engine.fields.screen import RECORD
from engine.i18n import text


_TYPES: dict[str, FieldType] = {}
T = TypeVar("T", bound=type[FieldType])


def register(cls: T) -> T:
    """Class decorator: make a field type available by its `name`."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    if cls.name in _TYPES:
        raise ValueError(f"field type '{cls.name}' is registered twice")
    _TYPES[cls.name] = cls()
    return cls


def field_type(name: str) -> FieldType:
    """The field type called `name`; KeyError if there is none."""
    _load_builtins()
    return _TYPES[name]


def record_target(f: FieldDef) -> str | None:
    """The form whose records the field's ids point at (a relation's `to`), or None for a field of other values."""
    ref = field_type(f.type).refers_to(f)
    return ref.form if ref is not None and ref.kind == RECORD else None


def type_label_zh(name: str) -> str:
    """The Chinese name of a field type for messages (`select` → 下拉框); the name itself for an unknown type."""
    _load_builtins()
    found = _TYPES.get(name)
    return text(found.label, "zh") if found is not None and found.label else name


def type_names() -> list[str]:
    """Every registered field type name, sorted."""
    _load_builtins()
    return sorted(_TYPES)


def _load_builtins() -> None:
    import engine.fields.types  # noqa: F401  (registers the built-in types on import)
