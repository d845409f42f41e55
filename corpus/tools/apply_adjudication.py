"""Apply an adjudicator's decisions to corpus/real_sentences.jsonl.

    python corpus/tools/apply_adjudication.py WORKLIST.jsonl ADJUDICATED.jsonl

Where the two labellers disagreed, a third person chose the label the guideline gives. The
decision becomes the record's label (the reference); the first labeller's original label is
kept under "first" and the second's under "second", so agreement is still measured on what
the two gave independently.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "real_sentences.jsonl"
LABELS = ("relevant", "themes", "stage", "false_friend")


def main(worklist: str, decisions: str) -> None:
    where = {}
    for line in Path(worklist).read_text().splitlines():
        w = json.loads(line)
        where[w["id"]] = (w["doc"], w["sha1"])
    decided = {}
    for line in Path(decisions).read_text().splitlines():
        if line.strip():
            d = json.loads(line)
            decided[where[d["id"]]] = d
    records = [json.loads(x) for x in OUT.read_text().splitlines() if x.strip()]
    changed = 0
    for r in records:
        d = decided.get((r["doc"], r["sha1"]))
        if d is None:
            continue
        r.setdefault("first", {k: r[k] for k in ("relevant", "themes", "stage")})
        for k in LABELS:
            r[k] = d[k]
        r["adjudicated"] = True
        changed += 1
    with open(OUT, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{changed} records adjudicated")


if __name__ == "__main__":
    main(*sys.argv[1:3])
