"""Extraction and layout on generated PDFs: what a reader skips and the order a reader reads."""

from __future__ import annotations

import pytest

from policy_scan.errors import InputError
from policy_scan.extract import extract
from policy_scan.segment import segment


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_running_headers_and_page_numbers_are_dropped(pdf_dir, engine):
    seg = segment(extract(pdf_dir / "running.pdf", engine=engine))
    assert "Sector Strategy" not in seg.text
    assert "- 2 -" not in seg.text
    assert [p.text.split(".")[0] for p in seg.passages if "ministry" in p.text] == [
        "Roads come first",
        "Hospitals follow",
        "Schools are next",
        "Water closes the list",
    ]
    migrant = [p for p in seg.passages if p.text.startswith("Migrant workers")]
    assert [p.page for p in migrant] == [3]


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_two_columns_are_read_column_by_column(pdf_dir, engine):
    seg = segment(extract(pdf_dir / "columns.pdf", engine=engine))
    text = seg.text
    order = [text.index(mark) for mark in ("LEFT-ONE", "LEFT-END", "RIGHT-ONE", "RIGHT-END")]
    assert order == sorted(order)


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_hyphenation_across_lines_is_joined(pdf_dir, engine):
    seg = segment(extract(pdf_dir / "hyphen.pdf", engine=engine))
    assert "reintegration of returning migrant workers" in seg.text
    assert "reinte-" not in seg.text


def test_bookmarks_give_chapter_paths(pdf_dir):
    seg = segment(extract(pdf_dir / "bookmarks.pdf"))
    by_start = {p.text.split()[0]: p.chapter for p in seg.passages}
    assert by_start["District"] == ["Chapter 1. Health"]
    assert by_start["Recruitment"] == ["Chapter 2. Labour and employment"]
    assert [e.title for e in seg.outline] == ["Chapter 1. Health", "Chapter 2. Labour and employment"]


def test_headings_without_bookmarks_come_from_type_size(pdf_dir):
    seg = segment(extract(pdf_dir / "headings.pdf"))
    chapters = {p.text.split()[0]: p.chapter for p in seg.passages}
    assert chapters["Pensions"] == ["1. Social protection"]
    assert chapters["Remittances"] == ["2. Migration and development"]
    assert all(not p.text.startswith(("1. Social", "2. Migration")) for p in seg.passages)


def test_page_without_text_layer_is_flagged(pdf_dir):
    doc = extract(pdf_dir / "image_only.pdf")
    assert [p.has_text_layer for p in doc.pages] == [False]
    assert segment(doc).passages == []


def test_passage_positions_point_back_to_the_page(example_plan):
    seg = segment(extract(example_plan))
    passage = next(p for p in seg.passages if "fish migration" in p.text)
    start = passage.text.index("fish migration")
    page, boxes = passage.locate(start, start + len("fish migration"))
    assert page == 6 and boxes
    x0, top, x1, bottom = boxes[0]
    assert 0 < x0 < x1 < 600 and 0 < top < bottom < 842
    # offsets into the document text agree with the passage text
    assert seg.text[passage.offset : passage.offset + len(passage.text)] == passage.text


def test_table_of_contents_is_not_evidence(example_plan):
    seg = segment(extract(example_plan))
    assert 2 in seg.toc_pages
    assert "....." not in seg.text


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_rotated_results_matrix_is_read_cell_by_cell(pdf_dir, engine):
    from pdfgen import MATRIX_ACTIVITY

    doc = extract(pdf_dir / "matrix.pdf", engine=engine)
    page = doc.pages[0]
    assert (page.width, page.height) == (792.0, 612.0)  # as displayed: landscape
    assert all(0 <= ln.box[0] < ln.box[2] <= 792 and 0 <= ln.box[1] < ln.box[3] <= 612 for ln in page.lines)
    texts = [p.text for p in segment(doc).passages]
    assert " ".join(MATRIX_ACTIVITY) in texts, texts  # one activity, whole, not mixed with other columns
    assert "Goal 16: returnees find decent work at home." in texts


