"""Page layout clean-up: what a reader skips, and the order a reader reads in.

Drops running headers and footers, page numbers and table-of-contents lines, and puts
two-column pages into column order.  Works on `Line` boxes only, so it is the same for both
extraction engines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .languages import Languages, load_languages
from .model import Document, Line, Page

MARGIN = 0.09  # top and bottom share of the page where running headers and footers live
_DIGITS = re.compile(r"\d+")
_FOOTNOTE_START = re.compile(r"^(?:\d{1,3}|[*†‡¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s?\S")
_LEADERS = re.compile(r"(?:\.{4,}|…{2,}|(?:\. ){4,})\s*[\divxlc]{1,5}\s*$", re.IGNORECASE)
@dataclass
class PageLayout:
    page: Page
    lines: list[Line]  # the lines a reader reads, in reading order
    is_toc: bool = False
    columns: int = 1  # columns found; three or more is a table (a results matrix)


def body_font_size(doc: Document) -> float:
    sizes: Counter[float] = Counter()
    for page in doc.pages:
        for line in page.lines:
            sizes[line.font_size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _in_margin(line: Line, page: Page) -> bool:
    return line.box[1] < page.height * MARGIN or line.box[3] > page.height * (1 - MARGIN)


def running_lines(doc: Document) -> set[str]:
    """Normalised texts of lines repeated in the margins of many pages."""
    counts: Counter[str] = Counter()
    text_pages = 0
    for page in doc.pages:
        if not page.lines:
            continue
        text_pages += 1
        seen = {_DIGITS.sub("#", ln.text.lower()) for ln in page.lines if _in_margin(ln, page)}
        counts.update(seen)
    # Chapter-specific running heads repeat only within their chapter, so a few pages of
    # repetition in the margin is enough; short documents repeat on two.
    threshold = 2 if text_pages <= 5 else 3
    return {key for key, n in counts.items() if n >= threshold}


def is_toc_page(lines: list[Line], languages: Languages | None = None) -> bool:
    """A page that lists what is elsewhere (contents, figures, tables, acronyms): navigation,
    not evidence.  Its title (each language's `contents` words) matters most for scans,
    where OCR turns dot leaders into noise."""
    if len(lines) < 4:
        return False
    title = (languages or load_languages()).contents_title
    # A title stands on a short line of its own ("Acronyms"), not at the start of a sentence
    # that wraps ("siglas en inglés) ...").
    if any(title.match(ln.text) and len(ln.text.split()) <= 6 for ln in lines[:6]):
        return True
    leaders = sum(1 for ln in lines if _LEADERS.search(ln.text))
    return leaders >= 4 and leaders >= 0.3 * len(lines)


def read_columns(lines: list[Line], width: float) -> tuple[list[Line], int]:
    """Order lines for reading: top to bottom, and column by column on multi-column pages.

    A gutter is a vertical strip that no line crosses; lines that do cross it (titles,
    full-width figures) split the page into bands read top to bottom.  The columns found may
    hold columns of their own (a results matrix: activity, responsible body, timeline), so
    each is split again the same way, and every table column is read down before the next.
    """
    if not _plausible_boxes(lines):
        return _stable_flow(lines), 1
    ordered, columns = _order(lines, 0.0, width, 0)
    return ordered, max(1, columns)


def _plausible_boxes(lines: list[Line]) -> bool:
    """Whether line boxes can be trusted to find columns.

    Some PDFs place each glyph on its own, and the first and last characters' boxes then say
    little about where a line runs (a 70-character line 20 points wide); gutters found from
    such boxes cut through the text, so those pages keep the engine's order.
    """
    long = [ln for ln in lines if len(ln.text) >= 20 and ln.font_size > 0]
    if not long:
        return True
    narrow = sum(1 for ln in long if ln.box[2] - ln.box[0] < 0.2 * ln.font_size * len(ln.text))
    return narrow <= 0.1 * len(long)


_MAX_DEPTH = 3  # a page read as up to 2**3 columns


def _order(lines: list[Line], lo: float, hi: float, depth: int) -> tuple[list[Line], int]:
    """Lines in reading order, and the most columns side by side in any band."""
    ordered = sorted(lines, key=lambda ln: (round(ln.box[1]), ln.box[0]))
    gutter = _find_gutter(ordered, lo, hi, depth) if depth < _MAX_DEPTH else None
    if gutter is None:
        # One column: keep the engine's order at the top level (it follows the content
        # stream, which already puts side notes in a sensible order); inside a split, top
        # to bottom.
        flow = _stable_flow(lines) if depth == 0 else sorted(lines, key=lambda ln: (ln.box[1], ln.box[0]))
        return flow, 1 if lines else 0
    result: list[Line] = []
    band: list[Line] = []
    columns = 0
    for ln in ordered:
        if ln.box[0] < gutter < ln.box[2]:
            read, n = _read_band(band, lo, gutter, hi, depth)
            result.extend(read)
            result.append(ln)
            columns = max(columns, n)
            band = []
        else:
            band.append(ln)
    read, n = _read_band(band, lo, gutter, hi, depth)
    result.extend(read)
    return result, max(columns, n)


def _stable_flow(lines: list[Line]) -> list[Line]:
    return lines


def _read_band(band: list[Line], lo: float, gutter: float, hi: float, depth: int) -> tuple[list[Line], int]:
    left, n_left = _order([ln for ln in band if ln.box[2] <= gutter], lo, gutter, depth + 1)
    right, n_right = _order([ln for ln in band if ln.box[0] >= gutter], gutter, hi, depth + 1)
    return left + right, n_left + n_right


def _find_gutter(lines: list[Line], lo: float, hi: float, depth: int = 0) -> float | None:
    """The best gutter between lo and hi: in the middle 30-70% of a page, anywhere within a column."""
    if len(lines) < (8 if depth == 0 else 6):
        return None
    if depth:  # inside a column, search between the text's own edges
        lo, hi = min(ln.box[0] for ln in lines), max(ln.box[2] for ln in lines)
    span = hi - lo
    if span <= 0:
        return None
    first, last = (0.3, 0.7) if depth == 0 else (0.1, 0.9)
    need = 4 if depth == 0 else 3
    # Candidates just right of where lines end: table gutters can be a few points wide.
    candidates = sorted({ln.box[2] + 0.5 for ln in lines} | {lo + span * k / 50 for k in range(51)})
    best = None
    for x in candidates:
        if not lo + span * first <= x <= lo + span * last:
            continue
        left = sum(1 for ln in lines if ln.box[2] <= x)
        right = sum(1 for ln in lines if ln.box[0] >= x)
        crossing = len(lines) - left - right
        if left >= need and right >= need and crossing <= 0.15 * len(lines):
            # Lines on both sides must overlap vertically, or it is a page of short lines.
            score = min(left, right) - 3 * crossing
            if best is None or score > best[0]:
                best = (score, x)
    if best is None:
        return None
    x = best[1]
    left_lines = [ln for ln in lines if ln.box[2] <= x]
    right_lines = [ln for ln in lines if ln.box[0] >= x]
    overlap = sum(1 for a in left_lines if any(b.box[1] < a.box[3] and b.box[3] > a.box[1] for b in right_lines))
    return x if overlap >= 0.5 * min(len(left_lines), len(right_lines)) else None


# OCR reads a superscript footnote number as a digit glued to the next word ("1Tunon") or
# as a stray mark ("° ibid.").
_OCR_FOOTNOTE_START = re.compile(r"^(?:\d{1,3} ?(?=[A-Z])|[>°?*¹²³⁴⁵⁶⁷⁸⁹⁰†‡]\s)")


def drop_footnotes(lines: list[Line], page: Page, body: float) -> list[Line]:
    """Footnotes (small type, numbered, low on the page) cite sources; they are not the plan."""
    if page.ocr:
        return _drop_ocr_footnotes(lines, page)
    for i, ln in enumerate(lines):
        if ln.box[1] > page.height * 0.55 and ln.font_size <= body - 1 and _FOOTNOTE_START.match(ln.text):
            return lines[:i] + [x for x in lines[i + 1 :] if x.font_size > body - 1 or x.box[1] < ln.box[1]]
    return lines


def _drop_ocr_footnotes(lines: list[Line], page: Page) -> list[Line]:
    """On an OCR'd page type sizes are too rough to tell footnotes by; their place tells
    instead: low on the page, after a wider gap than between lines, with a footnote mark."""
    gaps = sorted(b.box[1] - a.box[3] for a, b in zip(lines, lines[1:]) if b.box[1] > a.box[3])
    usual = gaps[len(gaps) // 2] if gaps else 0.0
    for i, ln in enumerate(lines):
        if i and ln.box[1] > page.height * 0.7 and _OCR_FOOTNOTE_START.match(ln.text):
            if ln.box[1] - lines[i - 1].box[3] > 2 * usual + 2:
                return lines[:i]
    return lines


def lay_out(doc: Document, languages: Languages | None = None) -> list[PageLayout]:
    languages = languages or load_languages()
    page_number = languages.page_number
    repeated = running_lines(doc)
    body = body_font_size(doc)
    layouts: list[PageLayout] = []
    for page in doc.pages:
        kept: list[Line] = []
        for ln in page.lines:
            if _in_margin(ln, page):
                if _DIGITS.sub("#", ln.text.lower()) in repeated or page_number.match(ln.text):
                    continue
            kept.append(ln)
        kept = drop_footnotes(kept, page, body)
        toc = is_toc_page(kept, languages)
        if toc:
            kept = []
        else:
            kept = [ln for ln in kept if not _LEADERS.search(ln.text)]
        ordered, columns = read_columns(kept, page.width)
        layouts.append(PageLayout(page, ordered, toc, columns))
    return layouts
