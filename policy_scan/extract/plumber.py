"""The layout-rich engine: pdfplumber (pdfminer.six underneath).

Slower than pdfium by an order of magnitude, but its own line grouping is independent of
pdfium's, which makes it the fallback for PDFs pdfium orders badly.  Bookmarks are still
read through pypdfium2 so both engines give the same outline.
"""

from __future__ import annotations

import io

import pdfplumber

from ..errors import InputError
from ..model import Document, Line, Page
from .pdfium import open_pdf, read_bookmarks, too_many_pages


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return "bold" in name or "black" in name or "heavy" in name


def _lines_from_words(words: list[dict]) -> list[Line]:
    """Group words into lines by baseline, splitting where a wide gap marks a column gutter.

    pdfplumber's own text lines join words at the same height across columns; a gap wider
    than twice the type size is never a space between words, so it ends the line there.
    """
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= 2:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        segment: list[dict] = []
        for word in row:
            if segment and word["x0"] - segment[-1]["x1"] > 2 * float(word.get("size", 10)):
                lines.append(_line(segment))
                segment = []
            segment.append(word)
        if segment:
            lines.append(_line(segment))
    return lines


def _line(words: list[dict]) -> Line:
    text = " ".join(w["text"] for w in words)
    box = (
        round(min(w["x0"] for w in words), 1),
        round(min(w["top"] for w in words), 1),
        round(max(w["x1"] for w in words), 1),
        round(max(w["bottom"] for w in words), 1),
    )
    size = round(float(words[0].get("size", 0.0)) * 2) / 2
    bold = _is_bold(str(words[0].get("fontname", ""))) and _is_bold(str(words[-1].get("fontname", "")))
    return Line(text, box, size, bold)


def extract_pdfplumber(
    path: str, password: str | None = None, max_pages: int | None = None, data: bytes | None = None, progress=None
) -> Document:
    pdf_for_outline = open_pdf(path, password, data)  # also gives the same errors as pdfium
    try:
        notes: list[str] = []
        bookmarks = read_bookmarks(pdf_for_outline, notes)
        pdfium_pages = len(pdf_for_outline)
    finally:
        pdf_for_outline.close()
    try:
        pdf = pdfplumber.open(path if data is None else io.BytesIO(data), password=password or "")
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        raise InputError(path, f"corrupt or unreadable PDF ({type(exc).__name__})") from None
    pages: list[Page] = []
    with pdf:
        try:
            all_pages = pdf.pages
        except Exception as exc:  # noqa: BLE001 - pdfminer's errors have no common base
            raise InputError(
                path, f"pdfplumber cannot read the page tree ({type(exc).__name__}); try --engine pdfium"
            ) from None
        if not all_pages and pdfium_pages:
            # pdfminer gives up silently on some damaged files that pdfium repairs.
            raise InputError(path, "pdfplumber finds no pages in this damaged file; try --engine pdfium")
        todo = len(all_pages) if max_pages is None else min(len(all_pages), max_pages)
        for index, page in enumerate(all_pages):
            if max_pages is not None and index >= max_pages:
                break
            if progress is not None and index:
                progress(index, todo)
            try:
                words = page.extract_words(extra_attrs=["size", "fontname"])
            except Exception as exc:  # noqa: BLE001
                raise InputError(
                    path, f"pdfplumber cannot read page {index + 1} ({type(exc).__name__}: {exc})"
                ) from None
            lines = _lines_from_words(words)
            pages.append(
                Page(
                    index + 1,
                    round(float(page.width), 1),
                    round(float(page.height), 1),
                    lines,
                    has_text_layer=bool(lines),
                )
            )
        count = len(all_pages)
        if progress is not None:
            progress(len(pages), todo)
    doc = Document(path, "", "pdfplumber", pages, bookmarks, notes)
    if max_pages is not None and count > max_pages:
        doc.warnings.append(too_many_pages(count, max_pages))
    return doc
