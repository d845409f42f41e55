"""The fast engine: pypdfium2.

Text comes from one ``get_text_range`` call per page (pdfium already orders characters into
lines); boxes and fonts are read for the first and last character of each line only, which
keeps the per-page cost to a handful of C calls per line.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import threading

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from ..errors import InputError
from ..model import Document, Line, OutlineEntry, Page

_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_MAX_BOOKMARKS = 5000


# PDFium is not thread-safe, and ctypes releases the GIL during its calls: a process that
# reads PDFs from several threads (a Dask worker with threads) must take turns.
PDFIUM_LOCK = threading.RLock()
# A child forked while another thread held the lock must not inherit it held.
os.register_at_fork(after_in_child=PDFIUM_LOCK._at_fork_reinit)


def open_pdf(path: str, password: str | None = None, data: bytes | None = None) -> pdfium.PdfDocument:
    """Open the PDF at `path`, or its bytes `data` when given (`path` then only names it)."""
    try:
        return pdfium.PdfDocument(path if data is None else data, password=password)
    except pdfium.PdfiumError as exc:
        raise InputError(path, describe_pdfium_error(str(exc), password)) from None
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror or exc})") from None


def describe_pdfium_error(message: str, password: str | None) -> str:
    low = message.lower()
    if "password" in low:
        if password:
            return "encrypted PDF: the password given is wrong"
        return "encrypted PDF: a password is required (use --password)"
    if "format" in low or "file" in low:
        return "corrupt or truncated PDF (cannot parse its structure)"
    if "pdfium: success" in low:  # pdfium gave up without an error code: no usable page tree
        return "corrupt PDF: no valid page tree (no pages?)"
    return f"cannot open PDF ({message})"


def damaged_pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    shown = ", ".join(map(str, numbers[:10])) + (", …" if len(numbers) > 10 else "")
    return f"{len(numbers)} pages ({shown})"


def too_many_pages(count: int, max_pages: int) -> str:
    return f"the PDF has {count} pages; only the first {max_pages} were read (raise the limit with --max-pages)"


def _font_is_bold(textpage, index: int, weight: int) -> bool:
    if weight >= 600:
        return True
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    n = raw.FPDFText_GetFontInfo(textpage, index, buf, 128, flags)
    if n <= 0:
        return False
    name = buf.raw[: max(0, n - 1)].decode("utf-8", "replace").lower()
    return "bold" in name or "black" in name or "heavy" in name


class _Rotated:
    """Maps a rotated page's PDF coordinates to the page as displayed (top-left origin).

    Character boxes come in the unrotated page space; on a page with /Rotate 90 (a landscape
    results matrix in a portrait plan) its lines would run down the page and never form
    paragraphs.  pdfium's own page-to-device transform turns them the way a reader sees them.
    """

    _SCALE = 10  # device coordinates are integers: work in tenths of a point

    def __init__(self, page: pdfium.PdfPage, width: float, height: float):
        self.page = page.raw
        self.size = (round(width * self._SCALE), round(height * self._SCALE))
        self._x, self._y = ctypes.c_int(), ctypes.c_int()

    def point(self, x: float, y: float) -> tuple[float, float]:
        raw.FPDF_PageToDevice(self.page, 0, 0, self.size[0], self.size[1], 0, x, y, self._x, self._y)
        return self._x.value / self._SCALE, self._y.value / self._SCALE

    def box(self, left: float, top: float, right: float, bottom: float) -> tuple[float, float, float, float]:
        (ax, ay), (bx, by) = self.point(left, top), self.point(right, bottom)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def read_page_lines(page: pdfium.PdfPage, height: float, width: float = 0.0) -> list[Line]:
    rotated = _Rotated(page, width, height) if page.get_rotation() else None
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        if not text.strip():
            return []
        tp = textpage.raw
        rect = raw.FS_RECTF()
        lines: list[Line] = []
        pos = 0
        pieces = _LINE_BREAK.split(text)
        seps = [m.group(0) for m in _LINE_BREAK.finditer(text)] + [""]
        for piece, sep in zip(pieces, seps):
            stripped = piece.strip()
            if stripped:
                first = pos + (len(piece) - len(piece.lstrip()))
                last = pos + len(piece.rstrip()) - 1
                # The loose box spans the font's ascent to descent: its height tracks the
                # font size even where the PDF scales a 1-pt font by the text matrix.
                raw.FPDFText_GetLooseCharBox(tp, first, rect)
                if rotated is None:
                    x0, t0, b0 = rect.left, rect.top, rect.bottom
                    raw.FPDFText_GetLooseCharBox(tp, last, rect)
                    x1 = max(rect.right, x0)
                    top, bottom = max(t0, rect.top), min(b0, rect.bottom)
                    box = (round(x0, 1), round(height - top, 1), round(x1, 1), round(height - bottom, 1))
                    extent = abs(t0 - b0)
                else:
                    a = rotated.box(rect.left, rect.top, rect.right, rect.bottom)
                    raw.FPDFText_GetLooseCharBox(tp, last, rect)
                    b = rotated.box(rect.left, rect.top, rect.right, rect.bottom)
                    box = (a[0], min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    extent = a[3] - a[1]
                size = round(extent / 1.15 * 2) / 2  # ascent+descent is ~1.15 em
                # Bold only when the line starts and ends bold: a bold paragraph number
                # must not turn its paragraph into a heading.
                # Only short lines can be headings, so only they need the (slower) font check.
                bold = (
                    len(stripped) <= 160
                    and _font_is_bold(tp, first, raw.FPDFText_GetFontWeight(tp, first))
                    and _font_is_bold(tp, last, raw.FPDFText_GetFontWeight(tp, last))
                )
                lines.append(Line(stripped, box, size, bold))
            pos += len(piece) + len(sep)
        return lines
    finally:
        textpage.close()


def _bookmark_fields(item) -> tuple[str, int | None]:
    """Title and 0-based page of a bookmark (pypdfium2 5.x objects, or 4.x named tuples)."""
    if hasattr(item, "get_title"):
        dest = item.get_dest()
        index = dest.get_index() if dest is not None else None
        return item.get_title() or "", index
    return item.title or "", item.page_index


class _OutlineNotes(logging.Handler):
    """Collects what pypdfium2 logs while walking an outline (cycles, depth cut-offs)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def read_bookmarks(pdf: pdfium.PdfDocument, warnings: list[str] | None = None) -> list[OutlineEntry]:
    """The outline, depth-limited and capped, so cyclic or huge outlines stay bounded.

    pypdfium2 logs a cycle or a cut-off to stderr; those notes become scan warnings instead.
    """
    logger = logging.getLogger("pypdfium2")
    notes = _OutlineNotes()
    logger.addHandler(notes)
    propagate, logger.propagate = logger.propagate, False
    try:
        return _walk_outline(pdf)
    finally:
        logger.removeHandler(notes)
        logger.propagate = propagate
        if warnings is not None and any("circular" in m for m in notes.messages):
            warnings.append("the PDF's outline (bookmarks) loops back on itself; the loop was cut")


