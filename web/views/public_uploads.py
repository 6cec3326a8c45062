"""Files sent with a public form's page (only for the file and image fields its link allows): each file checked as
any upload is (its real type against the field's, its size against the field's limit), then stored as uploaded by
nobody; a file stored on a try that was refused is carried to the next try as a signed mark, not sent again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData, UploadFile

from engine import public_forms
from engine.definitions.model import FormDef, PublicDef
from engine.errors import FieldValueError
from engine.files.policy import check_upload
from engine.records.values import Errors
from engine.workspace import Workspace
from web.views.file_access import file_store


@dataclass
class Uploaded:
    """What a post's files came to: references by field, their marks for the page, problems by field."""

    refs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    marks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # field → (mark, file name)
    errors: Errors = field(default_factory=dict)


def receive(ws: Workspace, form: FormDef, public: PublicDef, data: FormData) -> Uploaded:
    """Check and store the files posted for the link's file fields, with the ones kept from a previous try."""
    out = Uploaded()
    store = file_store(ws)
    for f in public_forms.upload_fields(form):
        kept = [i for i in (public_forms.marked_file(ws, public, str(m)) for m in data.getlist(f"{f.id}.kept")) if i]
        refs = [s.ref() for s in store.many(kept).values()]
        for given in data.getlist(f.id):
            if not isinstance(given, UploadFile) or not given.filename:
                continue  # an empty file input, or text posted in its place: never a file id
            content = given.file.read()
            try:
                kind = check_upload(f, content)
            except FieldValueError as exc:
                out.errors.setdefault(f.id, []).append(exc.error)
                continue
            refs.append(store.save(content, given.filename, kind, None).ref())
        if refs:
            out.refs[f.id] = refs
            out.marks[f.id] = [(public_forms.file_mark(ws, public, r["id"]), str(r.get("name") or "")) for r in refs]
    return out
