"""Batch audits: mixed folders, failures recorded, resume after a kill, exports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import ROOT, shared_pdf

GOOD = [
    "BGD_ADB_Migrant_Workers_Remittances_TA_2011.pdf",
    "NAM_INDC.pdf",
    "BGD_7FYP_bg06_Mobilizing_Foreign_Resources.pdf",
    "KHM_Climate_Change_Strategic_Plan_2014-2023.pdf",
]


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policy_scan", *args], capture_output=True, text=True, timeout=600, cwd=ROOT, **kw
    )


@pytest.fixture()
def corpus_dir(tmp_path, pdf_dir):
    folder = tmp_path / "ministry"
    (folder / "sub").mkdir(parents=True)
    for i, name in enumerate(GOOD):
        shutil.copy(shared_pdf(name), folder / ("sub" if i % 2 else "") / name)
    for bad in ("corrupt.pdf", "encrypted.pdf", "not_a_pdf.pdf", "truncated.pdf"):
        shutil.copy(pdf_dir / bad, folder / bad)
    return folder


def snapshot(db) -> dict:
    """Everything a run stored, without ids, timings and timestamps."""
    con = sqlite3.connect(db)
    docs = con.execute(
        "SELECT path, sha256, pages, language, status, error, rules_version, model, score FROM documents ORDER BY path"
    ).fetchall()
    assessments = con.execute(
        "SELECT d.path, a.theme, a.verdict, a.deepest_stage, a.evidence_count, a.pages "
        "FROM assessments a JOIN documents d ON d.id = a.document_id "
        "ORDER BY d.path, a.theme"
    ).fetchall()
    findings = con.execute(
        "SELECT d.path, f.n, f.page, f.char_start, f.text, f.themes, f.stage, f.source "
        "FROM findings f JOIN documents d ON d.id = f.document_id ORDER BY d.path, f.n"
    ).fetchall()
    con.close()
    return {"documents": docs, "assessments": assessments, "findings": findings}


def test_mixed_folder_stores_every_document_and_every_failure(corpus_dir, tmp_path):
    db = tmp_path / "audit.sqlite"
    proc = run("audit", str(corpus_dir), "--db", str(db), "-j", "2", "-q")
    assert proc.returncode == 1, proc.stderr  # some failed
    assert "Traceback" not in proc.stderr
    snap = snapshot(db)
    status = {os.path.basename(p): (s, e) for p, _, _, _, s, e, _, _, _ in snap["documents"]}
    assert {name for name, (s, _) in status.items() if s == "done"} == set(GOOD)
    assert "password is required" in status["encrypted.pdf"][1]
    assert "not a PDF" in status["not_a_pdf.pdf"][1]
    assert "corrupt or truncated" in status["corrupt.pdf"][1]
    assert status["truncated.pdf"][0] == "failed"
    assert len(snap["assessments"]) == 16 * len(GOOD)
    assert any(f[0].endswith("BGD_ADB_Migrant_Workers_Remittances_TA_2011.pdf") for f in snap["findings"])
    assert "4 scanned, 0 already done, 4 failed" in proc.stderr
    again = run("audit", str(corpus_dir), "--db", str(db), "-q")
    assert "0 scanned, 4 already done, 4 failed" in again.stderr
    assert snapshot(db) == snap


def test_killed_run_resumes_to_the_same_store(corpus_dir, tmp_path):
    for bad in corpus_dir.glob("*.pdf"):
        if bad.name not in GOOD:
            bad.unlink()
    reference = tmp_path / "reference.sqlite"
    assert run("audit", str(corpus_dir), "--db", str(reference), "-j", "1", "-q").returncode == 0
    db = tmp_path / "killed.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "policy_scan", "audit", str(corpus_dir), "--db", str(db), "-j", "1", "-q"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                con = sqlite3.connect(db, timeout=1)
                done = con.execute("SELECT count(*) FROM documents WHERE status = 'done'").fetchone()[0]
                con.close()
            except sqlite3.Error:
                done = 0
            if done >= 1:
                break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 1 <= done < len(GOOD), "the run was not caught midway"
    resumed = run("audit", str(corpus_dir), "--db", str(db), "-j", "2", "-q")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(GOOD) - done} scanned" in resumed.stderr or "already done" in resumed.stderr
    assert snapshot(db) == snapshot(reference)


def test_timeout_marks_the_document_failed_and_the_run_goes_on(corpus_dir, tmp_path):
    # The 268-page plan four times over (1,072 pages) takes several seconds anywhere, while the
    # small documents take a fraction of one even on a loaded machine: the limit falls between.
    import pypdfium2 as pdfium

    plan = pdfium.PdfDocument(shared_pdf("KHM_National_Strategic_Development_Plan_2014-2018.pdf"))
    big = pdfium.PdfDocument.new()
    for _ in range(4):
        big.import_pages(plan)
    big.save(corpus_dir / "big.pdf")
    db = tmp_path / "audit.sqlite"
    run("audit", str(corpus_dir), "--db", str(db), "-j", "2", "-q", "--timeout", "2.5")
    docs = {os.path.basename(d[0]): d for d in snapshot(db)["documents"]}
    assert docs["big.pdf"][4] == "failed" and "timed out after 2.5 s" in docs["big.pdf"][5]
    assert docs["BGD_ADB_Migrant_Workers_Remittances_TA_2011.pdf"][4] == "done"


def test_exports(corpus_dir, tmp_path):
    db = tmp_path / "audit.sqlite"
    reports = tmp_path / "reports"
    run("audit", str(corpus_dir), "--db", str(db), "-q", "--reports", str(reports))
    assert run("audit-export", "--db", str(db), "-f", "csv", "-o", str(tmp_path / "csv")).returncode == 0
    header = (tmp_path / "csv" / "matrix.csv").read_text().splitlines()[0].split(",")
    assert header[:7] == ["path", "sha256", "pages", "language", "status", "error", "score"] and "T16" in header
    assert len((tmp_path / "csv" / "matrix.csv").read_text().splitlines()) == 1 + len(GOOD) + 4
    assert run("audit-export", "--db", str(db), "-f", "json", "-o", str(tmp_path / "a.json")).returncode == 0
    data = json.loads((tmp_path / "a.json").read_text())
    assert len(data["documents"]) == 8 and data["findings"]
    html = tmp_path / "index.html"
    exported = run("audit-export", "--db", str(db), "-f", "html", "-o", str(html), "--reports", str(reports))
    assert exported.returncode == 0
    text = html.read_text()
    assert text.count('<tr class="done">') == len(GOOD) and text.count('<tr class="failed">') == 4
    links = [line for line in text.splitlines() if 'href="reports/' in line]
    assert len(links) == len(GOOD)
    pq = pytest.importorskip("pyarrow.parquet")
    assert run("audit-export", "--db", str(db), "-f", "parquet", "-o", str(tmp_path / "pq")).returncode == 0
    table = pq.read_table(tmp_path / "pq" / "matrix.parquet")
    assert table.num_rows == 8 and "T16" in table.column_names
    assert pq.read_table(tmp_path / "pq" / "findings.parquet").num_rows == len(data["findings"])
    missing = run("audit-export", "--db", str(tmp_path / "nope.sqlite"), "-f", "json", "-o", str(tmp_path / "x.json"))
    assert missing.returncode == 2 and "no such audit store" in missing.stderr


def test_dask_local_cluster_fills_the_same_store(corpus_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    for bad in ("truncated.pdf", "corrupt.pdf"):
        (corpus_dir / bad).unlink()
    reference = tmp_path / "pool.sqlite"
    run("audit", str(corpus_dir), "--db", str(reference), "-j", "2", "-q")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        db = tmp_path / "dask.sqlite"
        proc = run("audit", str(corpus_dir), "--db", str(db), "--scheduler", cluster.scheduler_address, "-q")
        ran = cluster.scheduler.task_prefixes.get("scan_one")
        assert ran is not None and ran.state_counts["memory"] == len(GOOD) + 2  # every document ran on the cluster
    assert proc.returncode == 1, proc.stderr  # the encrypted file and the non-PDF fail, as with the pool
    assert snapshot(db) == snapshot(reference)


def test_unreachable_scheduler_is_a_clear_error(corpus_dir, tmp_path):
    pytest.importorskip("distributed")
    proc = run("audit", str(corpus_dir), "--db", str(tmp_path / "x.sqlite"), "--scheduler", "tcp://127.0.0.1:1", "-q")
    assert proc.returncode == 2 and "cannot reach the Dask scheduler" in proc.stderr
    assert "Traceback" not in proc.stderr
