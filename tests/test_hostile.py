"""Hostile and odd input: every case ends in a clear error or warning, the documented exit
code, no traceback and no hang past the limit.  (Missing, empty, non-PDF, truncated and
encrypted files are covered in test_cli.py.)"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

import hostile


def run(*args, timeout=180) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "policy_scan", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def scan_json(path, *args) -> tuple[dict, list[str]]:
    """Scan to JSON; returns the result and the warning lines, after checking exit 0."""
    proc = run("scan", path, "--no-classifier", "-f", "json", *args)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    warnings = proc.stderr.strip().splitlines()
    assert all(line.startswith(f"policy-scan: warning: {path}: ") for line in warnings), proc.stderr
    return json.loads(proc.stdout), warnings


def assert_error(proc: subprocess.CompletedProcess, path, problem: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [lines[0]] and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"policy-scan: error: {path}: ") and problem in lines[0], lines[0]
    assert proc.stdout == ""


def assert_sentence_found(result: dict) -> None:
    """The one readable sentence of the hostile files comes through as return/reintegration evidence."""
    assert any("T5" in f["themes"] and "reintegration" in f["text"] for f in result["findings"]), result["findings"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    makers = [
        hostile.zero_pages,
        hostile.cyclic_outline,
        hostile.deep_outline,
        hostile.huge_page,
        hostile.unmapped_font,
        hostile.javascript,
        hostile.corrupt_xref,
        hostile.broken_page,
        hostile.garbage_bytes,
        hostile.nested_forms,
    ]
    made = {make.__name__: make(folder / f"{make.__name__}.pdf") for make in makers}
    made["many_pages"] = hostile.many_pages(folder / "many_pages.pdf", n=3000)
    made["bomb"] = hostile.decompression_bomb(folder / "bomb.pdf", expanded_mb=768)
    return made


def test_zero_pages(files):
    assert_error(run("scan", files["zero_pages"]), files["zero_pages"], "no valid page tree")


def test_random_bytes_behind_a_pdf_header(files):
    assert_error(run("scan", files["garbage_bytes"]), files["garbage_bytes"], "corrupt or truncated")


def test_corrupt_xref_is_repaired_and_read(files):
    result, _ = scan_json(files["corrupt_xref"])
    assert_sentence_found(result)
    # pdfminer reads no pages here without saying so: the other engine must say it.
    proc = run("scan", files["corrupt_xref"], "--engine", "pdfplumber")
    assert_error(proc, files["corrupt_xref"], "pdfplumber finds no pages in this damaged file; try --engine pdfium")


@pytest.mark.parametrize(
    "name, warning",
    [
        ("cyclic_outline", "the PDF's outline (bookmarks) loops back on itself; the loop was cut"),
        ("javascript", "the PDF contains 1 JavaScript action(s); they were ignored, not run"),
        ("broken_page", "page 1 could not be loaded (damaged), skipped"),
    ],
)
def test_odd_structure_is_read_with_a_warning(files, name, warning):
    result, warnings = scan_json(files[name])
    assert_sentence_found(result)
    assert any(w.endswith(warning) for w in warnings), warnings


def test_deeply_nested_outline_stays_bounded(files):
    result, _ = scan_json(files["deep_outline"])
    assert_sentence_found(result)
    assert len(result["outline"]) <= 8  # depth-limited, not 5,000 chapters deep


def test_huge_page_is_read_and_its_image_stays_small(files, tmp_path):
    result, _ = scan_json(files["huge_page"])
    assert_sentence_found(result)
    report = tmp_path / "huge.html"
    proc = run("scan", files["huge_page"], "--no-classifier", "-f", "html", "-o", report)
    assert proc.returncode == 0, proc.stderr
    assert report.stat().st_size < 2_000_000


def test_fonts_without_unicode_mapping_are_detected_not_read(files):
    result, warnings = scan_json(files["unmapped_font"])
    assert any("garbled text" in w and "not read: 1 " in w and "--ocr" in w for w in warnings), warnings
    assert result["document"]["garbled_pages"] == [1]
    assert {f["page"] for f in result["findings"]} == {2}  # the readable page still counts
    assert_sentence_found(result)


def test_text_in_forms_nested_deeper_than_pdfium_reads_is_read(files):
    # pdfium stops at its form-nesting limit and sees an empty page; pdfplumber reads it again
    result, warnings = scan_json(files["nested_forms"])
    assert any("pdfium found no text on page(s) 1" in w and "pdfplumber" in w for w in warnings), warnings
    assert result["document"]["pages_without_text"] == []
    assert_sentence_found(result)


def test_thousands_of_pages_and_the_page_limit(files):
    result, warnings = scan_json(files["many_pages"])
    assert result["document"]["pages"] == 3000
    # The same line at the same place on every page is a running header, so no evidence.
    assert result["findings"] == [] and not warnings
    result, warnings = scan_json(files["many_pages"], "--max-pages", "100")
    assert result["document"]["pages"] == 100
    assert any("3000 pages; only the first 100 were read" in w for w in warnings)


def test_decompression_bomb_hits_the_memory_limit(files):
    proc = run("scan", files["bomb"], "--max-memory", "256")
    assert_error(proc, files["bomb"], "--max-memory 256")


def test_decompression_bomb_hits_the_time_limit(files):
    proc = run("scan", files["bomb"], "--timeout", "0.5", "--max-memory", "8192", timeout=60)
    assert_error(proc, files["bomb"], "timed out after 0.5 s reading the PDF")


def test_a_batch_of_hostile_files_loses_nothing_else(files, example_plan, tmp_path):
    listing = tmp_path / "batch.txt"
    names = ["zero_pages", "garbage_bytes", "bomb", "unmapped_font", "javascript", "cyclic_outline"]
    listing.write_text("\n".join([str(example_plan)] + [str(files[n]) for n in names]) + "\n")
    db = tmp_path / "audit.sqlite"
    proc = run("audit", listing, "--db", db, "-j", "2", "--max-memory", "1024", "--no-classifier", "-q", timeout=600)
    assert proc.returncode == 1, proc.stderr  # some failed, each recorded
    assert "Traceback" not in proc.stderr
    with sqlite3.connect(db) as con:
        rows = dict(con.execute("SELECT path, status FROM documents"))
    assert len(rows) == 7
    assert rows[str(example_plan)] == "done"
    assert [rows[str(files[n])] for n in names] == ["failed", "failed", "failed", "done", "done", "done"]


def test_malformed_corpus_file_is_file_and_line(tmp_path):
    corpus = tmp_path / "labelled.jsonl"
    good = '{"text": "Remittances rose.", "relevant": true, "themes": ["T3"]}'
    corpus.write_text(good + '\n{"text": "x", "relevant": 1}\n')
    for command in (["evaluate", corpus], ["train", corpus, "-o", tmp_path / "m.skops"]):
        proc = run(*command)
        assert_error(proc, f"{corpus}:2", "'relevant' must be true or false")


def test_hostile_files_on_a_dask_cluster_keep_the_limits(files, example_plan, tmp_path):
    """Dask workers are daemonic and may not fork: the PDF is read in a spawned child there,
    under the same limits, so a bomb costs its document, not the worker and its other tasks."""
    distributed = pytest.importorskip("distributed")
    listing = tmp_path / "batch.txt"
    names = ["bomb", "garbage_bytes", "javascript"]
    listing.write_text("\n".join([str(example_plan)] + [str(files[n]) for n in names]) + "\n")
    db = tmp_path / "dask.sqlite"
    common = ["--db", db, "--no-classifier", "-q"]
    # One worker with two threads: the bomb shares its process with the other documents.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            workers = set(client.scheduler_info()["workers"])
            proc = run("audit", listing, *common, "--scheduler", cluster.scheduler_address, "--max-memory", "256")
            timed = run(
                "audit", files["bomb"], *common, "--scheduler", cluster.scheduler_address,
                "--timeout", "1", "--max-memory", "8192",
            )  # fmt: skip
            assert set(client.scheduler_info()["workers"]) == workers  # none lost, none restarted
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    with sqlite3.connect(db) as con:
        rows = {
            path: (status, error) for path, status, error in con.execute("SELECT path, status, error FROM documents")
        }
    assert rows[str(example_plan)] == ("done", None)
    assert rows[str(files["javascript"])] == ("done", None)
    assert rows[str(files["garbage_bytes"])][0] == "failed"
    assert timed.returncode == 1, timed.stderr
    assert rows[str(files["bomb"])] == (
        "failed",
        "timed out after 1 s reading the PDF (raise the limit with --timeout)",
    )
    assert "--max-memory 256" in proc.stderr or "memory limit of 256 MB" in proc.stderr, proc.stderr


def test_a_pdf_engine_crash_while_measuring_evidence_costs_only_the_boxes(example_plan, monkeypatch):
    """pdfium opens the PDF a second time to measure each finding's boxes and draw its page.
    That runs in a guarded child too: if the engine dies there (here: killed by SIGSEGV, as a
    malformed page can make it), the scan keeps its findings with the extractor's boxes."""
    import faulthandler
    import os
    import signal

    from policy_scan import pages
    from policy_scan.scan import ScanOptions, scan

    whole = scan(example_plan, ScanOptions(page_images=True))
    assert whole.findings and not any("evidence not measured" in w for w in whole.warnings)

    def crash(*args, **kwargs):
        faulthandler.disable()  # pytest's dump of the child's "fatal error" would only be noise
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(pages, "text_boxes", crash)  # the forked child inherits the patch
    hurt = scan(example_plan, ScanOptions(page_images=True))
    assert [(f.page, f.text, f.themes) for f in hurt.findings] == [(f.page, f.text, f.themes) for f in whole.findings]
    assert all(f.boxes for f in hurt.findings)  # the extractor's line boxes
    assert [w for w in hurt.warnings if "evidence not measured on the pages" in w and "SIGSEGV" in w]
    assert hurt.page_images == []
