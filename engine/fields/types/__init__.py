"""The built-in field types; importing this package registers them all."""

from engine.fields.types import (  # noqa: F401
    choice, computed, media, numeric, places, references, temporal, text,
)
