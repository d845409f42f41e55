"""Page images for the HTML report: the pages that hold findings, rendered by pdfium.

A separate stage of the flow (run by `scan` when a report needs it), so that renderers
never open the PDF themselves.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2 as pdfium

from .extract.pdfium import PDFIUM_LOCK, open_pdf

MAX_PAGES = 60  # a report of a long plan stays mailable: at most this many page images
MAX_HEIGHT_RATIO = 3  # page images are at most three times as tall as wide


@dataclass
class PageImage:
    page: int
    jpeg: bytes
    width: float  # page size in PDF points, to place the finding boxes
    height: float


def render_pages(
    path: str, pages: list[int], password: str | None = None, width_px: int = 560, problems: list | None = None
) -> list[PageImage]:
    """Images of `pages`; a page that cannot be rendered is left out and noted in `problems`
    as (page, reason): the report lists its findings without the image."""
    with PDFIUM_LOCK:
        return _render_pages(path, pages, password, width_px, problems if problems is not None else [])


def _render_pages(path: str, pages: list[int], password: str | None, width_px: int, problems: list) -> list[PageImage]:
    pdf = open_pdf(path, password)
    images: list[PageImage] = []
    try:
        for number in sorted(set(pages))[:MAX_PAGES]:
            if not 1 <= number <= len(pdf):
                continue
            try:
                page = pdf[number - 1]
            except pdfium.PdfiumError as exc:
                problems.append((number, f"cannot load the page: {exc}"))
                continue
            try:
                width, height = page.get_size()
                # Fit the width, but never let a freakishly tall page become a huge bitmap.
                scale = min(width_px / max(1.0, width), MAX_HEIGHT_RATIO * width_px / max(1.0, height))
                bitmap = page.render(scale=scale)
                image = bitmap.to_pil().convert("RGB")
                buffer = io.BytesIO()
                image.save(buffer, format="JPEG", quality=70, optimize=True)
                images.append(PageImage(number, buffer.getvalue(), width, height))
            except (pdfium.PdfiumError, ValueError, OSError) as exc:
                # e.g. a CropBox outside the MediaBox: nothing to draw on
                problems.append((number, str(exc) or type(exc).__name__))
            finally:
                page.close()
    finally:
        pdf.close()
    return images
