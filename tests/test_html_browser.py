"""The HTML report in a real browser: headless Chromium (Debian) driven by Playwright."""

from __future__ import annotations

import shutil

import pytest

from conftest import shared_pdf
from policy_scan.report import render
from policy_scan.scan import ScanOptions, scan

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("http*://**", lambda route: route.abort())  # offline: nothing may be fetched
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    result = scan(shared_pdf("KHM_Labour_Migration_Policy_2015-2018.pdf"), ScanOptions(page_images=True))
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render(result, "html"), encoding="utf-8")
    return path


def visible_marks(page) -> list[str]:
    return page.eval_on_selector_all("mark.finding:not(.hidden)", "els => els.map(e => e.dataset.themes)")


def test_checklist_and_heat_map_render(page, real_report):
    page.goto(real_report.as_uri())
    assert page.locator("#checklist tr.theme-row").count() == 16
    assert page.locator("#checklist").is_visible()
    assert page.locator("#matrix td.cell a").count() > 10
    assert page.locator("#matrix").is_visible()
    row = page.locator('#checklist tr[data-theme="T3"] td.verdict')
    assert "addressed" in row.inner_text()


def test_theme_filter_hides_other_themes(page, real_report):
    page.goto(real_report.as_uri())
    total = page.locator("mark.finding").count()
    for box in page.locator(".f-theme").all():
        if box.get_attribute("value") != "T3":
            box.uncheck()
    shown = visible_marks(page)
    assert 0 < len(shown) < total
    assert all("T3" in themes.split() for themes in shown)
    assert page.locator("#count").inner_text() == f"{len(shown)} / {total}"


def test_matrix_cell_scrolls_to_its_evidence(page, real_report):
    page.goto(real_report.as_uri())
    cell = page.locator("#matrix td.cell a").nth(5)
    target = cell.get_attribute("data-target")
    cell.click()
    mark = page.locator(f"#{target}")
    box = mark.bounding_box()
    assert box is not None and 0 <= box["y"] <= 900
    assert page.locator("#detail").is_visible()
    assert page.locator("#d-id").inner_text() == target


def test_keyboard_moves_between_findings(page, real_report):
    page.goto(real_report.as_uri())
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.id")
    page.keyboard.press("j")
    second = page.evaluate("document.activeElement.id")
    page.keyboard.press("k")
    assert first.startswith("F") and second != first
    assert page.evaluate("document.activeElement.id") == first


def test_hostile_text_shows_as_text_and_runs_nothing(page, pdf_dir, tmp_path):
    path = tmp_path / "xss.html"
    path.write_text(render(scan(pdf_dir / "hostile_text.pdf", ScanOptions(page_images=True)), "html"), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.evaluate("window.__xss") is None
    text = page.locator("main").inner_text()
    assert "<script>window.__xss = 1; alert(1)</script>" in text
    assert page.locator("main img[src='x']").count() == 0


def test_content_security_policy_blocks_injected_handlers_and_javascript_urls(page, pdf_dir, tmp_path):
    """The report's own script and styles run under its policy; markup slipped in does not."""
    html = render(scan(pdf_dir / "hostile_text.pdf", ScanOptions(page_images=True)), "html")
    injected = (
        '<img id="x1" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onerror="window.__xss = 1">'
        '<img id="x2" src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"'
        ' onload="window.__xss = 2">'
        '<a id="x3" href="javascript:window.__xss = 3">x</a><script>window.__xss = 4</script>'
    )
    path = tmp_path / "injected.html"
    path.write_text(html.replace("</main>", injected + "</main>"), encoding="utf-8")
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(path.as_uri())
    page.click("#x3")
    page.wait_for_load_state()
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []
    assert len(refused) >= 3, refused  # the handlers, the javascript: URL and the script were refused
    # The report's own script ran (filters counted the findings) and its colours apply.
    assert page.locator("#count").inner_text().endswith(f"/ {page.locator('mark.finding').count()}")
    colour = page.eval_on_selector("mark.finding", "m => getComputedStyle(m).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")


def test_audit_summary_links_with_hostile_names_open_their_reports(page, example_plan, tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "plans"
    folder.mkdir()
    names = ["javascript:alert(1).pdf", "Plan:2024.pdf", "plan #2.pdf", "plan?v=2.pdf"]
    for name in names:
        shutil.copy(example_plan, folder / name)
    db, reports, index = tmp_path / "a.sqlite", tmp_path / "reports", tmp_path / "index.html"
    for args in (
        ["audit", folder, "--db", db, "-q", "--no-classifier", "--reports", reports],
        ["audit-export", "--db", db, "-f", "html", "-o", index, "--reports", reports],
    ):
        subprocess.run([sys.executable, "-m", "policy_scan", *map(str, args)], check=True, capture_output=True)
    page.goto(index.as_uri())
    links = page.locator("#corpus a")
    assert links.count() == len(names)
    for i in range(len(names)):
        page.goto(index.as_uri())
        name = page.locator("#corpus a").nth(i).inner_text()
        page.locator("#corpus a").nth(i).click()
        page.wait_for_load_state()
        assert page.url.startswith("file://") and page.title() == f"policy-scan — {name}", (name, page.url)
    assert page.dialogs == []
