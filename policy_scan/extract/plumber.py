"""The layout-rich engine: pdfplumber (pdfminer.six underneath).

Slower than pdfium by an order of magnitude, but its own line grouping is independent of
pdfium's, which makes it the fallback for PDFs pdfium orders badly.  Bookmarks are still
read through pypdfium2 so both engines give the same outline.
"""

from __future__ import annotations

import pdfplumber

from ..errors import InputError
from ..model import Document, Line, Page
from .pdfium import open_pdf, read_bookmarks


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return "bold" in name or "black" in name or "heavy" in name


def extract_pdfplumber(path: str, password: str | None = None, max_pages: int | None = None) -> Document:
    pdf_for_outline = open_pdf(path, password)  # also gives the same errors as pdfium
    try:
        bookmarks = read_bookmarks(pdf_for_outline)
    finally:
        pdf_for_outline.close()
    try:
        pdf = pdfplumber.open(path, password=password or "")
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        raise InputError(path, f"corrupt or unreadable PDF ({type(exc).__name__})") from None
    pages: list[Page] = []
    with pdf:
        for index, page in enumerate(pdf.pages):
            if max_pages is not None and index >= max_pages:
                break
            lines: list[Line] = []
            for row in page.extract_text_lines(return_chars=True, strip=True):
                text = " ".join(row["text"].split())
                if not text:
                    continue
                chars = row.get("chars") or [{}]
                size = round(float(chars[0].get("size", 0.0)) * 2) / 2
                bold = _is_bold(str(chars[0].get("fontname", "")))
                box = (round(row["x0"], 1), round(row["top"], 1), round(row["x1"], 1), round(row["bottom"], 1))
                lines.append(Line(text, box, size, bold))
            pages.append(Page(index + 1, round(float(page.width), 1), round(float(page.height), 1),
                              lines, has_text_layer=bool(lines)))
    return Document(path, "", "pdfplumber", pages, bookmarks)
