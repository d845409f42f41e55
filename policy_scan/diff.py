"""Compare two drafts: per theme before and after, evidence added and removed, score change.

Findings are matched across drafts by their text, not their position, so re-pagination
and small edits do not show up as changes: exact matches first (after folding case and
spacing), then the most similar remaining sentence above a similarity threshold.
"""

from __future__ import annotations

import difflib
import json
import re
import time
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
        from .corpus import parse_json

        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(str(path), "not a scan result (not UTF-8 text)") from None
        except OSError as exc:
            raise InputError(str(path), f"cannot read ({exc.strerror or exc})") from None
        data = parse_json(text, str(path), InputError)
        if not isinstance(data, dict) or not str(data.get("schema_version", "")).startswith("1."):
            raise InputError(str(path), "not a policy-scan result (schema_version 1.x expected)")
        problem = result_problem(data)
        if problem:
            raise InputError(str(path), f"not a complete policy-scan result ({problem})")
        return data
    from .report.json import result_dict
    from .scan import scan

    return result_dict(scan(path, scan_options, progress))


_NUMBER = (int, float)
_THEME_FIELDS = {
    "theme": str,
    "verdict": str,
    "deepest_stage": (str, type(None)),
    "evidence_count": int,
}
_FINDING_FIELDS = {
    "text": str,
    "page": int,
    "char_start": int,
    "char_end": int,
    "themes": list,
    "stage": (str, type(None)),
    "source": str,
}


def _fields_problem(item, fields: dict, where: str) -> str | None:
    if not isinstance(item, dict):
        return f"{where} is not an object"
    for key, kind in fields.items():
        if key not in item:
            return f"{where} has no {key!r}"
        value = item[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, _NUMBER)):
            return f"{where}: {key!r} has the wrong type ({type(value).__name__})"
    return None


def result_problem(data: dict) -> str | None:
    """What a scan result lacks for diff, or None: the keys and types diff reads."""
    document = data.get("document")
    if not isinstance(document, dict):
        return "no 'document' object"
    if not isinstance(document.get("path"), str) or not isinstance(document.get("sha256"), str | None):
        return "'document' needs a 'path' and a 'sha256'"
    assessment = data.get("assessment")
    if not isinstance(assessment, dict):
        return "no 'assessment' object"
    score = assessment.get("score")
    if not isinstance(score, _NUMBER) or isinstance(score, bool):
        return "'assessment' has no numeric 'score'"
    themes = assessment.get("themes")
    if not isinstance(themes, list):
        return "'assessment' has no 'themes' list"
    for n, theme in enumerate(themes):
        problem = _fields_problem(theme, _THEME_FIELDS, f"assessment theme {n + 1}")
        if problem:
            return problem
        if theme["verdict"] not in VERDICT_RANK:
            return f"assessment theme {n + 1}: unknown verdict {theme['verdict']!r}"
        if not isinstance(theme.get("title", ""), str):
            return f"assessment theme {n + 1}: 'title' is not text"
    findings = data.get("findings")
    if not isinstance(findings, list):
        return "no 'findings' list"
    for n, finding in enumerate(findings):
        problem = _fields_problem(finding, _FINDING_FIELDS, f"finding {n + 1}")
        if problem:
            return problem
        if not all(isinstance(t, str) for t in finding["themes"]):
            return f"finding {n + 1}: 'themes' must be a list of theme ids"
    return None


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


CANDIDATES = 12  # most similar-looking sentences (by shared word pairs) scored for each removed one
COMMON = 400  # a word pair in more sentences than this does not, alone, make them candidates


def _word_pairs(text: str) -> set[str]:
    words = text.split()
    if len(words) < 2:
        return set(words)
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise DiffTimeout()


class DiffTimeout(Exception):
    """The comparison ran past its deadline (diff's --timeout)."""


def _pair_nearest(few: list[int], many: list[int], few_pos, many_pos) -> list[tuple[int, int]]:
    """Each of `few` with the nearest free one of `many` by relative position (ties: earlier)."""
    if len(few) * len(many) <= 10_000:
        free = list(many)
        pairs = []
        for k in few:
            best = min(free, key=lambda m: abs(many_pos(m) - few_pos(k)))
            free.remove(best)
            pairs.append((k, best))
        return pairs
    # Many repeats: a sorted list and bisection instead of a scan per occurrence.
    import bisect

    free = sorted(many, key=lambda m: (many_pos(m), m))
    keys = [(many_pos(m), m) for m in free]
    pairs = []
    for k in few:
        at = bisect.bisect_left(keys, (few_pos(k), -1))
        options = [i for i in (at - 1, at) if 0 <= i < len(free)]
        i = min(options, key=lambda i: (abs(keys[i][0] - few_pos(k)), free[i]))
        pairs.append((k, free.pop(i)))
        keys.pop(i)
    return pairs


