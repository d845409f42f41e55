"""Screenshot the HTML report of a plan (docs/report-khm-nsdp.png in the README).

    python docs/make_screenshot.py [PDF] [OUT.png]

Needs Debian's chromium and the playwright package (no browser download).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from policy_scan.report import render
from policy_scan.scan import ScanOptions, scan

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT.parent / "shared" / "pdfs" / "KHM_National_Strategic_Development_Plan_2014-2018.pdf"


def main() -> None:
    pdf = Path(sys.argv[1]) if len(sys.argv) > 1 else PDF
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "report-khm-nsdp.png"
    html = Path(tempfile.mkdtemp()) / "report.html"
    html.write_text(render(scan(pdf, ScanOptions(page_images=True)), "html"), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 1700})
        page.goto(html.as_uri())
        page.screenshot(path=str(out))
        browser.close()
    print(out)


if __name__ == "__main__":
    main()
