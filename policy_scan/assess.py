"""Findings -> assessment: a verdict per theme, themes per chapter, one overall score.

Verdicts (documented in the README):
  absent     no finding for the theme;
  partial    one finding, or findings only in the situation analysis (P1);
  addressed  two or more findings, at least one beyond the analysis (P2..P7).
Theme score = verdict weight (addressed 1, partial 0.5, absent 0)
              x (0.5 + 0.5 x depth of the deepest stage / deepest possible depth).
Mainstreaming score = 100 x mean of the sixteen theme scores.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .model import Assessment, ChapterAssessment, Finding, Passage, ThemeAssessment
from .ruleset import Taxonomy

VERDICT_WEIGHT = {"addressed": 1.0, "partial": 0.5, "absent": 0.0}
FRONT_MATTER = "(front matter)"


def theme_verdict(findings: list[Finding], taxonomy: Taxonomy) -> tuple[str, str | None]:
    if not findings:
        return "absent", None
    deepest = max((f.stage for f in findings), key=lambda s: (taxonomy.stages[s].depth, s))
    beyond_analysis = any(f.stage != taxonomy.analysis_stage for f in findings)
    verdict = "addressed" if len(findings) >= 2 and beyond_analysis else "partial"
    return verdict, deepest


def verdict_reason(findings: list[Finding], verdict: str) -> str:
    """Why the verdict: the evidence it counted, as a reviewer would check it.  (English; the
    HTML report says the same in its own language: report.labels.verdict_reason.)"""
    if verdict == "absent":
        return "no finding"
    beyond = sorted({f.stage for f in findings if f.stage != "P1"}, key=lambda s: int(s[1:]))
    n_beyond = sum(f.stage != "P1" for f in findings)
    if verdict == "addressed":
        return f"{len(findings)} findings, {n_beyond} beyond the situation analysis ({', '.join(beyond)})"
    if len(findings) == 1:
        return f"one finding ({findings[0].stage}); two are needed, one beyond the situation analysis"
    return f"{len(findings)} findings, all in the situation analysis (P1); none commits to action"


def chapter_title(path: list[str]) -> str:
    return path[0] if path else FRONT_MATTER


def chapter_pages(passages: list[Passage]) -> dict[str, tuple[list[str], tuple[int, int]]]:
    """Each top-level chapter, in reading order: its path and (first page, last page).

    The one place chapter page ranges are computed (the assessment and the HTML report's
    chapters use it); a chapter's pages run from its first passage to its furthest line.
    """
    out: dict[str, tuple[list[str], tuple[int, int]]] = {}
    for p in passages:
        title = chapter_title(p.chapter)
        last_page = p.spans[-1].page if p.spans else p.page
        if title not in out:
            out[title] = (p.chapter[:1] or [FRONT_MATTER], (p.page, last_page))
        else:
            path, (first, last) = out[title]
            out[title] = (path, (first, max(last, last_page)))
    return out


def assess(findings: list[Finding], passages: list[Passage], taxonomy: Taxonomy) -> Assessment:
    by_theme: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        for t in f.themes:
            by_theme[t].append(f)
    max_depth = max(s.depth for s in taxonomy.stages.values())
    themes: list[ThemeAssessment] = []
    for tid, theme in taxonomy.themes.items():
        found = by_theme.get(tid, [])
        verdict, deepest = theme_verdict(found, taxonomy)
        depth = taxonomy.stages[deepest].depth if deepest else 0
        score = VERDICT_WEIGHT[verdict] * (0.5 + 0.5 * depth / max_depth) if deepest else 0.0
        stages = sorted({f.stage for f in found}, key=lambda s: int(s[1:]))
        themes.append(
            ThemeAssessment(
                theme=tid,
                title=theme.title,
                verdict=verdict,
                deepest_stage=deepest,
                stages=stages,
                evidence_count=len(found),
                pages=sorted({f.page for f in found}),
                gcm=theme.gcm,
                sdg=theme.sdg,
                entry_point=None if verdict == "addressed" else theme.entry_point,
                score=round(score, 3),
                reason=verdict_reason(found, verdict),
            )
        )

    chapters: dict[str, ChapterAssessment] = {}
    for title, (path, pages) in chapter_pages(passages).items():
        chapters[title] = ChapterAssessment(title, path, pages, {})
    for f in findings:
        chapter = chapters.get(chapter_title(f.chapter))
        if chapter is not None:
            counts = Counter(chapter.themes)
            counts.update(f.themes)
            chapter.themes = dict(sorted(counts.items(), key=lambda kv: int(kv[0][1:])))
    verdicts = Counter(t.verdict for t in themes)
    overall = 100 * sum(t.score for t in themes) / max(1, len(themes))
    return Assessment(
        themes,
        list(chapters.values()),
        round(overall, 1),
        verdicts["addressed"],
        verdicts["partial"],
        verdicts["absent"],
    )