def match_findings(
    old: list[dict], new: list[dict], deadline: float | None = None
) -> tuple[list[tuple[dict, dict]], list[tuple[dict, dict]], list[dict], list[dict]]:
    """(same, edited, removed, added) between two drafts' findings.

    Near-linear: an edited sentence is looked for only among the few new sentences sharing
    the most word pairs with it (an inverted index), not among all of them.  `deadline`
    (time.monotonic()) raises DiffTimeout when passed.
    """
    # Exact repeats pair within their group; when a sentence repeats (a goal restated in a
    # policy matrix), each occurrence on the scarcer side takes the nearest one, by relative
    # position in its draft, on the other side.
    old_len = max((f["char_end"] for f in old), default=1) or 1
    new_len = max((f["char_end"] for f in new), default=1) or 1
    old_norm = [_norm(f["text"]) for f in old]
    new_norm = [_norm(g["text"]) for g in new]
    groups: dict[str, tuple[list[int], list[int]]] = {}
    for i, text in enumerate(old_norm):
        groups.setdefault(text, ([], []))[0].append(i)
    for j, text in enumerate(new_norm):
        groups.setdefault(text, ([], []))[1].append(j)
    same, paired_old, paired_new = [], set(), set()
    for olds, news in groups.values():
        if not olds or not news:
            continue
        _check_deadline(deadline)
        swap = len(olds) > len(news)
        few, many = (news, olds) if swap else (olds, news)
        pos = (lambda k: new[k]["char_start"] / new_len, lambda k: old[k]["char_start"] / old_len)
        few_pos, many_pos = (pos[0], pos[1]) if swap else (pos[1], pos[0])
        for k, best in _pair_nearest(few, many, few_pos, many_pos):
            i, j = (best, k) if swap else (k, best)
            same.append((old[i], new[j]))
            paired_old.add(i)
            paired_new.add(j)
    unmatched_old = [i for i in range(len(old)) if i not in paired_old]
    left = [j for j in range(len(new)) if j not in paired_new]
    # Inverted index: word pair -> the unpaired new sentences holding it.
    postings: dict[str, list[int]] = {}
    for j in left:
        for token in _word_pairs(new_norm[j]):
            postings.setdefault(token, []).append(j)
    taken: set[int] = set()
    edited, removed = [], []
    for n, i in enumerate(unmatched_old):
        if n % 64 == 0:
            _check_deadline(deadline)
        text = old_norm[i]
        tokens = sorted(_word_pairs(text), key=lambda t: len(postings.get(t, ())))
        shared: dict[int, int] = {}
        for rank, token in enumerate(tokens):
            posting = postings.get(token, ())
            if len(posting) > COMMON and rank >= 3:
                break  # the rarest three are always used; commoner pairs only below COMMON
            for j in posting:
                if j not in taken:
                    shared[j] = shared.get(j, 0) + 1
        candidates = sorted(sorted(shared, key=lambda j: -shared[j])[:CANDIDATES])
        best, best_ratio = None, SIMILAR
        for j in candidates:
            matcher = difflib.SequenceMatcher(None, text, new_norm[j], autojunk=False)
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                best, best_ratio = j, ratio
        if best is None:
            removed.append(old[i])
        else:
            taken.add(best)
            edited.append((old[i], new[best]))
    return same, edited, removed, [new[j] for j in left if j not in taken]


def _stage_depths() -> dict[str, int]:
    from .scan import get_ruleset

    return {s.id: s.depth for s in get_ruleset(None).taxonomy.stages.values()}


def compare(old: dict, new: dict, timeout: float | None = None) -> DraftDiff:
    """The comparison; over `timeout` seconds it raises an InputError saying so."""
    deadline = time.monotonic() + timeout if timeout else None
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
    try:
        same, edited, removed, added = match_findings(old["findings"], new["findings"], deadline)
    except DiffTimeout:
        where = f"{old['document']['path']} -> {new['document']['path']}"
        raise InputError(where, f"comparison took longer than the timeout of {timeout:g} s") from None
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


def theme_titles(d: DraftDiff, ui_lang: str = "en") -> dict[str, str]:
    """Each compared theme's title in the report's language (the results' own, in English,
    for a theme the bundled taxonomy does not translate)."""
    if ui_lang == "en":
        return {c.theme: c.title for c in d.themes}
    from .ruleset import default_taxonomy

    known = default_taxonomy().themes
    return {c.theme: known[c.theme].labels.get(ui_lang, c.title) if c.theme in known else c.title for c in d.themes}


def render_diff_text(d: DraftDiff, ui_lang: str = "en", **_) -> str:
    from .report.labels import label

    def L(key: str) -> str:  # noqa: N802 - as the reports' templates call it
        return label(key, ui_lang)

    titles = theme_titles(d, ui_lang)
    counts = (
        f"{len(d.added)} {L('added')}, {len(d.removed)} {L('removed')}, {len(d.edited)} {L('edited')}, "
        f"{d.unchanged} {L('unchanged')}"
    )
    out = [
        f"policy-scan diff: {Path(d.old['document']['path']).name} -> {Path(d.new['document']['path']).name}",
        f"{L('score')} {d.old['assessment']['score']:.1f} -> {d.new['assessment']['score']:.1f}"
        f" ({d.score_change:+.1f})",
        f"{L('evidence')}: {counts}",
        "",
        L("themes"),
    ]
    marks = {"improved": "+", "regressed": "-", "same": " "}
    for c in d.themes:
        b, a = c.before, c.after
        out.append(
            f"  {marks[c.change]} {c.theme:<4} {L(b['verdict'])} {b['deepest_stage'] or '-'} ({b['evidence_count']})"
            f" -> {L(a['verdict'])} {a['deepest_stage'] or '-'} ({a['evidence_count']})  {titles[c.theme]}"
        )
    for key, items in (("added", d.added), ("removed", d.removed)):
        if items:
            out += ["", L(key).capitalize()]
            out += [
                f"  {L('p.')} {f['page']} [{', '.join(f['themes'])}; {f['stage']}] {f['text'][:140]}" for f in items
            ]
    if d.edited:
        out += ["", L("edited").capitalize()]
        for a, b in d.edited:
            out += [f"  {L('p.')} {a['page']} -> {L('p.')} {b['page']}: {b['text'][:140]}"]
    if d.regressions:
        out += ["", f"{L('regressions')}: {', '.join(d.regressions)}"]
    return "\n".join(out) + "\n"


def render_diff_html(d: DraftDiff, ui_lang: str = "en", **options) -> str:
    from .report.diff_html import render_diff_html as render

    return render(d, diff_dict(d), ui_lang=ui_lang, titles=theme_titles(d, ui_lang), **options)
