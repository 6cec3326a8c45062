"""Reading PDFs back in tests: the text (pypdf) and how much of a page is coloured (poppler's pdftoppm), which is
how a test tells a drawn chart from text alone."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def coloured_pixels(pdf: bytes, page: int = 1) -> int:
    """How many pixels of a page (at 40 dpi) are clearly coloured: text is black or grey, a chart's bars, lines
    and slices are not."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), "-png", str(source),
                        str(Path(folder) / "page")], check=True)
        image = Image.open(next(Path(folder).glob("page*.png"))).convert("RGB")
        return sum(1 for r, g, b in image.get_flattened_data() if max(r, g, b) - min(r, g, b) > 60)
