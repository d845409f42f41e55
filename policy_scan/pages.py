"""Page images for the HTML report: the pages that hold findings, rendered by pdfium.

A separate stage of the flow (run by `scan` when a report needs it), so that renderers
never open the PDF themselves.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from .extract.pdfium import PDFIUM_LOCK, _Rotated, open_pdf

MAX_PAGES = 60  # a report of a long plan stays mailable: at most this many page images
MAX_HEIGHT_RATIO = 3  # page images are at most three times as tall as wide


@dataclass
class PageImage:
    page: int
    jpeg: bytes
    width: float  # page size in PDF points, to place the finding boxes
    height: float
    # finding index -> boxes of its text on this page, from pdfium's character boxes
    boxes: dict[int, list[tuple[float, float, float, float]]] = field(default_factory=dict)


CAP_REASON = f"size cap: a report draws at most {MAX_PAGES} pages"


def render_pages(
    path: str,
    pages: list[int],
    password: str | None = None,
    width_px: int = 560,
    problems: list | None = None,
    findings: list | None = None,
    measured: bool = False,
) -> list[PageImage]:
    """Images of `pages`; a page that cannot be rendered is left out and noted in `problems`
    as (page, reason): the report lists its findings without the image.  Pages beyond the
    size cap are noted there too.  With `findings`, each image carries the boxes of the
    findings on it, measured on the page's own characters (`PageImage.boxes`), or taken from
    the findings when `measured` (`measure_boxes` has run)."""
    with PDFIUM_LOCK:
        return _render_pages(
            path, pages, password, width_px, problems if problems is not None else [], findings, measured
        )


def _render_pages(
    path: str,
    pages: list[int],
    password: str | None,
    width_px: int,
    problems: list,
    findings: list | None,
    measured: bool = False,
) -> list[PageImage]:
    pdf = open_pdf(path, password)
    images: list[PageImage] = []
    wanted = sorted(set(pages))
    for number in wanted[MAX_PAGES:]:
        problems.append((number, CAP_REASON))
    on_page: dict[int, list[int]] = {}
    for i, f in enumerate(findings or []):
        on_page.setdefault(f.page, []).append(i)
    try:
        for number in wanted[:MAX_PAGES]:
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
                img = PageImage(number, buffer.getvalue(), width, height)
                if on_page.get(number):
                    if measured:
                        img.boxes = {i: [tuple(b) for b in findings[i].boxes] for i in on_page[number]}
                    else:
                        img.boxes = text_boxes(page, width, height, {i: findings[i] for i in on_page[number]})
                images.append(img)
            except (pdfium.PdfiumError, ValueError, OSError) as exc:
                # e.g. a CropBox outside the MediaBox: nothing to draw on
                problems.append((number, str(exc) or type(exc).__name__))
            finally:
                page.close()
    finally:
        pdf.close()
    return images


def measure_boxes(path: str, findings: list, password: str | None = None) -> None:
    """Replace each finding's boxes (the extractor's whole lines) by boxes measured on the
    page's own characters, as drawn over the page images: the JSON, CSV and HTML outputs
    then carry one set of boxes.  A page pdfium cannot read keeps the extractor's boxes."""
    on_page: dict[int, list[int]] = {}
    for i, f in enumerate(findings):
        on_page.setdefault(f.page, []).append(i)
    if not on_page:
        return
    with PDFIUM_LOCK:
        try:
            pdf = open_pdf(path, password)
        except Exception:  # noqa: BLE001 - the extractor's boxes stand
            return
        try:
            for number, indices in sorted(on_page.items()):
                if not 1 <= number <= len(pdf):
                    continue
                try:
                    page = pdf[number - 1]
                except pdfium.PdfiumError:
                    continue
                try:
                    width, height = page.get_size()
                    measured = text_boxes(page, width, height, {i: findings[i] for i in indices})
                except (pdfium.PdfiumError, ValueError, OSError):
                    continue
                finally:
                    page.close()
                for i, boxes in measured.items():
                    if boxes:
                        findings[i].boxes = [tuple(b) for b in boxes]
        finally:
            pdf.close()


