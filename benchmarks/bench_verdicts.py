"""Document theme verdicts against the themes of each document's labelled sentences.

    python benchmarks/bench_verdicts.py [--folds 5] [--split test|dev|all] [--fold-models DIR]

A theme counts as found in a document when `scan` gives it any verdict but "absent"; the
reference is the set of themes carried by the document's relevant labelled sentences
(corpus/real_sentences.jsonl). Each document is scanned with a classifier trained without
it (folds grouped by document, as `policy-scan evaluate --folds`), so no document is scored
by a model that saw its sentences. On sampled documents a theme present only in unlabelled
sentences counts against precision: the figure is a lower bound there.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy_scan import evaluate as ev  # noqa: E402
from policy_scan.corpus import default_real_sentences, load_corpus  # noqa: E402
from policy_scan.detection.classifier import save  # noqa: E402
from policy_scan.scan import ScanOptions, scan  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--split", default="test")
    ap.add_argument("--pdfs", default=str(ROOT.parent / "shared" / "pdfs"))
    ap.add_argument("--fold-models", help="reuse fold models kept here (as evaluate --fold-models)")
    args = ap.parse_args()
    pdfs = Path(args.pdfs)
    if not pdfs.is_dir():
        sys.exit(f"no PDFs at {pdfs}")
    gold: dict[str, set[str]] = defaultdict(set)
    split: dict[str, str] = {}
    for line in default_real_sentences().read_text().splitlines():
        r = json.loads(line)
        split[r["doc"]] = r["split"]
        if r["relevant"]:
            gold[r["doc"]].update(r["themes"])
    items = ev.resolve_references(default_real_sentences(), pdfs).items
    cache = Path(args.fold_models) if args.fold_models else None
    held = ev.held_out_predictions(items, load_corpus(), args.folds, cache)
    tp = fp = fn = 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (docs, model) in enumerate(held.models):
            path = Path(tmp) / f"fold{k}.skops"
            save(model, path)
            for doc in sorted(docs):
                if args.split != "all" and split.get(doc) != args.split:
                    continue
                result = scan(pdfs / doc, ScanOptions(model_path=str(path)))
                found = {t.theme for t in result.assessment.themes if t.verdict != "absent"}
                ref = gold.get(doc, set())
                tp, fp, fn = tp + len(found & ref), fp + len(found - ref), fn + len(ref - found)
                rows.append((doc, sorted(found & ref), sorted(found - ref), sorted(ref - found)))
    for doc, hit, extra, missed in rows:
        extras, misses = ",".join(extra) or "-", ",".join(missed) or "-"
        print(f"{doc[:60]:<60} found {len(hit):>2}  extra {extras:<20} missed {misses}")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    counts = f"tp {tp}, fp {fp}, fn {fn}"
    print(f"\n{args.split} documents ({len(rows)}): theme verdicts P {p:.3f} R {r:.3f} F1 {f1:.3f} ({counts})")


if __name__ == "__main__":
    main()