@pytest.mark.parametrize(
    "title, entries",
    [
        ("Figures, tables and graphs", ["Figure 1: Labour migration flowchart... 0.0... 00. ccc cee"]),  # OCR'd leaders
        ("List of tables", ["Table 3: Deployment of workers in foreign employment 2005-2014"]),
        ("Acronyms", ["IOM International Organization for Migration", "MOLVT Ministry of Labour"]),
        ("Siglas", ["OIM Organización Internacional para las Migraciones"]),
    ],
)
def test_navigation_pages_are_not_evidence(title, entries):
    from policy_scan.layout import is_toc_page
    from policy_scan.model import Line

    lines = [Line(text, (70, 80 + 20 * i, 500, 92 + 20 * i), 10) for i, text in enumerate([title, *entries * 3])]
    assert is_toc_page(lines)
    assert not is_toc_page([Line("Migration and development", (70, 80, 300, 92), 10), *lines[1:]])
    wrapped = Line(f"{title} en inglés) que coordina la respuesta a la población migrante", (70, 80, 500, 92), 10)
    assert not is_toc_page([wrapped, *lines[1:]])


def test_two_columns_under_a_full_width_title_are_not_a_table():
    from policy_scan.layout import read_columns
    from policy_scan.model import Line

    def two_columns(top: float) -> list[Line]:
        rows = [(f"left column line {i} of running text", f"right column line {i} of running text") for i in range(8)]
        return [
            Line(text, (x0, top + 14 * i, x0 + 240, top + 14 * i + 10), 10)
            for i, pair in enumerate(rows)
            for x0, text in zip((50, 310), pair)
        ]

    title = Line("3. A chapter title set across both columns of the page", (50, 250, 550, 262), 14)
    lines = two_columns(100) + [title] + two_columns(280)
    assert read_columns(lines, 600)[1] == 2


def test_reference_lists_are_not_evidence(pdf_dir):
    from policy_scan.scan import ScanOptions, scan

    result = scan(pdf_dir / "references.pdf", ScanOptions(classifier=False))
    listed = [p.text for p in result.segmentation.passages if p.reference_list]
    assert listed and all(text.startswith(("World Bank", "IOM")) for text in listed), listed
    texts = [f.text for f in result.findings]
    assert any("recruitment fees" in t for t in texts)
    assert any("Pre-departure training" in t for t in texts)  # a "Notes" line does not start a list
    assert not any("Factbook" in t or "Assessment of returned" in t for t in texts)


@pytest.mark.parametrize(
    "name, problem",
    [
        ("encrypted", "encrypted PDF: a password is required"),
        ("truncated", "corrupt or truncated PDF"),
        ("corrupt", "corrupt or truncated PDF"),
        ("not_a_pdf", "not a PDF"),
        ("empty", "empty file"),
    ],
)
def test_bad_input_raises_one_clear_error(pdf_dir, name, problem):
    with pytest.raises(InputError) as info:
        extract(pdf_dir / f"{name}.pdf")
    assert str(info.value).startswith(str(pdf_dir / f"{name}.pdf") + ": ")
    assert problem in str(info.value)


def test_encrypted_pdf_opens_with_its_password(pdf_dir):
    seg = segment(extract(pdf_dir / "encrypted.pdf", password="secret"))
    assert "reintegration support" in seg.text
    with pytest.raises(InputError, match="password given is wrong"):
        extract(pdf_dir / "encrypted.pdf", password="nope")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        extract(tmp_path / "absent.pdf")


def test_threads_reading_pdfs_at_once_get_what_each_reads_alone(pdf_dir, example_plan):
    """PDFium is not thread-safe; a Dask worker with several threads must still read correctly."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [example_plan, pdf_dir / "running.pdf", pdf_dir / "columns.pdf", pdf_dir / "bookmarks.pdf"] * 3

    def lines(path):
        return [[line.text for line in page.lines] for page in extract(path).pages]

    alone = {path: lines(path) for path in set(paths)}
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lines, paths))
    assert together == [alone[path] for path in paths]
