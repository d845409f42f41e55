"""OCR quality and speed: a simulated scan against the text PDF it was made from.

    python benchmarks/bench_ocr.py

Scans pages 1-12 of ../shared/pdfs/KHM_Labour_Migration_Policy_2015-2018.pdf from its text
layer, and DERIVED_simulated_scan_KHM_Labour_Migration_Policy_p1-12.pdf (the same pages
rasterised at 120 dpi, slightly sheared) with ``--ocr``, then matches the findings by text
the way ``policy-scan diff`` does.  Reports how many of the text PDF's findings the scan
recovers (verbatim or with OCR slips), the extra ones, theme verdict agreement, and
seconds per OCR'd page.  Also scans the Spanish decree scan and reports its language and
finding count.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from policy_scan.diff import compare
from policy_scan.report.json import result_dict
from policy_scan.scan import ScanOptions, scan

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "pdfs"
TEXT_PDF = SHARED / "KHM_Labour_Migration_Policy_2015-2018.pdf"
SCAN_PDF = SHARED / "DERIVED_simulated_scan_KHM_Labour_Migration_Policy_p1-12.pdf"
SPANISH_SCAN = SHARED / "SLV_Decreto_Ejecutivo_57_MARN_scanned_es.pdf"


def timed(path: Path, options: ScanOptions) -> tuple[dict, float]:
    started = time.perf_counter()
    result = result_dict(scan(path, options))
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    for path in (TEXT_PDF, SCAN_PDF, SPANISH_SCAN):
        if not path.exists():
            raise SystemExit(f"missing {path} (needs ../shared/pdfs beside the project)")
    scan(TEXT_PDF, ScanOptions(max_pages=1))  # load spaCy and the model once, outside the timings
    original, _ = timed(TEXT_PDF, ScanOptions(max_pages=12))
    scanned, seconds = timed(SCAN_PDF, ScanOptions(ocr="auto"))
    change = compare(original, scanned)
    total = len(original["findings"])
    verbatim = change.unchanged
    edited = len(change.edited)
    same_verdict = sum(t.before["verdict"] == t.after["verdict"] for t in change.themes)
    same_stage = sum(t.before["deepest_stage"] == t.after["deepest_stage"] for t in change.themes)
    spanish, es_seconds = timed(SPANISH_SCAN, ScanOptions(ocr="auto"))
    figures = {
        "text_pdf_findings": total,
        "recovered": verbatim + edited,
        "recovered_verbatim": verbatim,
        "recovered_with_ocr_slips": edited,
        "missed": len(change.removed),
        "extra": len(change.added),
        "scan_findings": len(scanned["findings"]),
        "theme_verdicts_equal": f"{same_verdict}/{len(change.themes)}",
        "deepest_stages_equal": f"{same_stage}/{len(change.themes)}",
        "ocr_pages": len(scanned["document"]["ocr_pages"]),
        "seconds": round(seconds, 1),
        "seconds_per_page": round(seconds / max(1, len(scanned["document"]["ocr_pages"])), 2),
        "spanish_scan": {
            "language": spanish["document"]["language"],
            "findings": len(spanish["findings"]),
            "passages": spanish["document"]["passages"],
            "seconds": round(es_seconds, 1),
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"simulated scan, pages 1-12 ({figures['ocr_pages']} pages OCR'd in {seconds:.1f} s, "
        f"{figures['seconds_per_page']} s/page)"
    )
    print(
        f"  findings recovered: {verbatim + edited}/{total} ({verbatim} verbatim, {edited} with OCR slips), "
        f"missed {len(change.removed)}, extra {len(change.added)}"
    )
    print(
        f"  theme verdicts equal: {figures['theme_verdicts_equal']}, deepest stages equal: "
        f"{figures['deepest_stages_equal']}"
    )
    for finding in change.removed:
        print(f"  missed p. {finding['page']}: {finding['text'][:100]}")
    for finding in change.added:
        print(f"  extra  p. {finding['page']}: {finding['text'][:100]}")
    sp = figures["spanish_scan"]
    print(
        f"Spanish decree scan: language {sp['language']}, {sp['passages']} passages, {sp['findings']} findings, "
        f"{sp['seconds']} s"
    )


if __name__ == "__main__":
    main()
