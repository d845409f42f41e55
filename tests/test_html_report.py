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
