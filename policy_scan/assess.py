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


# Why a verdict: the evidence it counted ({n} findings, {k} of them beyond P1, {stages}), in
# each language the reports speak; the JSON carries the English.
REASONS = {
    "reason absent": {"en": "no finding", "es": "ningún hallazgo", "fr": "aucun constat"},
    "reason one": {
        "en": "one finding ({stage}); two are needed, one beyond the situation analysis",
        "es": "un hallazgo ({stage}); se necesitan dos, uno más allá del análisis de situación",
        "fr": "un constat ({stage}) ; il en faut deux, dont un au-delà de l'analyse de situation",
    },
    "reason analysis": {
        "en": "{n} findings, all in the situation analysis (P1); none commits to action",
        "es": "{n} hallazgos, todos en el análisis de situación (P1); ninguno compromete una acción",
        "fr": "{n} constats, tous dans l'analyse de situation (P1) ; aucun n'engage d'action",
    },
    "reason addressed": {
        "en": "{n} findings, {k} beyond the situation analysis ({stages})",
        "es": "{n} hallazgos, {k} más allá del análisis de situación ({stages})",
        "fr": "{n} constats, dont {k} au-delà de l'analyse de situation ({stages})",
    },
}


def verdict_reason(verdict: str, stages: list[str], lang: str = "en", count: int | None = None) -> str:
    """The evidence a theme's verdict counted, as a reviewer would check it.

    `stages`: the stage of each of the theme's findings; `count`: how many the assessment
    counted (default: one per stage given)."""

    def worded(key: str) -> str:
        return REASONS[key].get(lang) or REASONS[key]["en"]

    n = len(stages) if count is None else count
    if verdict == "absent" or not n:
        return worded("reason absent")
    beyond = [s for s in stages if s != "P1"]
    if verdict == "addressed":
        named = ", ".join(sorted(set(beyond), key=lambda s: int(s[1:])))
        return worded("reason addressed").format(n=n, k=len(beyond), stages=named)
    if n == 1:
        return worded("reason one").format(stage=stages[0] if stages else "P1")
    return worded("reason analysis").format(n=n)


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
                reason=verdict_reason(verdict, [f.stage for f in found]),
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
