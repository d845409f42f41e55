"""Merge labellers' files into corpus/real_sentences.jsonl, as references (no text).

    python corpus/tools/merge_labels.py WORKLIST.jsonl FIRST_LABELS.jsonl [...] --second SECOND.jsonl

WORKLIST is the sampler's output (it carries the references); each labels file has one
{"id", "relevant", "themes", "stage", "false_friend"} per line. A sentence already in the
reference set (same document and sha1) keeps its labels. Each record's "split" comes from
its document's row in corpus/documents.tsv, so dev and test are never mixed inside a document.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent
KEYS = ("doc", "page", "char_start", "char_end", "sha1")


def document_table() -> dict[str, dict]:
    lines = [x for x in (CORPUS / "documents.tsv").read_text().splitlines() if x and not x.startswith("#")]
    head = lines[0].split("\t")
    return {row[0]: dict(zip(head, row)) for row in (x.split("\t") for x in lines[1:])}


def labels(path: str) -> dict[str, dict]:
    out = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            out[r["id"]] = {k: r[k] for k in ("relevant", "themes", "stage", "false_friend")}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("worklist")
    ap.add_argument("first", nargs="+")
    ap.add_argument("--second")
    ap.add_argument("--out", default=str(CORPUS / "real_sentences.jsonl"))
    args = ap.parse_args()
    docs = document_table()
    first: dict[str, dict] = {}
    for path in args.first:
        first.update(labels(path))
    second = labels(args.second) if args.second else {}
    existing = [json.loads(x) for x in Path(args.out).read_text().splitlines() if x.strip()]
    known = {(r["doc"], r["sha1"]) for r in existing}
    for r in existing:  # documents, not hash halves, decide the split
        r["split"] = docs[r["doc"]]["split"]
        r.setdefault("sampling", "legacy")
    added = 0
    for line in Path(args.worklist).read_text().splitlines():
        w = json.loads(line)
        if w["id"] not in first or (w["doc"], w["sha1"]) in known:
            continue
        known.add((w["doc"], w["sha1"]))
        record = {k: w[k] for k in KEYS}
        record["lang"] = docs[w["doc"]]["lang"]
        record.update(first[w["id"]])
        record["split"] = docs[w["doc"]]["split"]
        record["sampling"] = w["sampling"]
        if w["id"] in second:
            s = second[w["id"]]
            record["second"] = {"relevant": s["relevant"], "themes": s["themes"], "stage": s["stage"]}
        existing.append(record)
        added += 1
    for r in existing:  # every sentence of a fully labelled document counts for recall
        if docs[r["doc"]]["labelling"] == "full":
            r["sampling"] = "full"
    existing.sort(key=lambda r: (r["doc"], r["char_start"]))
    with open(args.out, "w", encoding="utf-8") as fh:
        for r in existing:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{added} sentences added; {len(existing)} in {args.out}")


if __name__ == "__main__":
    main()