def _fold(text: str):
    """Letters and digits of `text`, lower-cased and NFKC-folded (ligatures, wide forms),
    with the index in `text` each folded character came from: hyphens, spaces and line
    breaks the extractor joined or dropped do not matter."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).lower():
            if c.isalnum():
                out.append(c)
                where.append(i)
    return "".join(out), where


CHUNK = 20  # folded characters: a sentence not found whole is placed by the pieces that are


def _find_all(folded: str, needle: str) -> list[int]:
    out = []
    at = folded.find(needle)
    while at != -1:
        out.append(at)
        at = folded.find(needle, at + 1)
    return out


def _spans(folded: str, needle: str, near: float | None, top) -> list[tuple[int, int]]:
    """Where `needle` sits in `folded` (start, end exclusive), the occurrence nearest `near`
    (a top in points; `top(k)` is the top of folded character k).  A sentence the extractor
    reassembled (a heading run into it, a figure's labels, the rest on the next page) is
    placed by its 20-character pieces found on the page, each near the one before."""
    if not needle:
        return []

    def nearest(starts: list[int], anchor: int | None) -> int:
        if anchor is not None:
            return min(starts, key=lambda s: abs(s - anchor))
        return min(starts, key=lambda s: abs(top(s) - near) if near is not None else s)

    starts = _find_all(folded, needle)
    if starts:
        best = nearest(starts, None)
        return [(best, best + len(needle))]
    pieces = [needle[k : k + CHUNK] for k in range(0, max(1, len(needle) - CHUNK + 1), CHUNK)]
    if len(needle) > CHUNK and len(needle) % CHUNK:
        pieces.append(needle[-CHUNK:])
    found: list[tuple[int, int]] = []
    for piece in pieces:
        at = _find_all(folded, piece)
        if not at:
            continue
        pos = nearest(at, found[-1][1] if found else None)
        if found and abs(pos - found[0][0]) > 3 * len(needle):
            continue  # the same words elsewhere on the page
        found.append((pos, pos + len(piece)))
    return found


def text_boxes(page, width: float, height: float, findings: dict) -> dict[int, list[tuple]]:
    """Boxes, one per line, of each finding's text on `page` (PDF points, top-left origin).

    The boxes the scan carries are whole extracted lines (first and last character only);
    here every character of the sentence is measured, so a box starts and ends where the
    sentence does.  A finding whose text cannot be found on the page keeps its own boxes.
    """
    rotated = _Rotated(page, width, height) if page.get_rotation() else None
    textpage = page.get_textpage()
    try:
        # One character per index of the page's character list (get_text_range may drop or
        # insert characters, and its offsets then drift from the boxes').
        raw_page = textpage.raw
        text = "".join(chr(pdfium.raw.FPDFText_GetUnicode(raw_page, i)) for i in range(textpage.count_chars()))
        folded, where = _fold(text)
        cache: dict[int, tuple] = {}

        def charbox(i: int):
            if i not in cache:
                left, bottom, right, top = textpage.get_charbox(i, loose=True)
                if rotated is not None:
                    cache[i] = rotated.box(left, top, right, bottom)
                else:
                    cache[i] = (left, height - top, right, height - bottom)
            return cache[i]

        def top(k: int) -> float:  # measured only where a sentence occurs more than once
            return charbox(where[k])[1]

        out: dict[int, list[tuple]] = {}
        for index, f in findings.items():
            needle, _ = _fold(f.text)
            near = f.boxes[0][1] if f.boxes else None
            spans = _spans(folded, needle, near, top)
            if not spans:
                out[index] = [tuple(b) for b in f.boxes]
                continue
            chars = sorted({i for a, b in spans for i in range(where[a], where[b - 1] + 1)})
            out[index] = _lines([charbox(i) for i in chars if not text[i].isspace()])
        return out
    finally:
        textpage.close()


def _lines(chars: list[tuple]) -> list[tuple]:
    """Character boxes in reading order -> one box per line of text."""
    rects: list[list[float]] = []
    for x0, t, x1, b in chars:
        if x1 - x0 <= 0 and b - t <= 0:
            continue  # generated characters have no box
        if rects:
            r = rects[-1]
            mid = (t + b) / 2
            if r[1] <= mid <= r[3] and x0 >= r[0] - 2 * max(1.0, b - t):
                r[0], r[1], r[2], r[3] = min(r[0], x0), min(r[1], t), max(r[2], x1), max(r[3], b)
                continue
        rects.append([x0, t, x1, b])
    return [tuple(round(v, 1) for v in r) for r in rects]


def page_evidence(
    path: str, findings: list, password: str | None = None, page_images: bool = False
) -> tuple[list[list], list[PageImage], list[tuple[int, str]]]:
    """Boxes measured for every finding (`measure_boxes`), and with `page_images` the images
    of their pages with the problems of pages left undrawn (`render_pages`).

    A plain function of its arguments, so the scan can run it in a guarded child: pdfium
    opens the PDF again here, and a crash of it then costs the boxes and images, not the scan.
    """
    measure_boxes(path, findings, password)
    problems: list[tuple[int, str]] = []
    images: list[PageImage] = []
    if page_images and findings:
        pages = [f.page for f in findings]
        images = render_pages(path, pages, password, problems=problems, findings=findings, measured=True)
    return [list(f.boxes) for f in findings], images, problems
