"""Plain data types passed between the stages of the scan flow.

PDF -> Document -> Passages -> Findings -> Assessment -> report.  Every stage takes and
returns these types only, so a renderer never needs the PDF and an assessor never needs a
matcher.  Boxes are in PDF points with the origin at the top-left of the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Box = tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass
class Line:
    text: str
    box: Box
    font_size: float = 0.0
    bold: bool = False


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    has_text_layer: bool = True
    ocr: bool = False  # text came from OCR, not from the PDF's own text layer
    garbled: bool = False  # the text layer is unreadable (fonts without a unicode mapping)
    damaged: bool = False  # the PDF engine could not load the page at all


@dataclass
class OutlineEntry:
    title: str
    level: int  # 1 = chapter, 2 = section, ...
    page: int
    top: float = 0.0  # where on the page the heading sits, when known


@dataclass
class Document:
    path: str
    sha256: str
    engine: str
    pages: list[Page]
    bookmarks: list[OutlineEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)


@dataclass
class Span:
    """Where a piece of passage text sits on a page."""

    start: int  # offset in the passage text
    end: int
    page: int
    box: Box


@dataclass
class Passage:
    """A paragraph-sized unit of running text, the input to NLP and detection."""

    index: int
    text: str
    page: int  # page where the passage starts
    chapter: list[str]  # chapter path, outermost first
    spans: list[Span] = field(default_factory=list)  # line-level positions
    offset: int = 0  # where text[0] sits in the document text (passages joined by blank lines)
    lang: str = "en"
    ocr: bool = False
    reference_list: bool = False  # under a "References"/"Bibliography" heading: citations, not evidence

    def locate(self, start: int, end: int) -> tuple[int, list[Box]]:
        """Page and boxes of the text between two passage offsets."""
        hit = [s for s in self.spans if s.start < end and s.end > start]
        if not hit:
            return self.page, []
        page = hit[0].page
        return page, [s.box for s in hit if s.page == page]


@dataclass
class Finding:
    """A sentence (or span of one) that addresses one or more themes."""

    page: int
    text: str
    char_start: int  # offsets in the document text (`policy-scan extract` prints it)
    char_end: int
    chapter: list[str]
    themes: list[str]
    stage: str
    score: float
    source: str  # rule | classifier | both | section | reviewer
    rule_ids: list[str] = field(default_factory=list)
    matched_terms: list[str] = field(default_factory=list)
    classifier_terms: list[str] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    lang: str = "en"
    ocr: bool = False


@dataclass
class ThemeAssessment:
    theme: str
    title: str
    verdict: str  # addressed | partial | absent
    deepest_stage: str | None
    stages: list[str]
    evidence_count: int
    pages: list[int]
    gcm: list[int]
    sdg: list[str]
    entry_point: str | None  # what the plan could add, for partial and absent themes
    score: float
    reason: str = ""  # the evidence the verdict counted, in words (schema 1.3)


@dataclass
class ChapterAssessment:
    title: str
    path: list[str]
    pages: tuple[int, int]
    themes: dict[str, int]  # theme -> number of findings


@dataclass
class Assessment:
    themes: list[ThemeAssessment]
    chapters: list[ChapterAssessment]
    score: float  # 0-100 mainstreaming score
    addressed: int
    partial: int
    absent: int
