"""A reviewer's decisions on a report: read them, turn them into labelled references, apply them.

The HTML report exports decisions as JSON Lines, one per finding or gap:

    {"kind": "finding", "doc": "plan.pdf", "sha256": "...", "page": 12, "char_start": 20431,
     "char_end": 20890, "sha1": "614e88b3d570", "lang": "en", "decision": "wrong_theme",
     "themes": ["T3"], "stage": "P2", "note": "..."}
    {"kind": "gap", "doc": "plan.pdf", "sha256": "...", "theme": "T16", "decision": "evidence_missed", "note": "",
     "page": 40, "char_start": 91200, "char_end": 91350, "sha1": "...", "lang": "en"}

`decision` is correct | not_migration | wrong_theme | wrong_stage for a finding (its
`themes` and `stage` are the corrected ones) and gap_confirmed | evidence_missed for a gap;
an evidence_missed gap may carry the sentence the reviewer selected (page and offsets).
"""

from __future__ import annotations

from pathlib import Path

from .errors import CorpusError

FINDING_DECISIONS = ("correct", "not_migration", "wrong_theme", "wrong_stage")
GAP_DECISIONS = ("gap_confirmed", "evidence_missed")


def read_decisions(path: str | Path) -> list[dict]:
    """Decision records, checked; a malformed one is an error naming file and line."""
    from .corpus import read_jsonl

    out = []
    for number, record in read_jsonl(Path(path)):
        kind = record.get("kind", "finding")
        decision = record.get("decision")
        if not isinstance(record.get("sha256"), str):
            raise CorpusError(str(path), "decision needs the document's 'sha256'", number)
        if kind == "gap":
            if decision not in GAP_DECISIONS or not isinstance(record.get("theme"), str):
                raise CorpusError(
                    str(path), f"a gap decision is one of {', '.join(GAP_DECISIONS)} with a 'theme'", number
                )
            for key in ("page", "char_start", "char_end"):
                value = record.get(key)
                if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                    raise CorpusError(str(path), f"a gap's '{key}' must be a whole number", number)
        elif kind == "finding":
            if decision not in FINDING_DECISIONS + ("",):
                raise CorpusError(str(path), f"a finding decision is one of {', '.join(FINDING_DECISIONS)}", number)
            for key in ("page", "char_start", "char_end"):
                if not isinstance(record.get(key), int) or isinstance(record.get(key), bool):
                    raise CorpusError(str(path), f"a finding decision needs '{key}' (a whole number)", number)
            if not isinstance(record.get("themes", []), list):
                raise CorpusError(str(path), "'themes' must be a list", number)
        else:
            raise CorpusError(str(path), f"unknown kind {kind!r} (finding or gap)", number)
        out.append({**record, "kind": kind})
    return out


def to_references(decisions: list[dict]) -> list[dict]:
    """Finding decisions as labelled references (the format of corpus/real_sentences.jsonl:
    offsets and a hash of the sentence, never its text), and the sentences reviewers selected
    as missed evidence for a gap (relevant, for that theme).  Other gap decisions and
    notes-only records have no sentence to label and are left out."""
    refs = []
    for d in decisions:
        if d["kind"] == "gap" and d["decision"] == "evidence_missed" and isinstance(d.get("char_end"), int):
            refs.append(
                {
                    "doc": d.get("doc", ""),
                    "page": d.get("page") or 0,
                    "char_start": d["char_start"],
                    "char_end": d["char_end"],
                    "sha1": d.get("sha1", ""),
                    "lang": d.get("lang", "en"),
                    "relevant": True,
                    "themes": [d["theme"]],
                    "stage": None,
                    "false_friend": False,
                    "sampling": "review",
                }
            )
            continue
        if d["kind"] != "finding" or not d.get("decision"):
            continue
        relevant = d["decision"] != "not_migration"
        refs.append(
            {
                "doc": d.get("doc", ""),
                "page": d["page"],
                "char_start": d["char_start"],
                "char_end": d["char_end"],
                "sha1": d.get("sha1", ""),
                "lang": d.get("lang", "en"),
                "relevant": relevant,
                "themes": sorted(d.get("themes") or [], key=lambda t: int(t[1:])) if relevant else [],
                "stage": d.get("stage") if relevant else None,
                "false_friend": False,
                "sampling": "review",
            }
        )
    return refs


