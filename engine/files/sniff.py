"""What a file is, judged by its first bytes (never by its name or the browser's claim)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """A recognised content type: its MIME type, the usual extensions, and whether browsers may show it inline."""

    mime: str
    extensions: tuple[str, ...]
    image: bool = False


PNG = Kind("image/png", (".png",), image=True)
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), image=True)
GIF = Kind("image/gif", (".gif",), image=True)
WEBP = Kind("image/webp", (".webp",), image=True)
PDF = Kind("application/pdf", (".pdf",))
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
ZIP = Kind("application/zip", (".zip",))
TEXT = Kind("text/plain", (".txt", ".csv", ".md", ".log"))
KINDS = (PNG, JPEG, GIF, WEBP, PDF, DOCX, XLSX, PPTX, ZIP, TEXT)
OFFICE_FOLDERS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def sniff(data: bytes) -> Kind | None:
    """The kind of content `data` holds, or None when it is none of the recognised kinds."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if _is_text(data):
        return TEXT
    return None


def _zip_kind(data: bytes) -> Kind | None:
    """An Office Open XML document (by the folders inside), or a plain zip archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" in names:
        for folder, kind in OFFICE_FOLDERS:
            if any(n.startswith(folder) for n in names):
                return kind
    return ZIP


def _is_text(data: bytes) -> bool:
    """UTF-8 (or UTF-8 with BOM) text without NUL or other binary control bytes."""
    if not data or b"\x00" in data:
        return False
    sample = data[:65536]
    try:
        decoded = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 3:  # a multi-byte character cut off at the sample's end is fine
            return False
        decoded = sample[:exc.start].decode("utf-8")
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in decoded)


def by_extension(extension: str) -> Kind | None:
    """The recognised kind an extension such as '.pdf' names."""
    extension = extension.lower()
    return next((k for k in KINDS if extension in k.extensions), None)
