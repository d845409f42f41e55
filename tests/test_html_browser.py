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
