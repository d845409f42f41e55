"""Time `policy-scan scan` end to end against pdftotext and pdfplumber, in one run.

    python benchmarks/bench_scan.py [PDF] [--repeat N]

Default PDF: ../shared/pdfs/KHM_National_Strategic_Development_Plan_2014-2018.pdf (268 pages).
Each command runs as its own process, interpreter start-up included, so the figures are
what a user waits for.  Peak memory is the child's maximum resident set size.
Targets (issue #2): scan within 6x of pdftotext, at least 15x faster than pdfplumber's
text extraction alone, under 400 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PDF = ROOT.parent / "shared" / "pdfs" / "KHM_National_Strategic_Development_Plan_2014-2018.pdf"

_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "dt = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(dt, rss, p.returncode)\n"
)


def measure(cmd: list[str]) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=True)
    seconds, rss_kb, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"command failed ({code}): {' '.join(cmd)}")
    return float(seconds), int(rss_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", default=str(DEFAULT_PDF))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    pdf = Path(args.pdf)
    if not pdf.exists():
        print(f"skipped: {pdf} not found (../shared absent?)")
        return
    pages = int(
        subprocess.run(
            [sys.executable, "-c", "import pypdfium2,sys; print(len(pypdfium2.PdfDocument(sys.argv[1])))", str(pdf)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    tmp = tempfile.mkdtemp()
    commands = {
        "policy-scan scan (end to end)": [
            sys.executable,
            "-m",
            "policy_scan",
            "scan",
            str(pdf),
            "--format",
            "json",
            "-o",
            os.path.join(tmp, "out.json"),
        ],
        "pdfplumber extract_text": [
            sys.executable,
            "-c",
            "import pdfplumber,sys\nwith pdfplumber.open(sys.argv[1]) as p:\n    [pg.extract_text() for pg in p.pages]",
            str(pdf),
        ],
    }
    if shutil.which("pdftotext"):
        commands = {"pdftotext (poppler)": ["pdftotext", str(pdf), os.path.join(tmp, "out.txt")], **commands}
    results = {}
    for name, cmd in commands.items():
        runs = [measure(cmd) for _ in range(args.repeat if "pdfplumber" not in name else 1)]
        seconds = statistics.median(r[0] for r in runs)
        results[name] = {
            "seconds": round(seconds, 3),
            "pages_per_second": round(pages / seconds, 1),
            "peak_mb": round(max(r[1] for r in runs), 1),
        }
    scan = results["policy-scan scan (end to end)"]["seconds"]
    summary = {"pdf": pdf.name, "pages": pages, "results": results}
    if "pdftotext (poppler)" in results:
        summary["scan_vs_pdftotext"] = round(scan / results["pdftotext (poppler)"]["seconds"], 2)
    summary["pdfplumber_vs_scan"] = round(results["pdfplumber extract_text"]["seconds"] / scan, 1)
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{pdf.name}: {pages} pages, median of {args.repeat} runs (pdfplumber: 1 run)")
    for name, r in results.items():
        print(
            f"  {name:<32} {r['seconds']:>8.2f} s  {r['pages_per_second']:>7.1f} pages/s  peak {r['peak_mb']:>6.1f} MB"
        )
    if "scan_vs_pdftotext" in summary:
        print(f"  scan / pdftotext          = {summary['scan_vs_pdftotext']:.2f}x   (target: within 6x)")
    print(f"  pdfplumber / scan         = {summary['pdfplumber_vs_scan']:.1f}x   (target: at least 15x)")
    peak = results["policy-scan scan (end to end)"]["peak_mb"]
    print(f"  scan peak memory          = {peak:.0f} MB (target: under 400 MB)")


if __name__ == "__main__":
    main()
