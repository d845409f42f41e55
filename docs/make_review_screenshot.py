"""Screenshot the reviewer's workflow (docs/review-workflow.png in the README).

    python docs/make_review_screenshot.py [PDF] [OUT.png]

A finding opened from its box on the page image, its detail panel with the decision form
(a decision and a note); then its page in the page viewer
(OUT with -viewer before .png).  Needs Debian's chromium and playwright.
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
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "review-workflow.png"
    html = Path(tempfile.mkdtemp()) / "report.html"
    html.write_text(render(scan(pdf, ScanOptions(page_images=True)), "html"), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(html.as_uri())
        box = page.locator('figure.page svg a[data-target="F20"] rect').first
        box.scroll_into_view_if_needed()
        box.click()  # a box on the page image opens its finding in the text
        themes = page.locator("#F20").get_attribute("data-themes").split()
        if len(themes) > 1:  # a theme too many: untick it
            page.check('input[name="d-decision"][value="wrong_theme"]')
            page.uncheck(f'.d-theme[value="{themes[-1]}"]')
            page.fill("#d-note", f"Only {themes[0]} here; {themes[-1]} belongs to the next sentence.")
        else:
            page.check('input[name="d-decision"][value="correct"]')
            page.fill("#d-note", f"Checked on the page: {themes[0]} is right.")
        page.locator("#detail").evaluate("d => { d.scrollTop = d.scrollHeight; }")
        page.screenshot(path=str(out))
        page.click("#d-goto")  # the finding's page in the viewer, its box marked
        viewer = out.with_name(out.stem + "-viewer.png")
        page.screenshot(path=str(viewer))
        browser.close()
    print(out, viewer)


if __name__ == "__main__":
    main()
