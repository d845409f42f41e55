"""OCR of pages without a text layer: generated scans, and the real scans in ../shared."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import shared_pdf
from pdfgen import SCANNED_TEXT
from policy_scan.diff import compare
from policy_scan.ocr import run_tesseract
from policy_scan.report.json import result_dict
from policy_scan.scan import ScanOptions, scan

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract not installed (apt-get install tesseract-ocr)"
)


def _words(text: str) -> set[str]:
    return {w.strip(".,").lower() for w in text.split()}


@needs_tesseract
def test_ocr_reads_a_scanned_page_and_marks_its_findings(pdf_dir):
    result = scan(pdf_dir / "scanned.pdf", ScanOptions(ocr="auto", classifier=False))
    page = result.document.pages[0]
    assert page.ocr and page.has_text_layer
    text = " ".join(p.text for p in result.segmentation.passages)
    expected = _words(" ".join(SCANNED_TEXT[1:]))
    assert len(expected & _words(text)) / len(expected) > 0.9, text
    # The large bold line is still recognised as a heading: it is the passages' chapter.
    assert result.segmentation.passages[0].chapter == [SCANNED_TEXT[0]]
    assert result.language == "en"
    themes = {t for f in result.findings for t in f.themes}
    assert {"T2", "T3"} <= themes  # migrant workers, remittances
    assert result.findings and all(f.ocr for f in result.findings)
    assert any("read by OCR" in w for w in result.warnings)


def test_without_ocr_the_unread_pages_are_listed(pdf_dir):
    result = scan(pdf_dir / "scanned.pdf", ScanOptions(classifier=False))
    assert result.findings == []
    assert any("no text layer, not read: 1 " in w and "--ocr" in w for w in result.warnings)


def test_ocr_without_tesseract_warns_with_the_pages(pdf_dir, monkeypatch):
    monkeypatch.setattr("policy_scan.ocr.tesseract_path", lambda: None)
    result = scan(pdf_dir / "scanned.pdf", ScanOptions(ocr="auto", classifier=False, parallel=False))
    assert result.findings == []
    assert [w for w in result.warnings if "1 page was not read: 1: Tesseract is not installed" in w]


@needs_tesseract
def test_ocr_flag_on_the_command_line(pdf_dir, tmp_path):
    out = tmp_path / "scan.json"
    # `--ocr` right before the file name is the flag, not a mode named like the file.
    proc = subprocess.run(
        [sys.executable, "-m", "policy_scan", "scan", "--ocr", str(pdf_dir / "scanned.pdf"), "-f", "json", "-o", out],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["document"]["ocr_pages"] == [1]
    assert data["findings"] and all(f["ocr"] for f in data["findings"])
    assert "read by OCR" in proc.stderr


@needs_tesseract
def test_simulated_scan_gives_the_findings_of_the_text_pdf():
    """Pages 1-12 of the labour migration policy, as text and as a 120-dpi scan."""
    original = result_dict(scan(shared_pdf("KHM_Labour_Migration_Policy_2015-2018.pdf"), ScanOptions(max_pages=12)))
    scanned = result_dict(
        scan(shared_pdf("DERIVED_simulated_scan_KHM_Labour_Migration_Policy_p1-12.pdf"), ScanOptions(ocr="auto"))
    )
    assert scanned["document"]["ocr_pages"] == list(range(1, 13))
    change = compare(original, scanned)
    found = len(original["findings"]) - len(change.removed)
    # Measured: all 61 original findings recovered (49 verbatim, 12 with OCR slips), none extra.
    assert found / len(original["findings"]) >= 0.9, [f["text"][:80] for f in change.removed]
    assert len(change.added) <= 3, [f["text"][:80] for f in change.added]  # footnotes, lists of figures
    verdicts = {t.theme: (t.before["verdict"], t.after["verdict"]) for t in change.themes}
    assert verdicts["T2"] == ("addressed", "addressed")  # labour migration
    assert sum(before == after for before, after in verdicts.values()) >= 15


@needs_tesseract
def test_spanish_scan_is_read_as_spanish_with_no_migration_findings():
    result = scan(shared_pdf("SLV_Decreto_Ejecutivo_57_MARN_scanned_es.pdf"), ScanOptions(ocr="auto"))
    assert [p.number for p in result.document.pages if p.ocr] == [1, 2, 3]
    assert result.language == "es"
    assert len(result.segmentation.passages) > 20  # the decree was actually read
    assert result.findings == []


@needs_tesseract
def test_ocr_under_a_time_limit_keeps_what_it_read(tmp_path):
    """A long scan with --timeout: OCR stops starting pages, the rest are listed, exit 0."""
    path = shared_pdf("DERIVED_simulated_scan_KHM_Labour_Migration_Policy_p1-12.pdf")
    out = tmp_path / "scan.json"
    command = [sys.executable, "-m", "policy_scan", "scan", str(path), "--ocr", "--timeout", "10", "-f", "json"]
    proc = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    stopped = [w for w in data["warnings"] if "OCR stopped at the time limit (--timeout)" in w]
    assert stopped, data["warnings"]
    assert len(data["document"]["ocr_pages"]) < 12


def test_footnotes_on_ocr_pages_are_told_by_their_place():
    from policy_scan.layout import drop_footnotes
    from policy_scan.model import Line, Page

    body = [
        Line(f"body line {i} of the chapter on labour migration", (67, 600 + 14 * i, 527, 611 + 14 * i), 9)
        for i in range(6)
    ]
    notes = [
        Line("1Tunon, M. 2013. Cross-border labour migration in Cambodia.", (67, 755, 528, 765), 9),
        Line("policy. ILO Regional Office for Asia and the Pacific.", (67, 767, 420, 778), 9),
    ]
    page = Page(11, 595, 842, body + notes, ocr=True)
    assert drop_footnotes(body + notes, page, 9) == body
    close = [Line("2 Remittance services will be offered in each province.", (67, 685, 528, 695), 9)]
    assert drop_footnotes(body + close, page, 9) == body + close  # no wider gap above: body text


@needs_tesseract
def test_audit_worker_passes_its_timeout_to_ocr_and_keeps_the_pages_read():
    """In an audit, OCR stops at the document's deadline instead of the whole document failing."""
    from policy_scan.audit import AuditOptions, scan_one

    path = shared_pdf("DERIVED_simulated_scan_KHM_Labour_Migration_Policy_p1-12.pdf")
    record = scan_one(str(path), "0" * 64, AuditOptions(ocr="auto", timeout=10), ("rules", "model"))
    assert record["status"] == "done", record.get("error")
    assert 0 < record["pages"] == 12
    assert record["findings"], "the pages read by OCR were checked"


def test_tesseract_out_of_memory_is_named(tmp_path):
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\necho \"terminate called after throwing 'std::bad_alloc'\" >&2\nexit 134\n")
    fake.chmod(0o755)
    with pytest.raises(RuntimeError, match="^Tesseract ran out of memory"):
        run_tesseract(str(fake), b"png", "eng")
