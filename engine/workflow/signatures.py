"""Handwritten signatures kept with workflow steps: PNG images as data URLs, checked before anything is stored."""

from __future__ import annotations

import base64
import binascii

from engine.workflow.errors import WorkflowError

PNG_DATA_URL = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_KB = 300  # the whole data URL, as the signature pad and the web layer allow


def checked_signature(value: str | None) -> str | None:
    """The signature when it is a PNG data URL of at most MAX_KB (None for none); WorkflowError otherwise, so no
    caller stores other markup, another image type or junk as a signature."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not value.startswith(PNG_DATA_URL) or len(value) > MAX_KB * 1024:
        raise WorkflowError("wf_bad_signature", kb=MAX_KB)
    try:
        data = base64.b64decode(value[len(PNG_DATA_URL):], validate=True)
    except (binascii.Error, ValueError):
        raise WorkflowError("wf_bad_signature", kb=MAX_KB) from None
    if not data.startswith(PNG_MAGIC):
        raise WorkflowError("wf_bad_signature", kb=MAX_KB)
    return value
