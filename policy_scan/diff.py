"""Compare two drafts: per theme before and after, evidence added and removed, score change.

Findings are matched across drafts by their text, not their position, so re-pagination
and small edits do not show up as changes: exact matches first (after folding case and
spacing), then the most similar remaining sentence above a similarity threshold.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

VERDICT_RANK = {"absent": 0, "partial": 1, "addressed": 2}
SIMILAR = 0.8  # difflib ratio above which two sentences are the same evidence, edited


@dataclass
class ThemeChange:
    theme: str
    title: str
    before: dict
    after: dict
    change: str  # improved | regressed | same


@dataclass
class DraftDiff:
    old: dict
    new: dict
    themes: list[ThemeChange]
    added: list[dict]
    removed: list[dict]
    edited: list[tuple[dict, dict]]
    unchanged: int
    score_change: float
    regressions: list[str] = field(default_factory=list)


def load_result(path: str | Path, scan_options=None, progress=None) -> dict:
    """A scan's JSON result: read from a .json file, or made by scanning a PDF (`progress`
    as for `scan`)."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "no such file")
    if path.suffix.lower() == ".json":
        from .fsio import not_regular

        problem = not_regular(path)
        if problem:
            raise InputError(str(path), problem)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(str(path), f"not a scan result (invalid JSON: {exc})") from None
        if not isinstance(data, dict) or not str(data.get("schema_version", "")).startswith("1."):
            raise InputError(str(path), "not a policy-scan result (schema_version 1.x expected)")
        return data
    from .report.json import result_dict
    from .scan import scan

    return result_dict(scan(path, scan_options, progress))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def match_findings(
    old: list[dict], new: list[dict]
) -> tuple[list[tuple[dict, dict]], list[tuple[dict, dict]], list[dict], list[dict]]:
    """(same, edited, removed, added) between two drafts' findings."""
    # Exact repeats pair within their group; when a sentence repeats (a goal restated in a
    # policy matrix), each occurrence on the scarcer side takes the nearest one, by relative
    # position in its draft, on the other side.
    old_len = max((f["char_end"] for f in old), default=1) or 1
    new_len = max((f["char_end"] for f in new), default=1) or 1
    groups: dict[str, tuple[list[int], list[int]]] = {}
    for i, f in enumerate(old):
        groups.setdefault(_norm(f["text"]), ([], []))[0].append(i)
    for j, g in enumerate(new):
        groups.setdefault(_norm(g["text"]), ([], []))[1].append(j)
    same, paired_old, paired_new = [], set(), set()
    for olds, news in groups.values():
        if not olds or not news:
            continue
        swap = len(olds) > len(news)
        few, many = (news, olds) if swap else (olds, news)
        pos = (lambda k: new[k]["char_start"] / new_len, lambda k: old[k]["char_start"] / old_len)
        few_pos, many_pos = (pos[0], pos[1]) if swap else (pos[1], pos[0])
        free = list(many)
        for k in few:
            best = min(free, key=lambda m: abs(many_pos(m) - few_pos(k)))
            free.remove(best)
            i, j = (best, k) if swap else (k, best)
            same.append((old[i], new[j]))
            paired_old.add(i)
            paired_new.add(j)
    unmatched_old = [f for i, f in enumerate(old) if i not in paired_old]
    new_left = {j: g for j, g in enumerate(new) if j not in paired_new}
    edited, removed = [], []
    for f in unmatched_old:
        best, best_ratio = None, SIMILAR
        for j, g in new_left.items():
            matcher = difflib.SequenceMatcher(None, _norm(f["text"]), _norm(g["text"]), autojunk=False)
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                best, best_ratio = j, ratio
        if best is None:
            removed.append(f)
        else:
            edited.append((f, new_left.pop(best)))
    return same, edited, removed, list(new_left.values())


def _stage_depths() -> dict[str, int]:
    from .scan import get_ruleset

    return {s.id: s.depth for s in get_ruleset(None).taxonomy.stages.values()}


