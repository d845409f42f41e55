"""The terminal report: a checklist per theme with evidence and gaps, then chapters."""

from __future__ import annotations

import os
import textwrap

from .. import __version__
from ..fsio import printable
from ..language import language_name
from .labels import gap_advice, label

MARKS = {"addressed": "✓", "partial": "~", "absent": "✗"}


def _pages(pages: list[int], limit: int = 12) -> str:
    if not pages:
        return "-"
    runs, start, prev = [], pages[0], pages[0]
    for p in pages[1:] + [None]:
        if p is not None and p == prev + 1:
            prev = p
            continue
        runs.append(str(start) if start == prev else f"{start}–{prev}")
        if p is not None:
            start = prev = p
    text = ", ".join(runs[:limit])
    return text + (" …" if len(runs) > limit else "")


def _snippet(text: str, width: int = 150) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


def _stage_grid(a, tax, L) -> list[str]:
    """Theme x stage: which planning stages each theme reaches ("analysed, but no target")."""
    stages = sorted(tax.stages, key=lambda s: int(s[1:]))
    lines = [f"{L('theme x stage'):<20}" + " ".join(f"{s:>3}" for s in stages)]
    for t in a.themes:
        marks = " ".join(f"{'●' if s in t.stages else '·':>3}" for s in stages)
        lines.append(f"  {t.theme:<4} {MARKS[t.verdict]}{'':<12}{marks}")
    legend = " · ".join(f"{s} {tax.stages[s].title}" for s in stages)
    lines.extend(f"  {line}" for line in textwrap.wrap(legend, 94))
    lines.append("")
    return lines


def render_text(result, evidence: int = 2, ui_lang: str = "en", **_) -> str:
    tax = result.ruleset.taxonomy
    a = result.assessment
    doc = result.document
    L = lambda key: label(key, ui_lang)  # noqa: E731
    out: list[str] = []
    language = language_name(result.language, result.ruleset.languages)
    out.append(f"policy-scan {__version__} — {printable(os.path.basename(doc.path))}")
    out.append(
        f"{doc.page_count} {L('pages')} · {language} · {L('engine')} {doc.engine} · "
        f"{L('rules')} {result.ruleset.version}"
        + (f" · {L('classifier')} {result.classifier}" if result.classifier else "")
    )
    out.append("")
    out.append(
        f"{L('score')}: {a.score:.1f} / 100   ({L('addressed')} {a.addressed} · {L('partial')} {a.partial} · "
        f"{L('absent')} {a.absent})"
    )
    out.append(f"{len(result.findings)} {L('finding') if len(result.findings) == 1 else L('findings')}")
    out.append("")
    out.append(L("themes"))
    by_theme: dict[str, list] = {}
    for f in result.findings:
        for t in f.themes:
            by_theme.setdefault(t, []).append(f)
    for t in a.themes:
        theme = tax.themes[t.theme]
        title = theme.labels.get(ui_lang, theme.title) if ui_lang != "en" else theme.title
        stage = ""
        if t.deepest_stage:
            st = tax.stages[t.deepest_stage]
            stage = f"{t.deepest_stage} {st.labels.get(ui_lang, st.title) if ui_lang != 'en' else st.title}"
        out.append(f"  {MARKS[t.verdict]} {t.theme:<4} {title}")
        detail = f"{L(t.verdict)}"
        if t.evidence_count:
            noun = L("findings") if t.evidence_count != 1 else L("finding")
            detail += f" · {L('deepest stage')} {stage} · {t.evidence_count} {noun} · {L('pp.')} {_pages(t.pages)}"
        out.append(f"         {detail}")
        ranked = sorted(by_theme.get(t.theme, []), key=lambda f: (-tax.stages[f.stage].depth, -f.score, f.char_start))
        for f in ranked[:evidence]:
            ocr = ", OCR" if f.ocr else ""
            out.append(f'         {L("p.")} {f.page} [{f.stage}, {f.source}{ocr}] "{_snippet(f.text)}"')
        if t.entry_point:
            links = []
            if t.gcm:
                links.append("GCM " + ", ".join(str(g) for g in t.gcm))
            if t.sdg:
                links.append("SDG " + ", ".join(t.sdg))
            advice = gap_advice(t.theme, t.entry_point, ui_lang)
            wrapped = textwrap.wrap(f"{L('gap')}: {advice}" + (f" ({'; '.join(links)})" if links else ""), 96)
            out.extend(f"         {line}" for line in wrapped)
    out.append("")
    out.extend(_stage_grid(a, tax, L))
    chapters = a.chapters
    if chapters:
        out.append(L("chapters"))
        first = next((i for i, c in enumerate(chapters) if c.themes), len(chapters))
        for i, c in enumerate(chapters):
            # headings before the first chapter with findings are the cover and front matter
            quiet = L("front matter") if i < first else L("silent on migration")
            themes = ", ".join(f"{k}×{v}" for k, v in c.themes.items()) or quiet
            span = f"{c.pages[0]}" if c.pages[0] == c.pages[1] else f"{c.pages[0]}–{c.pages[1]}"
            out.append(f"  {L('pp.')} {span:<9} {_snippet(c.title, 60):<60}  {themes}")
        out.append("")
    for w in result.warnings:
        out.append(f"{L('warning')}: {w}")
    return "\n".join(out).rstrip() + "\n"
