"""Lines -> passages: paragraphs with their chapter path, page and line positions.

Headings come from the PDF's bookmarks when it has them; otherwise from type size, weight
and numbering.  Headings are structure, not evidence: they set the chapter path of the
passages below them and never become passages themselves.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .languages import Languages, load_languages
from .layout import PageLayout, body_font_size, lay_out
from .model import Document, Line, OutlineEntry, Passage, Span

_BULLET = re.compile(r"^(?:[•▪●○◦■□►▶✓✔\uf0b7\uf0a7\uf076\uf0d8*·–-]\s|\(?[a-z]\)\s|\(?[ivx]{1,4}\)\s|\d{1,2}[.)]\s)")
_END = re.compile(r"[.!?;:…)\"”]$")
_HYPHENS = ("-", "\u00ad", "\x02", "\u2010")
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\u2019": "'",
        "\u2018": "'",
        "\x02": "-",
        "\u00a0": " ",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\uffff]")
_JOINED_HYPHEN = "\ufffe"  # pdfium's mark where it already joined a word hyphenated across lines
PASSAGE_SEPARATOR = "\n\n"


@dataclass
class Segmentation:
    passages: list[Passage]
    outline: list[OutlineEntry]
    text: str  # all passages joined by blank lines; findings' offsets point into it
    toc_pages: list[int] = field(default_factory=list)


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    from .detection.lexicon import lemma_table

    table = lemma_table("en")  # inflected form -> lemma: together they list the vocabulary
    return frozenset(table) | frozenset(table.values())


def _known(word: str) -> bool:
    return len(word) >= 2 and word.lower() in _english_words()


class DocumentWords:
    """The words a document writes within its lines, to settle hyphens at line ends."""

    def __init__(self, lines: list[str] | None = None):
        self.compounds: set[str] = set()
        self.plain: set[str] = set()
        for text in lines or []:
            for word in _WORDISH.findall(text.lower()):
                (self.compounds if "-" in word else self.plain).add(word)


_WORDISH = re.compile(r"\w+(?:-\w+)*")


def join_hyphenated(left: str, right: str, words: DocumentWords | None = None) -> str:
    """Join a word broken across lines: "reinte-" + "gration" -> "reintegration", but keep
    real compounds whole: "gender-" + "sensitive" -> "gender-sensitive".

    The document decides first: a compound it writes with a hyphen elsewhere keeps it, a word
    it writes solid is joined.  Otherwise a compound is assumed when both halves are words
    on their own (English lookup table); the halves of a hyphenated word rarely are.
    """
    first = re.findall(r"\w+$", left)
    second = re.findall(r"^\w+", right)
    if not (first and second):
        return left + right
    a, b = first[0].lower(), second[0].lower()
    if words is not None:
        if f"{a}-{b}" in words.compounds:
            return f"{left}-{right}"
        if a + b in words.plain:
            return left + right
    if _known(a) and _known(b) and len(b) >= 3:
        return f"{left}-{right}"
    return left + right


def normalise(text: str, words: DocumentWords | None = None) -> str:
    if _JOINED_HYPHEN in text:
        parts = text.split(_JOINED_HYPHEN)
        text = parts[0]
        for part in parts[1:]:
            text = join_hyphenated(text, part, words)
    return " ".join(_CONTROL.sub(" ", text.translate(_LIGATURES)).split())


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]+", "", text)[:40]


class _HeadingDetector:
    def __init__(self, body: float, layouts: list[PageLayout], languages: Languages):
        self.body = body
        self.numbered = languages.numbered_heading  # "Annex 2", "3.1 Title"
        self.chapter = languages.chapter_heading  # "Chapter 3"
        self.captions = languages.caption_starts
        big = sorted({ln.font_size for lay in layouts for ln in lay.lines if ln.font_size >= body + 1.5}, reverse=True)
        self.size_rank = {size: min(i + 1, 3) for i, size in enumerate(big)}

    def level(self, line: Line) -> int | None:
        text = line.text
        words = text.split()
        if not (1 <= len(words) <= 14) or len(text) < 3 or not any(c.isalpha() for c in text):
            return None
        if (
            text[0].islower()
            or text.endswith((".", ",", ";"))
            or text.lower().startswith(self.captions)
        ):
            return None
        numbered = self.numbered.match(text)
        if self.chapter.match(text):
            return 1
        if line.font_size >= self.body + 1.5:
            if numbered and numbered.group(1):
                return min(numbered.group(1).count(".") + 1, 4)
            return self.size_rank.get(line.font_size, 1)
        if line.bold and line.font_size >= self.body - 0.5:
            if numbered and numbered.group(1) and not re.match(r"^\d{1,2}[.)]\s", text):
                return min(numbered.group(1).count(".") + 1, 4)
            if numbered and numbered.group(1):
                return 2
            letters = [c for c in text if c.isalpha()]
            if len(words) >= 2 and letters and all(c.isupper() for c in letters):
                return 2
        return None


def _merge_heading_lines(
    items: list[tuple[PageLayout, Line, int | None]], numbered: re.Pattern
) -> list[tuple[PageLayout, Line, int | None]]:
    """Join a heading that wraps onto a second line of the same style."""
    merged: list[tuple[PageLayout, Line, int | None]] = []
    for lay, line, level in items:
        if merged and level is not None:
            play, pline, plevel = merged[-1]
            if (
                plevel is not None
                and play is lay
                and pline.font_size == line.font_size
                and pline.bold == line.bold
                and 0 <= line.box[1] - pline.box[3] < line.font_size
                and not numbered.match(line.text)
            ):
                box = (min(pline.box[0], line.box[0]), pline.box[1], max(pline.box[2], line.box[2]), line.box[3])
                merged[-1] = (lay, Line(f"{pline.text} {line.text}", box, line.font_size, line.bold), plevel)
                continue
        merged.append((lay, line, level))
    return merged


def segment(doc: Document, languages: Languages | None = None) -> Segmentation:
    """Passages with their chapter paths; heading and reference-list words are each
    language's (languages.py), all of them at once: the language is not known yet."""
    languages = languages or load_languages()
    layouts = lay_out(doc, languages)
    body = body_font_size(doc)
    detector = _HeadingDetector(body, layouts, languages)
    use_bookmarks = bool(doc.bookmarks)
    marks_by_page: dict[int, list[OutlineEntry]] = {}
    for entry in doc.bookmarks:
        marks_by_page.setdefault(entry.page, []).append(entry)

    items: list[tuple[PageLayout, Line, int | None]] = []
    for lay in layouts:
        for line in lay.lines:
            # In a table, a numbered or bold first line is a cell's text, not a chapter.
            items.append((lay, line, None if lay.columns >= 3 else detector.level(line)))
    items = _merge_heading_lines(items, detector.numbered)

    # Every line counts for how the document spells its compounds, glossaries included.
    words = DocumentWords([ln.text for page in doc.pages for ln in page.lines])
    builder = _PassageBuilder({lay.page.number: typical_gap(lay.lines) for lay in layouts}, words)
    builder.tables = {lay.page.number for lay in layouts if lay.columns >= 3}
    outline: list[OutlineEntry] = []
    path: list[tuple[int, str]] = []

    def enter(title: str, level: int, page: int, top: float) -> None:
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, title))
        outline.append(OutlineEntry(title, level, page, top))

    current_page = 0
    pending_marks: list[OutlineEntry] = []

    def heading(title: str) -> None:
        """Every heading closes the passage above it and says whether a reference list starts."""
        builder.close()
        builder.reference_list = bool(languages.reference_heading.match(title.strip()))

    for lay, line, level in items:
        page_no = lay.page.number
        if page_no != current_page:
            for p in range(current_page + 1, page_no + 1):
                pending_marks = marks_by_page.get(p, []) if use_bookmarks else []
                # Bookmarks whose heading line is not found on the page start at its top.
                page_keys = {_key(ln.text) for ln in lay.lines} if p == page_no else set()
                for mark in list(pending_marks):
                    if p != page_no or not any(
                        k and (k.startswith(_key(mark.title)[:20]) or _key(mark.title).startswith(k[:20]))
                        for k in page_keys
                        if len(k) >= 4
                    ):
                        heading(mark.title)
                        enter(mark.title, mark.level, p, 0.0)
                        pending_marks.remove(mark)
            current_page = page_no
        text = normalise(line.text, words)
        if not text:
            continue
        if use_bookmarks:
            key = _key(text)
            mark = next(
                (
                    m
                    for m in pending_marks
                    if len(key) >= 4 and (_key(m.title).startswith(key[:20]) or key.startswith(_key(m.title)[:20]))
                ),
                None,
            )
            if mark is not None:
                heading(mark.title)
                enter(mark.title, mark.level, page_no, line.box[1])
                pending_marks.remove(mark)
                continue
            if level is not None:
                heading(text)  # a heading the bookmarks do not list: structure, not evidence
                continue
        elif level is not None:
            heading(text)
            enter(text, level, page_no, line.box[1])
            continue
        if len(text) <= 40 and languages.bibliography_line.match(text):
            heading(text)  # "Bibliography" set in body type is still the start of a reference list
            continue
        builder.add(line, text, page_no, [title for _, title in path])
    builder.close()
    passages = builder.passages
    ocr_pages = {p.number for p in doc.pages if p.ocr}
    offset = 0
    for i, passage in enumerate(passages):
        passage.index = i
        passage.ocr = bool(ocr_pages) and any(s.page in ocr_pages for s in passage.spans)
        passage.offset = offset
        offset += len(passage.text) + len(PASSAGE_SEPARATOR)
    full_text = PASSAGE_SEPARATOR.join(p.text for p in passages)
    toc = [lay.page.number for lay in layouts if lay.is_toc]
    return Segmentation(passages, outline, full_text, toc)


