"""A page post that names fields the user may not write (hidden or read-only for their roles) is refused, as the
API refuses it: the generated form never offers those inputs, so such a post was made by hand."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from engine.errors import FieldError


def refused_fields(data: FormData, guard: Any) -> dict[str, list[FieldError]]:
    """Errors for the posted fields `guard` (the record service's, over the whole form) does not let the user
    write; a hidden field's error is shown at the top of the form (it has no place on the page), a read-only one's
    at the field."""
    posted = {key.split("[", 1)[0].split(".", 1)[0] for key in data.keys()}
    named = {name: None for name in posted if guard.rt.form.field(name) is not None}
    errors: dict[str, list[FieldError]] = {}
    for field_id, problems in guard.write_errors(named).items():
        key = "" if field_id in guard.access.hidden else field_id
        errors.setdefault(key, []).extend(problems)
    return errors
