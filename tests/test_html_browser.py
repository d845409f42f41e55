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


def review_import(exported, tmp_path) -> list[dict]:
    """The labelled references `policy-scan review import` makes of exported decisions."""
    import json
    import subprocess
    import sys

    out = tmp_path / "refs.jsonl"
    subprocess.run(
        [sys.executable, "-m", "policy_scan", "review", "import", str(exported), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    return [json.loads(x) for x in out.read_text().splitlines()]


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
    page.click("#controls summary")  # the theme list folds away
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
    # the sort headers are reached by keyboard and say how the table is sorted
    page.goto(index.as_uri())
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "sort":
            break
    assert page.evaluate("document.activeElement.textContent") == "Document"
    header = page.locator("#corpus th").first
    assert header.get_attribute("aria-sort") == "none"
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    page.keyboard.press(" ")
    assert header.get_attribute("aria-sort") == "descending"



# ---- the reviewer's workflow: boxes, evidence, panel, phone, keys, filters, decisions ----


@pytest.fixture(scope="module")
def nsdp(tmp_path_factory):
    """The 268-page Cambodian NSDP: its report and its scan."""
    result = scan(shared_pdf("KHM_National_Strategic_Development_Plan_2014-2018.pdf"), ScanOptions(page_images=True))
    path = tmp_path_factory.mktemp("nsdp") / "nsdp.html"
    path.write_text(render(result, "html"), encoding="utf-8")
    return path, result


def test_boxes_sit_on_the_text_of_the_rendered_page(page, nsdp):
    """Each box, as drawn in Chromium, is where pdfium puts the sentence's characters on the
    image (tests/test_page_boxes.py checks the boxes hold the text); the overlay is the
    image's size, not the figure's with its caption."""
    path, result = nsdp
    page.goto(path.as_uri())
    for img in result.page_images:
        fig = page.locator(f"#page-{img.page}")
        fig.scroll_into_view_if_needed()
        shot = fig.locator("img").bounding_box()
        svg = fig.locator("svg").bounding_box()
        assert abs(svg["height"] - shot["height"]) < 1 and abs(svg["y"] - shot["y"]) < 1, img.page
        scale = shot["width"] / img.width
        for i, boxes in img.boxes.items():
            rects = fig.locator(f'svg a[data-target="F{i + 1}"] rect')
            assert rects.count() == len(boxes) > 0, (img.page, i)
            for k, b in enumerate(boxes):
                got = rects.nth(k).bounding_box()
                assert got["width"] > 2 and got["height"] > 2
                assert abs(got["x"] - (shot["x"] + b[0] * scale)) < 1.5, (img.page, i, k)
                assert abs(got["y"] - (shot["y"] + b[1] * scale)) < 1.5, (img.page, i, k)
                assert abs(got["y"] + got["height"] - (shot["y"] + b[3] * scale)) < 1.5, (img.page, i, k)


def test_a_box_opens_its_finding_and_the_finding_links_its_page(page, nsdp):
    path, result = nsdp
    page.goto(path.as_uri())
    box = page.locator("figure.page svg a[data-target]").nth(3)
    target = box.get_attribute("data-target")
    box.scroll_into_view_if_needed()
    box.locator("rect").first.click()
    assert page.locator("#detail").is_visible() and page.locator("#d-id").inner_text() == target
    assert page.url.endswith("#" + target)
    page.click("#d-goto")
    number = result.findings[int(target[1:]) - 1].page
    figure = page.locator(f"#page-{number}")
    assert "current" in figure.get_attribute("class")
    # the page opens in the viewer at readable size, the finding's box in sight and marked
    viewer = page.locator("#viewer")
    assert viewer.is_visible() and page.locator("#v-title").inner_text().endswith(str(number))
    assert page.locator("#v-body img").bounding_box()["width"] >= 560
    box = page.locator(f'#v-body svg a.current[data-target="{target}"] rect').first.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 900
    page.keyboard.press("Escape")
    assert not viewer.is_visible() and page.evaluate("document.activeElement.id") == target
    # the caption is not under the overlay: its links are clickable
    figure.scroll_into_view_if_needed()
    caption_link = figure.locator("figcaption a").first
    caption_link.click()
    assert page.locator("#d-id").inner_text() == caption_link.inner_text()


def test_the_page_viewer_zooms_steps_through_pages_and_findings_and_its_boxes_open_findings(page, nsdp):
    path, result = nsdp
    drawn = [img.page for img in result.page_images]
    page.goto(path.as_uri() + "#F2")
    page.click("#d-goto")
    title = page.locator("#v-title")
    first = int(title.inner_text().split()[-1])
    assert first == result.findings[1].page
    width = page.locator("#v-body img").bounding_box()["width"]
    page.click("#v-zoom-in")
    assert page.locator("#v-body img").bounding_box()["width"] == pytest.approx(1.5 * width, abs=2)
    assert page.locator("#v-zoom").inner_text() == "150%"
    page.click("#v-zoom-out")
    page.click("#v-next-page")
    assert int(title.inner_text().split()[-1]) == drawn[drawn.index(first) + 1]
    page.keyboard.press("ArrowLeft")
    assert int(title.inner_text().split()[-1]) == first
    # next finding: the panel and the viewer follow it
    page.click("#v-next")
    fid = page.locator("#d-id").inner_text()
    assert fid == "F3" and int(title.inner_text().split()[-1]) == result.findings[2].page
    assert page.locator('#v-body svg a.current').first.get_attribute("data-target") == "F3"
    # a box in the viewer opens its finding in the text, the viewer closes
    other = page.locator("#v-body svg a[data-target]").last
    target = other.get_attribute("data-target")
    other.locator("rect").first.click()
    assert not page.locator("#viewer").is_visible()
    assert page.locator("#d-id").inner_text() == target
    mark = page.locator(f"#{target}").bounding_box()
    assert 0 <= mark["y"] <= 900
    # a thumbnail's image opens the viewer too
    thumb = page.locator(f"#page-{drawn[0]} .sheet")
    thumb.scroll_into_view_if_needed()
    thumb.click(position={"x": 3, "y": 3})
    assert page.locator("#viewer").is_visible() and title.inner_text().endswith(str(drawn[0]))


def test_a_stable_link_opens_its_finding_clear_of_the_bar_and_panel(page, nsdp):
    path, _ = nsdp
    page.goto(path.as_uri() + "#F20")
    mark = page.locator("#F20").bounding_box()
    bar = page.locator("#controls").bounding_box()
    panel = page.locator("#detail").bounding_box()
    assert page.locator("#d-id").inner_text() == "F20"
    assert mark["y"] >= bar["y"] + bar["height"] - 1  # not under the sticky bar
    overlap = mark["y"] + mark["height"] > panel["y"] and mark["x"] + mark["width"] > panel["x"]
    assert not overlap or mark["y"] + mark["height"] <= panel["y"]
    page.click("#d-copy")
    assert page.locator("#d-link").input_value().endswith("#F20")
    page.click("#d-close")
    assert not page.locator("#detail").is_visible()
    assert page.evaluate("document.activeElement.id") == "F20"


def test_phone_width_no_horizontal_scroll_and_panel_on_screen(browser, nsdp):
    path, _ = nsdp
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.route("http*://**", lambda route: route.abort())
    pg = context.new_page()
    pg.goto(path.as_uri() + "#F20")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    panel = pg.locator("#detail").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 390 and panel["y"] + panel["height"] <= 844
    mark = pg.locator("#F20").bounding_box()
    assert mark["y"] >= 0 and mark["y"] + min(mark["height"], 20) <= panel["y"]  # the sentence stays in sight
    bar = pg.locator("#controls")
    assert bar.evaluate("e => getComputedStyle(e).position") != "sticky"  # no bar eating the screen
    context.close()


def test_keys_after_a_filter_skip_link_and_sort_headers(page, real_report):
    page.goto(real_report.as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#plan"
    page.click("#controls summary")
    page.locator('.f-theme[value="T1"]').uncheck()  # focus stays on the checkbox
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.id")
    page.keyboard.press("j")
    second = page.evaluate("document.activeElement.id")
    assert first.startswith("F") and second.startswith("F") and first != second
    themes = page.locator(f"#{second}").get_attribute("data-themes").split()
    assert themes != ["T1"]


def test_filters_drive_heat_map_checklist_and_page_images(page, real_report):
    page.goto(real_report.as_uri())
    page.click("#controls summary")
    for box in page.locator(".f-theme").all():
        if box.get_attribute("value") != "T3":
            box.uncheck()
    shown = set(page.eval_on_selector_all("mark.finding:not(.hidden)", "els => els.map(e => e.id)"))
    # heat map: only T3 cells count, and each links to a shown finding
    for td in page.locator("#matrix td.cell[data-ids]").all():
        a = td.locator("a")
        if td.get_attribute("data-theme") != "T3":
            assert "off" in td.get_attribute("class")
        elif "off" not in td.get_attribute("class"):
            assert a.get_attribute("data-target") in shown
    assert "off" in page.locator('tr.theme-row[data-theme="T2"]').get_attribute("class")
    # page images: a page without a shown finding is hidden, boxes of hidden findings too
    for fig in page.locator("figure.page").all():
        ids = set(fig.get_attribute("data-ids").split())
        assert ("hidden" in fig.get_attribute("class")) == (not ids & shown)
    # a hidden finding's heat-map link does not open it
    link = page.locator("#matrix td.cell:not(.off) a").first
    link.click()
    assert page.locator("#d-id").inner_text() in shown
    page.click("#d-close")
    hidden = page.eval_on_selector("mark.finding.hidden", "e => e.id")
    link.evaluate(f"a => {{ a.dataset.target = '{hidden}'; }}")
    link.click()
    assert not page.locator("#detail").is_visible()


def test_theme_names_and_all_themes_of_a_finding(page, real_report):
    page.goto(real_report.as_uri())
    page.click("#controls summary")
    assert "T3 Remittances" in page.locator("#controls .theme-list").inner_text()
    assert "P2 Strategic priorities" in page.locator("#f-stage").inner_text()
    multi = page.locator("mark.finding[data-c2]").first
    themes = multi.get_attribute("data-themes").split()
    assert len(themes) >= 2 and multi.get_attribute("data-c2") == themes[1]
    shadow = multi.evaluate("m => getComputedStyle(m).boxShadow")
    assert shadow not in ("", "none")
    multi.click()
    text = page.locator("#d-themes").inner_text()
    assert all(t in text for t in themes) and " · " in text


def test_decisions_survive_reload_and_round_trip_through_export_and_import(page, real_report, tmp_path):
    import json

    page.goto(real_report.as_uri())
    page.locator("mark.finding").nth(2).click()
    fid = page.locator("#d-id").inner_text()
    page.check('input[name="d-decision"][value="wrong_theme"]')
    for box in page.locator(".d-theme").all():
        box.uncheck()
    page.check('.d-theme[value="T6"]')
    page.fill("#d-note", "about social protection")
    page.locator("mark.finding").nth(5).click()
    other = page.locator("#d-id").inner_text()
    page.check('input[name="d-decision"][value="not_migration"]')
    page.check('.gap-review input[value="evidence_missed"] >> nth=0')
    page.reload()
    page.locator(f"#{fid}").click()
    assert page.is_checked('input[name="d-decision"][value="wrong_theme"]')
    assert page.is_checked('.d-theme[value="T6"]') and page.input_value("#d-note") == "about social protection"
    assert page.locator("#decision-count").inner_text().startswith("3 ")
    with page.expect_download() as info:
        page.click("#export")
    exported = tmp_path / "decisions.jsonl"
    info.value.save_as(exported)
    lines = [json.loads(x) for x in exported.read_text().splitlines()]
    by_id = {d.get("id"): d for d in lines}
    assert by_id[fid]["decision"] == "wrong_theme" and by_id[fid]["themes"] == ["T6"]
    assert by_id[other]["decision"] == "not_migration" and by_id[other]["themes"] == []
    assert all(len(d["sha256"]) == 64 for d in lines)
    assert {"page", "char_start", "char_end", "decision", "themes", "stage", "note"} <= set(by_id[fid])
    # a fresh browser profile: nothing stored; import brings the decisions back
    page.evaluate("localStorage.clear()")
    page.reload()
    assert page.locator("#decision-count").inner_text() == ""
    page.set_input_files("#import", str(exported))
    page.wait_for_function("document.getElementById('decision-count').textContent.startsWith('3 ')")
    page.locator(f"#{fid}").click()
    assert page.is_checked('.d-theme[value="T6"]')
    # ... and the command line turns them into labelled references, without the text
    refs = review_import(exported, tmp_path)
    assert len(refs) == 2 and all("text" not in r for r in refs)
    assert {r["relevant"] for r in refs} == {True, False}
    fixed = next(r for r in refs if r["relevant"])
    assert fixed["themes"] == ["T6"] and fixed["doc"] == "KHM_Labour_Migration_Policy_2015-2018.pdf"
    assert len(fixed["sha1"]) == 12


# ---- the diff and the audit summary: hostile names and text, filters, phone width ----

HOSTILE_NAMES = ('<img src=x onerror="window.__xss=5">.pdf', "javascript:alert(1).pdf")


@pytest.fixture(scope="module")
def hostile_diff(tmp_path_factory, example_plan):
    """A diff between the example plan and the hostile-text PDF, both under hostile names,
    from folders whose path must not appear."""
    import subprocess
    import sys

    from pdfgen import hostile_text

    folder = tmp_path_factory.mktemp("secret-folder")
    old, new = folder / HOSTILE_NAMES[0], folder / HOSTILE_NAMES[1]
    shutil.copy(example_plan, old)
    hostile_text(new)
    out = folder / "diff.html"
    subprocess.run(
        [sys.executable, "-m", "policy_scan", "diff", str(old), str(new), "-f", "html", "-o", str(out), "-q"],
        check=True,
        capture_output=True,
    )
    return out


def test_diff_shows_names_and_hostile_text_as_text_and_runs_nothing(page, hostile_diff):
    page.goto(hostile_diff.as_uri())
    assert page.dialogs == [] and page.evaluate("window.__xss") is None
    assert page.locator("h1").inner_text() == f"{HOSTILE_NAMES[0]} → {HOSTILE_NAMES[1]}"
    html = hostile_diff.read_text(encoding="utf-8")
    assert str(hostile_diff.parent) not in html  # file names, not the folders
    assert "<script>window.__xss = 1; alert(1)</script>" in page.locator("#changes").inner_text()
    assert page.locator("#changes img").count() == 0 and page.locator("#changes script").count() == 0
    page.locator("#search").fill("alert(1)")  # the script's own filter runs under the policy
    assert page.locator("#count").inner_text().split(" / ")[0] != "0"


def test_diff_filters_and_groups_by_theme(page, hostile_diff):
    page.goto(hostile_diff.as_uri())
    items = page.locator(".item")
    total = items.count()
    assert total > 5 and page.locator("#count").inner_text() == f"{total} / {total}"
    # every item sits in the group of its first theme
    for group in page.locator("details.group").all():
        theme = group.get_attribute("data-theme")
        for themes in group.locator(".item").evaluate_all("xs => xs.map(x => x.dataset.themes)"):
            assert themes.split()[0] == theme
    # a theme's link in the table filters to that theme's changes, in any group
    link = page.locator("#themes a[data-theme]").first
    theme = link.get_attribute("data-theme")
    link.click()
    assert page.locator("#f-theme").input_value() == theme
    shown = page.locator(".item:not(.hidden)")
    expected = [t for t in items.evaluate_all("xs => xs.map(x => x.dataset.themes)") if theme in t.split()]
    assert shown.count() == len(expected) > 0
    assert page.locator("#count").inner_text() == f"{len(expected)} / {total}"
    for g in page.locator("details.group:not(.hidden)").all():
        assert g.evaluate("g => g.open")
    # kinds: no removed item stays once "removed" is unticked
    page.select_option("#f-theme", "")
    page.locator('.f-kind[value="removed"]').uncheck()
    assert page.locator('.item[data-kind="removed"]:not(.hidden)').count() == 0
    assert page.locator('.item[data-kind="added"]:not(.hidden)').count() > 0


def test_phone_width_diff_and_audit_pages_do_not_scroll_sideways(browser, hostile_diff, example_plan, tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "plans"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf"):
        shutil.copy(example_plan, folder / name)
    db, index = tmp_path / "a.sqlite", tmp_path / "index.html"
    for args in (
        ["audit", folder, "--db", db, "-q", "--no-classifier"],
        ["audit-export", "--db", db, "-f", "html", "-o", index],
    ):
        subprocess.run([sys.executable, "-m", "policy_scan", *map(str, args)], check=True, capture_output=True)
    assert str(tmp_path) not in index.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.route("http*://**", lambda route: route.abort())
    pg = context.new_page()
    for path in (hostile_diff, index):
        pg.goto(path.as_uri())
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390, path.name
    context.close()


# ---- checklist to evidence, theme x stage grid, search over the text, CSV, print ----


def test_a_checklist_row_filters_to_its_theme_and_the_grid_names_its_stages(page, real_report):
    page.goto(real_report.as_uri())
    page.click('#checklist tr[data-theme="T3"] button.only')
    shown = visible_marks(page)
    assert shown and all("T3" in t.split() for t in shown)
    assert len(shown) < page.locator("mark.finding").count()
    assert "T3" in page.locator("#d-themes").inner_text().split()
    assert page.locator("#theme-count").inner_text().startswith("1/")
    page.click("#f-reset")
    assert len(visible_marks(page)) == page.locator("mark.finding").count()
    # the grid: stage names in the header, each cell counts the theme's findings at that stage
    header = page.locator("#stage-grid thead").inner_text()
    assert "Strategic priorities" in header and "P3" in header
    cells = page.locator("#stage-grid td.cell")
    assert cells.count() > 5
    marks = page.eval_on_selector_all(
        "mark.finding", "ms => ms.map(m => [m.id, m.dataset.themes.split(' '), m.dataset.stage])"
    )
    for k in range(cells.count()):
        td = cells.nth(k)
        theme = td.locator("xpath=..").get_attribute("data-theme")
        stage = td.get_attribute("data-stage")
        ids = [i for i, themes, s in marks if theme in themes and s == stage]
        assert td.inner_text() == str(len(ids)) and td.locator("a").get_attribute("data-target") == ids[0]
    cells.last.locator("a").click()
    fid = cells.last.locator("a").get_attribute("data-target")
    assert page.locator("#d-id").inner_text() == fid


def test_search_covers_the_whole_text_not_only_findings(page, real_report):
    page.goto(real_report.as_uri())
    # a word from a passage without findings: the search finds it all the same
    word = page.evaluate(
        """() => {
          const p = [...document.querySelectorAll('p.passage')]
            .find(p => !p.querySelector('mark') && p.textContent.length > 200);
          return p.textContent.split(/\\s+/).filter(w => /^[a-z]{7,}$/.test(w))[0];
        }"""
    )
    assert word
    page.fill("#search", word)
    expected = page.evaluate(
        "w => [...document.querySelectorAll('p.passage')].filter(p => p.textContent.toLowerCase().includes(w)).length",
        word,
    )
    assert expected > 0 and page.locator("p.passage.hit").count() == expected
    assert page.locator("#count").inner_text().endswith(f"· {expected} passage" + ("s" if expected > 1 else ""))
    page.press("#search", "Enter")
    at = page.locator("p.passage.hit.at")
    assert at.count() == 1 and word in at.inner_text().lower()
    box = at.bounding_box()
    assert box["y"] < 900 and box["y"] + box["height"] > 0


def test_evidence_csv_and_print_keep_theme_colours(page, real_report, tmp_path):
    import csv

    page.goto(real_report.as_uri())
    page.click('#checklist tr[data-theme="T2"] button.only')
    with page.expect_download() as info:
        page.click("#export-csv")
    out = tmp_path / "evidence.csv"
    info.value.save_as(out)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    shown = page.eval_on_selector_all("mark.finding:not(.hidden)", "ms => ms.map(m => m.id)")
    assert [r["id"] for r in rows] == shown and all("T2" in r["themes"].split() for r in rows)
    assert rows[0]["text"] == page.locator(f"#{shown[0]}").inner_text()
    page.emulate_media(media="print")
    colour = page.eval_on_selector("mark.finding", "m => getComputedStyle(m).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.eval_on_selector("mark.finding", "m => getComputedStyle(m).printColorAdjust") == "exact"


def test_keyboard_only_review_of_a_whole_report(page, real_report):
    """No mouse: skip link, every finding in turn with a decision on each (keys 1-4, a note
    through the panel), its page in the viewer and back, a gap decided, all counted."""
    page.goto(real_report.as_uri())
    total = page.locator("mark.finding").count()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip to the plan's text
    seen = []
    for i in range(total):
        page.keyboard.press("j")
        fid = page.evaluate("document.activeElement.id")
        assert page.locator("#d-id").inner_text() == fid
        seen.append(fid)
        page.keyboard.press("2" if i == 1 else "1")
    assert seen == page.eval_on_selector_all("mark.finding", "ms => ms.map(m => m.id)")
    assert page.locator("#decision-count").inner_text() == f"{total} decisions"
    # into the panel: the decision by arrow keys, then a note, Esc back to the sentence
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.name") == "d-decision"
    page.keyboard.press("ArrowRight")  # correct -> not about migration
    while page.evaluate("document.activeElement.id") != "d-note":
        page.keyboard.press("Tab")
    page.keyboard.type("checked by keyboard")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == seen[-1]
    # its page, and back
    page.keyboard.press("v")
    assert page.locator("#viewer").is_visible()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    assert not page.locator("#viewer").is_visible() and page.evaluate("document.activeElement.id") == seen[-1]
    # a gap, reached with Tab from the top
    page.keyboard.press("Home")
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.gap-review') !== null"):
            break
    page.keyboard.press("Space")
    assert page.locator("#decision-count").inner_text() == f"{total + 1} decisions"
    stored = page.evaluate("JSON.parse(localStorage.getItem('policy-scan:decisions:' + report.dataset.sha256))")
    assert stored[seen[1]]["decision"] == "not_migration"
    assert stored[seen[-1]]["decision"] == "not_migration" and stored[seen[-1]]["note"] == "checked by keyboard"
    assert sum(d["decision"] == "correct" for d in stored.values()) == total - 2
    assert any(d["kind"] == "gap" for d in stored.values())


def test_a_gap_takes_the_sentence_the_reviewer_selects_and_review_import_labels_it(page, real_report, tmp_path):
    import hashlib
    import json

    page.goto(real_report.as_uri())
    gap = page.locator(".gap-review").first
    theme = gap.get_attribute("data-theme")
    button = gap.locator("button.use-selection")
    assert button.is_hidden()
    gap.locator('input[value="evidence_missed"]').check()
    assert button.is_visible()
    # search the text, select a sentence in a passage (part of it inside no finding)
    page.fill("#search", "labour migration")
    page.press("#search", "Enter")
    picked = page.evaluate(
        """() => {
          const p = document.querySelector('p.passage.hit.at');
          const node = [...p.childNodes].find(n => n.nodeType === 3 && n.textContent.trim().length > 40);
          const range = document.createRange();
          const lead = node.textContent.search(/\\S/);
          range.setStart(node, lead); range.setEnd(node, lead + 40);
          getSelection().removeAllRanges(); getSelection().addRange(range);
          return {text: range.toString(), start: +p.dataset.start};
        }"""
    )
    button.click()
    page.wait_for_function(
        "t => (JSON.parse(localStorage.getItem('policy-scan:decisions:' + report.dataset.sha256))"
        "['gap-' + t] || {}).sha1",
        arg=theme,
    )
    assert picked["text"].strip() in gap.locator(".gap-evidence").inner_text()
    page.reload()  # it stays, and shows the sentence again
    assert picked["text"].strip() in page.locator(f'.gap-review[data-theme="{theme}"] .gap-evidence').inner_text()
    with page.expect_download() as info:
        page.click("#export")
    exported = tmp_path / "decisions.jsonl"
    info.value.save_as(exported)
    record = next(json.loads(x) for x in exported.read_text().splitlines() if json.loads(x)["kind"] == "gap")
    result = scan(shared_pdf("KHM_Labour_Migration_Policy_2015-2018.pdf"))
    text = result.segmentation.text[record["char_start"] : record["char_end"]]
    assert text == picked["text"].strip()
    assert record["sha1"] == hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    refs = review_import(exported, tmp_path)
    assert refs == [
        {
            "doc": "KHM_Labour_Migration_Policy_2015-2018.pdf",
            "page": record["page"],
            "char_start": record["char_start"],
            "char_end": record["char_end"],
            "sha1": record["sha1"],
            "lang": "en",
            "relevant": True,
            "themes": [theme],
            "stage": None,
            "false_friend": False,
            "sampling": "review",
        }
    ]
