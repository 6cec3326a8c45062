"""The built-in field types; importing this package registers them all (the way a plugin would)."""

from engine.fields.types import (  # noqa: F401
    choice,
    description,
    formula,
    layout,
    media,
    numeric,
    people,
    places,
    relations,
    system,
    temporal,
    text,
)
