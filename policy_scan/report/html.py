"""The reviewer's report: one self-contained HTML file (CSS, JS and page images inline).

Everything taken from the PDF is untrusted: it reaches the page only through Jinja2's
autoescaping, and the script reads it with textContent, never innerHTML.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__
from ..assess import chapter_pages, chapter_title, verdict_reason
from ..fsio import printable
from ..language import language_name
from .csp import with_csp
from .json import finding_dict
from .labels import LABELS, gap_advice, label


@dataclass
class Segment:
    text: str
    finding: dict | None = None


@dataclass
class PassageView:
    segments: list[Segment]
    start: int  # offset of its text in the document text
    page: int
    breaks: str = ""  # "offset:page" where a later page starts inside it (offsets in the passage)


@dataclass
class ChapterView:
    index: int
    title: str
    pages: tuple[int, int]
    passages: list[PassageView] = field(default_factory=list)
    themes: dict[str, int] = field(default_factory=dict)
    first_finding: dict[str, str] = field(default_factory=dict)  # theme -> finding id
    ids: dict[str, list[str]] = field(default_factory=dict)  # theme -> finding ids, in order
    chars: int = 0  # length of its text
    front: bool = False  # before the first chapter with findings
    in_matrix: bool = True


# Sixteen highlight colours, light enough to read dark text on and far apart from each
# other (CIE76 distance of at least 25 between any two: tests/test_html_report.py).
PALETTE = (
    "#8ec9f0",  # T1 sky blue
    "#ffb55a",  # T2 orange
    "#86d886",  # T3 green
    "#ff8a80",  # T4 coral
    "#ee81f8",  # T5 violet
    "#f4dbc2",  # T6 sand
    "#ebf764",  # T7 yellow
    "#fbbbeb",  # T8 pale pink
    "#64f7eb",  # T9 cyan
    "#64f764",  # T10 bright green
    "#9e9efa",  # T11 periwinkle
    "#d6d685",  # T12 olive
    "#c2f4cb",  # T13 mint
    "#f881c7",  # T14 rose
    "#a8a8a8",  # T15 grey
    "#de9ca1",  # T16 dusty red
)


def theme_colour(theme: str) -> str:
    n = int(theme[1:]) - 1
    if 0 <= n < len(PALETTE):
        return PALETTE[n]
    return f"hsl({(n * 137) % 360}, 70%, 78%)"


FRONT_MATTER_CHARS = 300  # a chapter before the first one with findings, with less text than this, is left out


def _chapters(result, findings: list[dict], ui_lang: str = "en") -> list[ChapterView]:
    """Chapters of the plan text with their findings; cover and front-matter headings with
    hardly any text, before the first chapter with findings, are left out of the heat map
    (`ChapterView.front` marks the others before it, shown neutral, not as silent), and so
    are headings without findings that hold hardly any text or sit on contents pages."""
    by_start = sorted(findings, key=lambda f: f["char_start"])
    chapters: list[ChapterView] = []
    index: dict[str, ChapterView] = {}
    cursor = 0
    pages = chapter_pages(result.segmentation.passages)
    for passage in result.segmentation.passages:
        key = chapter_title(passage.chapter)  # as chapter_pages names it
        title = passage.chapter[0] if passage.chapter else f"({label('front matter', ui_lang)})"
        if key not in index:
            view = ChapterView(len(chapters), title, pages[key][1])
            index[key] = view
            chapters.append(view)
        view = index[key]
        start, end = passage.offset, passage.offset + len(passage.text)
        while cursor < len(by_start) and by_start[cursor]["char_start"] < start:
            cursor += 1
        segments: list[Segment] = []
        pos = start
        j = cursor
        while j < len(by_start) and by_start[j]["char_start"] < end:
            f = by_start[j]
            if f["char_start"] > pos:
                segments.append(Segment(result.segmentation.text[pos : f["char_start"]]))
            segments.append(Segment(result.segmentation.text[f["char_start"] : f["char_end"]], f))
            pos = max(pos, f["char_end"])
            for t in f["themes"]:
                view.themes[t] = view.themes.get(t, 0) + 1
                view.first_finding.setdefault(t, f["id"])
                view.ids.setdefault(t, []).append(f["id"])
            j += 1
        if pos < end:
            segments.append(Segment(result.segmentation.text[pos:end]))
        breaks, page = [], passage.page
        for span in passage.spans:
            if span.page != page:
                page = span.page
                breaks.append(f"{span.start}:{page}")
        view.passages.append(PassageView(segments, start, passage.page, " ".join(breaks)))
        view.chars += end - start
    for view in chapters:
        if view.themes:
            break
        view.front = True
        view.in_matrix = view.chars >= FRONT_MATTER_CHARS
    toc = set(result.segmentation.toc_pages or ())
    for view in chapters:
        # a heading with hardly any text, or a contents page, is not a chapter that is silent
        contents = all(p in toc for p in range(view.pages[0], view.pages[1] + 1))
        if not view.themes and (view.chars < FRONT_MATTER_CHARS or contents):
            view.in_matrix = False
    return chapters


def _page_ranges(pages: list[int]) -> str:
    out: list[str] = []
    for p in pages:
        if out and isinstance(out[-1], list) and out[-1][1] == p - 1:
            out[-1][1] = p
        else:
            out.append([p, p])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in out)


def render_html(result, ui_lang: str = "en", **_) -> str:
    env = Environment(
        loader=PackageLoader("policy_scan.report", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    tax = result.ruleset.taxonomy
    findings = [finding_dict(i, f, tax) for i, f in enumerate(result.findings)]
    for f in findings:
        f["colour"] = theme_colour(f["themes"][0]) if f["themes"] else "#ddd"
        f["colour_theme"] = f["themes"][0] if f["themes"] else "none"  # a data-colour, not an inline style (CSP)
        f["colour2"] = theme_colour(f["themes"][1]) if len(f["themes"]) > 1 else ""
        f["sha1"] = hashlib.sha1(f["text"].encode("utf-8")).hexdigest()[:12]  # as in corpus/real_sentences.jsonl
    by_page: dict[int, list[dict]] = {}
    for i, f in enumerate(findings):
        by_page.setdefault(f["page"], []).append(i)
    images = []
    for img in result.page_images:
        boxes = getattr(img, "boxes", {}) or {}
        images.append(
            {
                "page": img.page,
                "src": "data:image/jpeg;base64," + base64.b64encode(img.jpeg).decode("ascii"),
                "width": img.width,
                "height": img.height,
                "findings": [
                    {**findings[i], "boxes": boxes.get(i, findings[i]["boxes"])} for i in by_page.get(img.page, [])
                ],
            }
        )
    drawn = {img.page for img in result.page_images}
    undrawn = sorted(set(by_page) - drawn)
    from ..pages import MAX_PAGES

    capped = [p for p in undrawn if len(drawn) >= MAX_PAGES and p > max(drawn)]
    failed = [p for p in undrawn if p not in capped]
    page_of = {f["id"]: f["page"] for f in findings}

    def stage_title(stage) -> str:
        s = tax.stages[stage]
        return s.labels.get(ui_lang, s.title) if ui_lang != "en" else s.title

    themes = []
    for t in result.assessment.themes:
        theme = tax.themes[t.theme]
        themes.append(
            {
                "a": t,
                "title": theme.labels.get(ui_lang, theme.title) if ui_lang != "en" else theme.title,
                "short": (theme.short or theme.title) if ui_lang == "en" else theme.labels.get(ui_lang, theme.title),
                "colour": theme_colour(t.theme),
                "gcm": [(g, tax.gcm_titles.get(g, "")) for g in t.gcm],
                "stage_title": stage_title(t.deepest_stage) if t.deepest_stage else "",
                "gap": gap_advice(t.theme, t.entry_point, ui_lang),
                "reason": verdict_reason(
                    t.verdict, [f["stage"] for f in findings if t.theme in f["themes"]], ui_lang, t.evidence_count
                ),
            }
        )
    stage_titles = {s: stage_title(s) for s in tax.stages}
    # theme x stage: the findings of each theme at each stage (ids, in document order)
    grid: dict[str, dict[str, list[str]]] = {}
    for f in sorted(findings, key=lambda f: f["char_start"]):
        for t in f["themes"]:
            grid.setdefault(t, {}).setdefault(f["stage"], []).append(f["id"])
    stage_order = sorted(tax.stages, key=lambda s: int(s[1:]) if s[1:].isdigit() else 99)
    template = env.get_template("report.html.j2")
    return with_csp(
        template.render(
            version=__version__,
            name=printable(os.path.basename(result.document.path)),
            doc=result.document,
            language=(
                label(f"language {result.language}", ui_lang)
                if f"language {result.language}" in LABELS
                else language_name(result.language, result.ruleset.languages)
            ),
            result=result,
            assessment=result.assessment,
            themes=themes,
            stages=tax.stages,
            chapters=_chapters(result, findings, ui_lang),
            findings=findings,
            images=images,
            capped=_page_ranges(capped) if capped else "",
            failed=_page_ranges(failed) if failed else "",
            max_pages=MAX_PAGES,
            drawn=drawn,
            page_of=page_of,
            stage_titles=stage_titles,
            grid=grid,
            stage_order=stage_order,
            theme_names={t["a"].theme: t["short"] for t in themes},
            doc_lang=result.language if result.language not in ("und", "") else "",
            n_label=lambda n, key: f"{n} {label(key if n == 1 else key + 's', ui_lang)}",
            warnings=result.warnings,
            L=lambda key: label(key, ui_lang),
            ui_lang=ui_lang,
            marks={"addressed": "✓", "partial": "~", "absent": "✗"},
        )
    )
