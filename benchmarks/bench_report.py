"""Size of the HTML report of a long plan, and how long Chromium takes to open it.

    python benchmarks/bench_report.py [PDF] [--repeat N]

Default PDF: ../shared/pdfs/KHM_National_Strategic_Development_Plan_2014-2018.pdf (268 pages).
Budget: under 10 MB, open in under 2 s.  "Open" is Chromium's load event, measured from
the start of navigation (performance timing: the page parsed, its script run, images
decoded), plus the time until the script has counted the findings; each run uses a fresh
browser context.  Needs Debian's chromium and the playwright package.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PDF = ROOT.parent / "shared" / "pdfs" / "KHM_National_Strategic_Development_Plan_2014-2018.pdf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", default=str(DEFAULT_PDF))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pdf = Path(args.pdf)
    if not pdf.exists():
        print(f"skipped: {pdf} not found (../shared absent?)")
        return
    from playwright.sync_api import sync_playwright

    from policy_scan.report import render
    from policy_scan.scan import ScanOptions, scan

    result = scan(pdf, ScanOptions(page_images=True))
    html = Path(tempfile.mkdtemp()) / "report.html"
    html.write_text(render(result, "html"), encoding="utf-8")
    size = html.stat().st_size
    loads, ready = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
            args=["--no-sandbox", "--disable-gpu"],
        )
        for _ in range(args.repeat):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            started = time.perf_counter()
            page.goto(html.as_uri(), wait_until="load")
            page.wait_for_function("document.getElementById('count').textContent.length > 0")
            ready.append(time.perf_counter() - started)
            loads.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
            context.close()
        browser.close()
    print(
        f"{pdf.name}: {result.document.page_count} pages, {len(result.findings)} findings, "
        f"{len(result.page_images)} page images"
    )
    print(f"  report size      {size / 1e6:.2f} MB (budget 10 MB)")
    print(f"  load event       median {statistics.median(loads):.2f} s, max {max(loads):.2f} s of {args.repeat} runs")
    print(f"  ready (scripted) median {statistics.median(ready):.2f} s, max {max(ready):.2f} s (budget 2 s)")


if __name__ == "__main__":
    main()