def compare(old: dict, new: dict) -> DraftDiff:
    depth = _stage_depths()
    before = {t["theme"]: t for t in old["assessment"]["themes"]}
    after = {t["theme"]: t for t in new["assessment"]["themes"]}
    changes, regressions = [], []
    for theme, b in before.items():
        a = after.get(theme, b)
        key_b = (VERDICT_RANK[b["verdict"]], depth.get(b["deepest_stage"] or "", 0))
        key_a = (VERDICT_RANK[a["verdict"]], depth.get(a["deepest_stage"] or "", 0))
        change = "same" if key_a == key_b else ("improved" if key_a > key_b else "regressed")
        # A regression is a worse verdict, or the same verdict at a shallower stage.
        if change == "regressed":
            regressions.append(theme)
        changes.append(ThemeChange(theme, b.get("title", theme), b, a, change))
    same, edited, removed, added = match_findings(old["findings"], new["findings"])
    score_change = round(new["assessment"]["score"] - old["assessment"]["score"], 1)
    return DraftDiff(old, new, changes, added, removed, edited, len(same), score_change, regressions)


def diff_dict(d: DraftDiff) -> dict:
    brief = lambda f: {k: f[k] for k in ("page", "text", "themes", "stage", "source")}  # noqa: E731
    return {
        "schema_version": "1.0",
        "old": {
            "path": d.old["document"]["path"],
            "sha256": d.old["document"]["sha256"],
            "score": d.old["assessment"]["score"],
        },
        "new": {
            "path": d.new["document"]["path"],
            "sha256": d.new["document"]["sha256"],
            "score": d.new["assessment"]["score"],
        },
        "score_change": d.score_change,
        "themes": [
            {
                "theme": c.theme,
                "title": c.title,
                "change": c.change,
                "before": {
                    "verdict": c.before["verdict"],
                    "deepest_stage": c.before["deepest_stage"],
                    "evidence_count": c.before["evidence_count"],
                },
                "after": {
                    "verdict": c.after["verdict"],
                    "deepest_stage": c.after["deepest_stage"],
                    "evidence_count": c.after["evidence_count"],
                },
            }
            for c in d.themes
        ],
        "added": [brief(f) for f in d.added],
        "removed": [brief(f) for f in d.removed],
        "edited": [{"before": brief(a), "after": brief(b)} for a, b in d.edited],
        "unchanged": d.unchanged,
        "regressions": d.regressions,
    }


def render_diff_json(d: DraftDiff, **_) -> str:
    return json.dumps(diff_dict(d), ensure_ascii=False, indent=2) + "\n"


def render_diff_text(d: DraftDiff, **_) -> str:
    out = [
        f"policy-scan diff: {Path(d.old['document']['path']).name} -> {Path(d.new['document']['path']).name}",
        f"score {d.old['assessment']['score']:.1f} -> {d.new['assessment']['score']:.1f} ({d.score_change:+.1f})",
        f"evidence: {len(d.added)} added, {len(d.removed)} removed, {len(d.edited)} edited, {d.unchanged} unchanged",
        "",
        "Themes",
    ]
    marks = {"improved": "+", "regressed": "-", "same": " "}
    for c in d.themes:
        b, a = c.before, c.after
        out.append(
            f"  {marks[c.change]} {c.theme:<4} {b['verdict']} {b['deepest_stage'] or '-'} ({b['evidence_count']})"
            f" -> {a['verdict']} {a['deepest_stage'] or '-'} ({a['evidence_count']})  {c.title}"
        )
    for title, items in (("Added", d.added), ("Removed", d.removed)):
        if items:
            out += ["", title]
            out += [f"  p. {f['page']} [{', '.join(f['themes'])}; {f['stage']}] {f['text'][:140]}" for f in items]
    if d.edited:
        out += ["", "Edited"]
        for a, b in d.edited:
            out += [f"  p. {a['page']} -> p. {b['page']}: {b['text'][:140]}"]
    if d.regressions:
        out += ["", f"regressions: {', '.join(d.regressions)}"]
    return "\n".join(out) + "\n"


def render_diff_html(d: DraftDiff, **options) -> str:
    from .report.diff_html import render_diff_html as render

    return render(d, diff_dict(d), **options)
