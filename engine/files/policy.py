"""What a file, image or signature field accepts: size limit and content kinds, checked on the bytes."""

from __future__ import annotations

from engine.definitions.model import FieldDef
from engine.errors import FieldValueError
from engine.fields.registry import field_type, type_names
from engine.files.sniff import GIF, JPEG, KINDS, PNG, WEBP, Kind, by_extension, sniff

MB = 1024 * 1024
IMAGE_KINDS = (PNG, JPEG, GIF, WEBP)
# The kinds a field type's `upload_kinds` names ("any": those its `accept` allows).
UPLOAD_KINDS: dict[str, tuple[Kind, ...]] = {"image": IMAGE_KINDS, "png": (PNG,)}
# Field types whose values are uploaded files (each declares `upload_max_mb`).
MEDIA_TYPES = frozenset(name for name in type_names() if field_type(name).upload_max_mb > 0)


def holds_files(f: FieldDef) -> bool:
    """Whether the field's values are references to uploaded files (file, image, signature…)."""
    return field_type(f.type).holds_files(f)


def max_bytes(f: FieldDef) -> int:
    """The largest upload the field takes, in bytes (`max_size` is in MB)."""
    given = f.get("max_size")
    if isinstance(given, (int, float)) and not isinstance(given, bool) and given > 0:
        return int(given * MB)
    return (field_type(f.type).upload_max_mb or 20) * MB


def allowed_kinds(f: FieldDef) -> tuple[Kind, ...]:
    """The content kinds the field takes: images for image fields, PNG for signatures, `accept` or all for files."""
    declared = UPLOAD_KINDS.get(field_type(f.type).upload_kinds)
    if declared is not None:
        return declared
    accept = f.get("accept")
    if not accept:
        return KINDS
    wanted = [str(a).strip().lower() for a in accept]
    return tuple(k for k in KINDS if any(_matches(k, w) for w in wanted))


def _matches(kind: Kind, wanted: str) -> bool:
    if wanted.startswith("."):
        return by_extension(wanted) is kind
    if wanted.endswith("/*"):
        return kind.mime.startswith(wanted[:-1])
    return kind.mime == wanted


def accept_attribute(f: FieldDef) -> str:
    """The `accept` attribute of the file input: the allowed kinds' extensions."""
    return ",".join(e for k in allowed_kinds(f) for e in k.extensions)


def check_upload(f: FieldDef, data: bytes) -> Kind:
    """The kind of an upload the field accepts; a FieldValueError names the problem otherwise."""
    if not data:
        raise FieldValueError("file_empty", label=f.label)
    limit = max_bytes(f)
    if len(data) > limit:
        raise FieldValueError("file_too_large", label=f.label, max=_size_text(limit))
    kinds = allowed_kinds(f)
    kind = sniff(data)
    if kind is None or kind not in kinds:
        raise FieldValueError("file_type_not_allowed", label=f.label,
                              allowed=", ".join(k.extensions[0] for k in kinds))
    return kind


def _size_text(size: int) -> str:
    return f"{size / MB:g} MB" if size >= MB else f"{size // 1024} KB"
