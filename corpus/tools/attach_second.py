"""Attach an independent second labelling to sentences already in the reference set.

    python corpus/tools/attach_second.py LABELS.jsonl [...]

Each labels file has one {"id", "relevant", "themes", "stage"} per line, where "id" is
"DOCUMENT@CHAR_START" as in the worklists. The labels go under the record's "second" key;
the record's own labels (the first labelling) are untouched, so `policy-scan evaluate`
reports how far the two agree. A record that already has a second labelling is left alone:
agreement is measured on what two people gave independently, never on a relabelling.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "real_sentences.jsonl"


def main(paths: list[str]) -> None:
    second: dict[str, dict] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                second[r["id"]] = {"relevant": r["relevant"], "themes": r["themes"], "stage": r["stage"]}
    records = [json.loads(x) for x in OUT.read_text().splitlines() if x.strip()]
    attached = kept = 0
    for r in records:
        labels = second.pop(f"{r['doc']}@{r['char_start']}", None)
        if labels is None:
            continue
        if isinstance(r.get("second"), dict):
            kept += 1
            continue
        r["second"] = labels
        attached += 1
    if second:
        sys.exit(f"attach_second: {len(second)} id(s) name no sentence of {OUT.name}, e.g. {next(iter(second))}")
    with open(OUT, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{attached} second labellings attached; {kept} records already had one and were left alone")


if __name__ == "__main__":
    main(sys.argv[1:])