def _walk_outline(pdf: pdfium.PdfDocument) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []
    try:
        for item in pdf.get_toc(max_depth=8):
            if len(entries) >= _MAX_BOOKMARKS:
                break
            title, index = _bookmark_fields(item)
            title = " ".join(title.split())
            if not title or index is None or index < 0:
                continue
            entries.append(OutlineEntry(title, item.level + 1, index + 1, 0.0))
    except Exception:  # a broken outline never stops extraction of the text itself
        return entries
    return entries


def extract_pdfium(
    path: str, password: str | None = None, max_pages: int | None = None, data: bytes | None = None, progress=None
) -> Document:
    with PDFIUM_LOCK:
        return _extract_pdfium(path, password, max_pages, data, progress)


def _extract_pdfium(
    path: str, password: str | None, max_pages: int | None, data: bytes | None = None, progress=None
) -> Document:
    pdf = open_pdf(path, password, data)
    try:
        pages: list[Page] = []
        count = len(pdf)
        damaged: list[int] = []
        todo = count if max_pages is None else min(count, max_pages)
        for index in range(todo):
            if progress is not None and index:
                progress(index, todo)
            try:
                page = pdf[index]
                try:
                    width, height = page.get_size()
                    lines = read_page_lines(page, height, width)
                finally:
                    page.close()
            except pdfium.PdfiumError:
                # One broken page object costs that page, not the document; numbering stays.
                damaged.append(index + 1)
                pages.append(Page(index + 1, 612.0, 792.0, [], has_text_layer=False, damaged=True))
                continue
            pages.append(Page(index + 1, round(width, 1), round(height, 1), lines, has_text_layer=bool(lines)))
        if progress is not None:
            progress(len(pages), todo)
        if damaged and len(damaged) == len(pages):
            raise InputError(path, "no page of the PDF can be loaded (damaged file)")
        notes: list[str] = []
        if damaged:
            notes.append(f"{damaged_pages(damaged)} could not be loaded (damaged), skipped")
        doc = Document(path, "", "pdfium", pages, read_bookmarks(pdf, notes), notes)
        if max_pages is not None and count > max_pages:
            doc.warnings.append(too_many_pages(count, max_pages))
        scripts = raw.FPDFDoc_GetJavaScriptActionCount(pdf.raw)
        if scripts > 0:
            doc.warnings.append(f"the PDF contains {scripts} JavaScript action(s); they were ignored, not run")
        return doc
    finally:
        pdf.close()