def typical_gap(lines: list[Line]) -> float:
    """The usual white space between consecutive lines of a paragraph on this page.

    Double-spaced plans leave as much room between lines as single-spaced ones leave
    between paragraphs, so paragraph breaks are judged against the page's own spacing.
    """
    gaps = sorted(
        b.box[1] - a.box[3]
        for a, b in zip(lines, lines[1:])
        if 0 <= b.box[1] - a.box[3] < 3 * max(1.0, a.box[3] - a.box[1]) and abs(a.font_size - b.font_size) < 1
    )
    return gaps[len(gaps) // 2] if len(gaps) >= 3 else 0.0


class _PassageBuilder:
    """Accumulates lines into paragraphs, joining hyphenated words across lines."""

    def __init__(self, page_gaps: dict[int, float], words: DocumentWords | None = None) -> None:
        self.page_gaps = page_gaps
        self.words = words
        self.passages: list[Passage] = []
        self._parts: list[str] = []
        self._spans: list[Span] = []
        self._length = 0
        self._last: Line | None = None
        self._last_page = 0
        self._chapter: list[str] = []
        self.reference_list = False  # passages closed from now on are citations
        self.tables: set[int] = set()  # pages laid out as tables

    def _breaks(self, line: Line, text: str, page: int) -> bool:
        last = self._last
        if last is None:
            return False
        ended = bool(_END.search(self._parts[-1])) if self._parts else True
        if _BULLET.match(text):
            return True
        if page != self._last_page:
            # Prose runs on across a page break; a table's cells do not (the last cell of one
            # matrix page is not the start of the next page's first column).
            return ended or self._length <= 3 or page in self.tables or self._last_page in self.tables
        if abs(line.font_size - last.font_size) > 1.5:
            return True
        gap = line.box[1] - last.box[3]
        height = max(1.0, last.box[3] - last.box[1])
        if gap < -height:  # moved up: next column
            return ended
        if gap > max(0.6 * height, 1.5 * self.page_gaps.get(page, 0.0) + 1):
            return True
        return False

    def add(self, line: Line, text: str, page: int, chapter: list[str]) -> None:
        if self._breaks(line, text, page) or (self._parts and chapter != self._chapter):
            self.close()
        if not self._parts:
            self._chapter = chapter
        if self._parts:
            prev = self._parts[-1]
            if prev.endswith(_HYPHENS) and len(prev) > 1 and prev[-2].isalpha() and text[:1].isalpha():
                joined = join_hyphenated(prev[:-1], text, self.words) if text[:1].islower() else prev + text
                kept = len(joined) - len(text) - len(prev)  # 0 if the hyphen stays, -1 if dropped
                self._parts[-1] = joined[: len(prev) + kept]
                self._length += kept
                last = self._spans[-1]
                self._spans[-1] = Span(last.start, last.end + kept, last.page, last.box)
            else:
                self._parts.append(" ")
                self._length += 1
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        self._spans.append(Span(start, self._length, page, line.box))
        self._last = line
        self._last_page = page

    def close(self) -> None:
        if self._parts:
            text = "".join(self._parts)
            if any(c.isalpha() for c in text):
                passage = Passage(len(self.passages), text, self._spans[0].page, list(self._chapter), self._spans)
                passage.reference_list = self.reference_list
                self.passages.append(passage)
        self._parts, self._spans, self._length, self._last = [], [], 0, None
