"""The HTML report as a file: self-contained, escaped, complete."""

from __future__ import annotations

import re

import pytest

from pdfgen import XSS_ATTR, XSS_SCRIPT
from policy_scan.report import render
from policy_scan.scan import ScanOptions, scan


@pytest.fixture(scope="module")
def example_result(example_plan):
    return scan(example_plan, ScanOptions(page_images=True))


@pytest.fixture(scope="module")
def example_html(example_result) -> str:
    return render(example_result, "html")


def test_report_is_self_contained(example_html):
    # no external scripts, styles, images or fonts: it must open offline and travel by mail
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", example_html)
    assert "<link" not in example_html and "@import" not in example_html
    assert example_html.count("data:image/jpeg;base64,") == 7  # one image per page with findings


def test_checklist_matrix_and_highlights(example_html, example_result):
    assert len(re.findall(r'<tr class="theme-row" data-theme="T\d+"', example_html)) == 16
    assert 'data-theme="T16" data-verdict="absent"' in example_html
    assert "Address irregular migration with regular pathways" in example_html  # the gap's entry point
    marks = re.findall(r'<mark class="finding" id="(F\d+)"', example_html)
    # one highlight per finding, each once: the employer-pays sentence of the labour chapter included
    assert sorted(marks) == sorted(f"F{i}" for i in range(1, len(example_result.findings) + 1))
    assert len(marks) >= 20
    assert re.search(r'id="F\d+"[^>]*>Licensed recruitment agencies', example_html)
    # every matrix cell links to a finding that exists
    targets = re.findall(r'data-target="(F\d+)"', example_html)
    assert targets and set(targets) <= set(marks)
    assert '<rect x="' in example_html  # evidence boxes drawn over the page images


def test_pdf_text_is_escaped(pdf_dir):
    html = render(scan(pdf_dir / "hostile_text.pdf", ScanOptions(page_images=True)), "html")
    assert XSS_SCRIPT not in html and XSS_ATTR not in html
    assert "&lt;script&gt;window.__xss = 1; alert(1)&lt;/script&gt;" in html
    assert "onerror=&#34;window.__xss = 2&#34;" in html or "onerror=&quot;window.__xss = 2&quot;" in html
    assert html.count("<script>") == 1  # only the report's own script


def test_labels_follow_the_ui_language(example_plan):
    html = render(scan(example_plan), "html", ui_lang="es")
    assert "Texto del plan" in html and "Capítulos" in html and 'lang="es"' in html


def test_plan_text_carries_the_document_language_and_labels_pluralise(example_plan, tmp_path):
    from policy_scan.report.html import render_html

    result = scan(example_plan)
    result.language = "es"  # as for a Spanish plan: the plan's text is marked Spanish, the labels are not
    html = render_html(result, ui_lang="en")
    assert '<html lang="en">' in html and '<section class="chapter" id="chapter-0" lang="es">' in html
    result.findings = result.findings[:1]
    es = render_html(result, ui_lang="es")
    assert "1 hallazgo</p>" in es.replace("\n", "") or "1 hallazgo" in es
    assert not re.search(r"(?<!\d)1 hallazgos", es) and "Fuente / puntuación" in es
    en = render_html(result, ui_lang="en")
    assert "1 finding" in en and not re.search(r"(?<!\d)1 findings", en)


def test_theme_colours_are_far_apart():
    from policy_scan.report.html import PALETTE

    def lab(hex_colour):
        rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
        y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
        z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883
        f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
        return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])

    labs = [lab(c) for c in PALETTE]
    assert len(PALETTE) == 16
    for i in range(16):
        for j in range(i + 1, 16):
            d = sum((a - b) ** 2 for a, b in zip(labs[i], labs[j])) ** 0.5
            assert d >= 25, (f"T{i + 1}", f"T{j + 1}", round(d, 1))


def test_front_matter_is_not_a_silent_chapter():
    from conftest import shared_pdf

    html = render(scan(shared_pdf("KHM_National_Strategic_Development_Plan_2014-2018.pdf")), "html")
    start = html.index('<div id="matrix">')
    matrix = html[start : html.index("</table></div>", start)]
    rows = re.findall(r'<tr class="(\w*)" data-chapter="\d+">\s*<th>(.*?) <span', matrix)
    first = next(i for i, (cls, _) in enumerate(rows) if 'data-target' in matrix.split('data-chapter')[i + 1])
    assert all(cls != "silent" for cls, _ in rows[:first])
    # the cover's headings (a few words each) are not rows at all; real chapters are
    titles = [t for _, t in rows]
    assert "ROYAL KRAM" not in titles and "CHAPTER II" in titles
    assert sum(cls == "silent" for cls, _ in rows) <= 3


def test_every_html_file_has_a_viewport():
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "policy_scan" / "report" / "templates"
    for template in folder.glob("*.html.j2"):
        assert 'name="viewport"' in template.read_text(encoding="utf-8"), template.name


def test_a_spanish_plan_reads_in_spanish_with_lang_ui_auto(tmp_path):
    """A real Spanish plan (the first pages of Colombia's PND law), `--lang-ui auto`: the page,
    its text, the labels and the gap advice are Spanish; nothing of the English advice is left."""
    import subprocess
    import sys

    import pypdfium2 as pdfium

    from conftest import shared_pdf
    from policy_scan.scan import get_ruleset

    source = pdfium.PdfDocument(str(shared_pdf("COL_Ley_PND_2022-2026_Texto_Conciliado_es.pdf")))
    cut = pdfium.PdfDocument.new()
    cut.import_pages(source, list(range(12)))
    pdf = tmp_path / "pnd.pdf"
    cut.save(str(pdf))
    out = tmp_path / "pnd.html"
    subprocess.run(
        [sys.executable, "-m", "policy_scan", "scan", str(pdf), "-f", "html", "--lang-ui", "auto", "-o", str(out)],
        check=True,
        capture_output=True,
    )
    html = out.read_text(encoding="utf-8")
    assert '<html lang="es">' in html
    sections = re.findall(r'<section class="chapter" id="chapter-\d+"([^>]*)>', html)
    assert sections and all(s == ' lang="es"' for s in sections)
    gaps = re.findall(r'<div class="gap"><b>Brecha:</b> (.*?)</div>', html)
    assert gaps, "a plan's first pages leave gaps"
    english = [t.entry_point for t in get_ruleset(None).taxonomy.themes.values()]
    assert not any(e in html for e in english)
    assert all(re.search(r"\b(de|la|los|las|y|para)\b", g) for g in gaps)
    n = len(re.findall(r'<mark class="finding"', html))
    assert f"{n} {'hallazgo' if n == 1 else 'hallazgos'}</p>" in html.replace("\n", "")
    for english_label in (">rule<", ">both<", "Source /", "score<", "Spanish"):
        assert english_label not in html, english_label
