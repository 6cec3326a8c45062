"""Small copies of stored pictures for galleries: made with Pillow, kept on disk beside the file store (`<home>/
thumbnails/<file id>-<size>.webp`), keyed by file id and size; a stored file never changes, so a copy never goes
stale. A file that is not a picture Pillow can read gets no copy (and a marker, so it is not decoded again)."""

from __future__ import annotations

import io
import os
import secrets
import warnings
from pathlib import Path

from PIL import Image, ImageOps

SIZES = (160, 320, 640)  # the longer side in pixels; a card is ~240 px wide, 640 for a 2x screen
MAX_PIXELS = 50_000_000  # a bigger picture is refused: decoding it would take the server's memory
READABLE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff"})
MEDIA_TYPE = "image/webp"
QUALITY = 80


def shrink(data: bytes, size: int) -> bytes | None:
    """The picture in `data` fitted within size×size (turned upright by its EXIF orientation, never enlarged) as
    WebP; None when it is not a picture Pillow can read, is truncated or too large."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.draft("RGB", (size, size))  # JPEG: decode at a smaller scale right away
                picture = ImageOps.exif_transpose(image)
                picture.thumbnail((size, size))
                if picture.mode not in ("RGB", "RGBA"):
                    picture = picture.convert("RGBA" if "transparency" in picture.info or "A" in picture.mode
                                              else "RGB")
                out = io.BytesIO()
                picture.save(out, "WEBP", quality=QUALITY)
                return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None  # Pillow reports unreadable or broken data with these


class Thumbnails:
    """The on-disk cache of small copies under `root`."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, file_id: str, size: int) -> Path:
        """Where the copy of a file at a size is kept (the id is the store's random hex, never a user's name)."""
        return self.root / f"{file_id}-{size}.webp"

    def get(self, file_id: str, content_type: str, source: Path, size: int) -> Path | None:
        """The copy of a stored file at a size, made now when missing; None when the file is no readable picture."""
        target = self.path(file_id, size)
        refused = target.with_suffix(".none")
        if target.is_file():
            return target
        if content_type not in READABLE or refused.exists():
            return None
        made = shrink(source.read_bytes(), size)
        self.root.mkdir(parents=True, exist_ok=True)
        if made is None:
            refused.touch()
            return None
        partial = target.with_suffix(f".{secrets.token_hex(6)}.part")  # two at once: each writes its own, one wins
        partial.write_bytes(made)
        os.replace(partial, target)
        return target
