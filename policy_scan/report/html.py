"""The reviewer's report: one self-contained HTML file (CSS, JS and page images inline).

Everything taken from the PDF is untrusted: it reaches the page only through Jinja2's
autoescaping, and the script reads it with textContent, never innerHTML.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__
from ..fsio import printable
from ..language import language_name
from .csp import with_csp
from .json import finding_dict
from .labels import label


@dataclass
class Segment:
    text: str
    finding: dict | None = None


@dataclass
class ChapterView:
    index: int
    title: str
    pages: tuple[int, int]
    passages: list[list[Segment]] = field(default_factory=list)
    themes: dict[str, int] = field(default_factory=dict)
    first_finding: dict[str, str] = field(default_factory=dict)  # theme -> finding id


def theme_colour(theme: str) -> str:
    n = int(theme[1:]) - 1
    return f"hsl({(n * 137) % 360}, 70%, 78%)"


def _chapters(result, findings: list[dict]) -> list[ChapterView]:
    by_start = sorted(findings, key=lambda f: f["char_start"])
    chapters: list[ChapterView] = []
    index: dict[str, ChapterView] = {}
    cursor = 0
    for passage in result.segmentation.passages:
        title = passage.chapter[0] if passage.chapter else "(front matter)"
        if title not in index:
            view = ChapterView(len(chapters), title, (passage.page, passage.page))
            index[title] = view
            chapters.append(view)
        view = index[title]
        last = passage.spans[-1].page if passage.spans else passage.page
        view.pages = (view.pages[0], max(view.pages[1], last))
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
            j += 1
        if pos < end:
            segments.append(Segment(result.segmentation.text[pos:end]))
        view.passages.append(segments)
    return chapters


def render_html(result, ui_lang: str = "en", **_) -> str:
    env = Environment(
        loader=PackageLoader("policy_scan.report", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    tax = result.ruleset.taxonomy
    findings = [finding_dict(i, f, tax) for i, f in enumerate(result.findings)]
    for f in findings:
        f["colour"] = theme_colour(f["themes"][0]) if f["themes"] else "#ddd"
        f["colour_theme"] = f["themes"][0] if f["themes"] else "none"  # a data-colour, not an inline style (CSP)
    by_page: dict[int, list[dict]] = {}
    for f in findings:
        by_page.setdefault(f["page"], []).append(f)
    images = [
        {
            "page": img.page,
            "src": "data:image/jpeg;base64," + base64.b64encode(img.jpeg).decode("ascii"),
            "width": img.width,
            "height": img.height,
            "findings": by_page.get(img.page, []),
        }
        for img in result.page_images
    ]
    themes = []
    for t in result.assessment.themes:
        theme = tax.themes[t.theme]
        themes.append(
            {
                "a": t,
                "title": theme.labels.get(ui_lang, theme.title) if ui_lang != "en" else theme.title,
                "colour": theme_colour(t.theme),
                "gcm": [(g, tax.gcm_titles.get(g, "")) for g in t.gcm],
                "stage_title": tax.stages[t.deepest_stage].title if t.deepest_stage else "",
            }
        )
    template = env.get_template("report.html.j2")
    return with_csp(
        template.render(
            version=__version__,
            name=printable(os.path.basename(result.document.path)),
            doc=result.document,
            language=language_name(result.language),
            result=result,
            assessment=result.assessment,
            themes=themes,
            stages=tax.stages,
            chapters=_chapters(result, findings),
            findings=findings,
            images=images,
            warnings=result.warnings,
            L=lambda key: label(key, ui_lang),
            ui_lang=ui_lang,
            marks={"addressed": "✓", "partial": "~", "absent": "✗"},
        )
    )