def _missed_evidence(result, decisions: list[dict]) -> list:
    """The sentences a reviewer selected for a gap ("evidence missed"), as findings of that
    theme (source "reviewer"), so the verdict counts them.  A selection whose offsets fall
    outside this document's text is left out."""
    from .model import Finding

    text = result.segmentation.text
    passages = result.segmentation.passages
    out = []
    for d in decisions:
        start, end = d.get("char_start"), d.get("char_end")
        if d["kind"] != "gap" or d["decision"] != "evidence_missed" or not isinstance(start, int):
            continue
        if not isinstance(end, int) or not 0 <= start < end <= len(text):
            continue
        if d["theme"] not in result.ruleset.taxonomy.themes:
            continue
        passage = next((p for p in passages if p.offset <= start < p.offset + len(p.text)), None)
        stage = d.get("stage") if d.get("stage") in result.ruleset.taxonomy.stages else "P1"
        out.append(
            Finding(
                page=d.get("page") or (passage.page if passage else 1),
                text=text[start:end],
                char_start=start,
                char_end=end,
                chapter=list(passage.chapter) if passage else [],
                themes=[d["theme"]],
                stage=stage,
                score=1.0,
                source="reviewer",
                lang=result.language,
            )
        )
    return out


def apply_decisions(result, decisions: list[dict]) -> list[str]:
    """Apply a reviewer's decisions to a scan result in place (findings, page boxes and the
    assessment); returns what was done, as warnings for the report."""
    from .assess import assess

    mine = [d for d in decisions if d["sha256"] == result.document.sha256]
    notes: list[str] = []
    if len(mine) < len(decisions):
        notes.append(f"{len(decisions) - len(mine)} reviewer decisions are about another document (sha256): ignored")
    by_span = {(d["char_start"], d["char_end"]): d for d in mine if d["kind"] == "finding" and d.get("decision")}
    kept, index_map = [], {}
    counts = {k: 0 for k in FINDING_DECISIONS}
    matched = 0
    for i, f in enumerate(result.findings):
        d = by_span.get((f.char_start, f.char_end))
        if d is not None:
            matched += 1
            counts[d["decision"]] += 1
            if d["decision"] == "not_migration":
                continue
            if d["decision"] == "wrong_theme" and d.get("themes"):
                f.themes = sorted(d["themes"], key=lambda t: int(t[1:]))
            if d["decision"] == "wrong_stage" and d.get("stage") in result.ruleset.taxonomy.stages:
                f.stage = d["stage"]
        index_map[i] = len(kept)
        kept.append(f)
    added = _missed_evidence(result, mine)
    result.findings = sorted(kept + added, key=lambda f: f.char_start)
    order = {id(f): n for n, f in enumerate(result.findings)}
    for img in result.page_images:
        img.boxes = {order[id(kept[index_map[i]])]: b for i, b in getattr(img, "boxes", {}).items() if i in index_map}
    result.assessment = assess(result.findings, result.segmentation.passages, result.ruleset.taxonomy)
    if added:
        notes.append(
            f"reviewer: {len(added)} sentence(s) selected as missed evidence count as findings (source reviewer): "
            + ", ".join(sorted({t for f in added for t in f.themes}, key=lambda t: int(t[1:])))
        )
    if by_span:
        notes.append(
            f"reviewer decisions applied to {matched} of {len(by_span)} findings: "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n)
            + (f"; {len(by_span) - matched} no longer match a finding" if matched < len(by_span) else "")
        )
    for decision in GAP_DECISIONS:
        themes = sorted(
            (d["theme"] for d in mine if d["kind"] == "gap" and d["decision"] == decision), key=lambda t: int(t[1:])
        )
        if themes:
            notes.append(f"reviewer: {decision.replace('_', ' ')} for {', '.join(themes)}")
    return notes
