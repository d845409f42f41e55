"""Print the per-document table and the label counts corpus/README.md shows.

    python corpus/tools/summary.py

Read from corpus/real_sentences.jsonl and corpus/documents.tsv only (no PDFs), so the README
can be brought back in line with the labels after every labelling round.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent


def main() -> None:
    lines = [x for x in (CORPUS / "documents.tsv").read_text().splitlines() if x and not x.startswith("#")]
    head = lines[0].split("\t")
    docs = [dict(zip(head, x.split("\t"))) for x in lines[1:]]
    count: dict[str, Counter] = defaultdict(Counter)
    stages: Counter = Counter()
    themes: Counter = Counter()
    for line in (CORPUS / "real_sentences.jsonl").read_text().splitlines():
        r = json.loads(line)
        c = count[r["doc"]]
        c["sentences"] += 1
        c["relevant"] += r["relevant"]
        c["false friends"] += bool(r.get("false_friend"))
        c["second"] += isinstance(r.get("second"), dict)
        if r["relevant"]:
            stages[r["stage"]] += 1
            themes.update(r["themes"])
    print("| document | lang | split | labelling | sentences | relevant | false friends | second labels |")
    print("|---|---|---|---|---|---|---|---|")
    order = {"dev": 0, "test": 1}
    for d in sorted(docs, key=lambda d: (order.get(d["split"], 2), d["lang"] != "en", d["lang"], d["doc"])):
        c = count[d["doc"]]
        if not c["sentences"]:
            continue
        name = d["doc"].removesuffix(".pdf")
        cells = [f"{c[k]:,}" for k in ("sentences", "relevant", "false friends", "second")]
        print(f"| {name} | {d['lang']} | {d['split']} | {d['labelling']} | " + " | ".join(cells) + " |")
    print()
    print("Stages of the relevant sentences: " + ", ".join(f"{s} {n}" for s, n in stages.most_common()) + ".")
    print("Themes: " + ", ".join(f"{t} {n}" for t, n in themes.most_common()))


if __name__ == "__main__":
    main()
