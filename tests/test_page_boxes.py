"""Evidence boxes on the page images sit on the finding's own characters (real plans)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from conftest import shared_pdf
from policy_scan.pages import MAX_PAGES, _fold
from policy_scan.scan import ScanOptions, scan


def _under(textpage, boxes, height) -> str:
    """The page's text inside `boxes` (top-left origin), read back by pdfium itself."""
    return "".join(textpage.get_text_bounded(b[0], height - b[3], b[2], height - b[1]) for b in boxes)


@pytest.fixture(scope="module")
def nsdp():
    path = shared_pdf("KHM_National_Strategic_Development_Plan_2014-2018.pdf")
    return path, scan(path, ScanOptions(page_images=True))


def test_every_finding_has_a_box_on_its_text(nsdp):
    path, result = nsdp
    pdf = pdfium.PdfDocument(str(path))
    drawn = {img.page: img for img in result.page_images}
    checked = 0
    for i, f in enumerate(result.findings):
        img = drawn.get(f.page)
        if img is None:
            continue
        boxes = img.boxes[i]
        assert boxes, f"F{i + 1} has no box"
        assert all(b[2] - b[0] > 3 and b[3] - b[1] > 3 for b in boxes), (f"F{i + 1}", boxes)
        textpage = pdf[f.page - 1].get_textpage()
        under, _ = _fold(_under(textpage, boxes, img.height))
        want, _ = _fold(f.text)
        # the boxes hold the sentence from its first word to its last, and little else
        assert want[:15] in under and want[-15:] in under, (f"F{i + 1}", f.text[:60], under[:80])
        assert len(under) < 1.5 * len(want) + 120, (f"F{i + 1}", len(under), len(want))
        checked += 1
    assert checked == sum(1 for f in result.findings if f.page in drawn) > 30


def test_boxes_start_and_end_with_the_sentence_not_the_line(nsdp):
    """A sentence starting mid-line gets a box starting at its first character."""
    path, result = nsdp
    pdf = pdfium.PdfDocument(str(path))
    drawn = {img.page: img for img in result.page_images}
    for i, f in enumerate(result.findings):
        img = drawn.get(f.page)
        if img is None:
            continue
        textpage = pdf[f.page - 1].get_textpage()
        first = img.boxes[i][0]
        # the first box's left part holds the sentence's first letters, not the previous sentence's last
        head = _under(textpage, [(first[0], first[1], first[0] + 12, first[3])], img.height)
        assert _fold(head)[0][:2] == _fold(f.text)[0][:2] or len(_fold(head)[0]) <= 3, (f"F{i + 1}", head, f.text[:30])


def test_rotated_pages_and_reassembled_sentences(tmp_path):
    """Landscape pages (/Rotate 90) and sentences the extractor stitched still get boxes."""
    path = shared_pdf("KHM_Labour_Migration_Policy_2015-2018.pdf")
    result = scan(path, ScanOptions(page_images=True))
    boxes = [(img, i, b) for img in result.page_images for i, b in img.boxes.items()]
    assert len(boxes) == sum(1 for f in result.findings if f.page in {img.page for img in result.page_images})
    for img, i, bs in boxes:
        assert bs and all(0 <= b[0] < b[2] <= img.width + 1 and 0 <= b[1] < b[3] <= img.height + 1 for b in bs), i


def test_pages_beyond_the_cap_are_named(nsdp):
    _, result = nsdp
    pages = sorted({f.page for f in result.findings})
    assert len(result.page_images) == min(len(pages), MAX_PAGES)
    if len(pages) > MAX_PAGES:
        assert any("size cap" in w for w in result.warnings)


def test_the_json_carries_the_boxes_drawn_on_the_pages(nsdp):
    """One set of boxes: the JSON's (scan without page images) are those drawn over the
    images, and they hold the finding's text on every page with findings, drawn or not."""
    import json

    from policy_scan.report import render

    path, drawn_result = nsdp
    data = json.loads(render(scan(path), "json"))
    drawn = {img.page: img for img in drawn_result.page_images}
    pdf = pdfium.PdfDocument(str(path))
    assert len(data["findings"]) == len(drawn_result.findings)
    for i, f in enumerate(data["findings"]):
        boxes = [tuple(b) for b in f["boxes"]]
        assert all(len(b) == 4 for b in boxes)
        if f["page"] in drawn:
            assert boxes == [tuple(b) for b in drawn[f["page"]].boxes[i]], f["id"]
        page = pdf[f["page"] - 1]
        under, _ = _fold(_under(page.get_textpage(), boxes, page.get_size()[1]))
        want, _ = _fold(f["text"])
        assert want[:15] in under and want[-15:] in under, (f["id"], f["text"][:60], under[:80])
