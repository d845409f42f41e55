"""Right answers (issue #16): results shaped by other settings are not kept as done, warnings
reach the store and the exports, deleted files are flagged or pruned, and odd file names and
files get their true reason in one line."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import hostile
from conftest import ROOT
from policy_scan.store import Store

EXAMPLE = ROOT / "examples" / "draft_plan.pdf"


def run(*args, cwd=ROOT, timeout=300, **kw) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "policy_scan", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout, **kw)


def one_error_line(proc: subprocess.CompletedProcess, *parts: str) -> str:
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("policy-scan: error: "), proc.stderr
    assert all(p in lines[0] for p in parts), lines[0]
    return lines[0]


@pytest.fixture()
def plans(tmp_path) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    hostile.many_pages(folder / "long.pdf", 30)
    shutil.copy(EXAMPLE, folder / "plan.pdf")
    return folder


def audit(plans: Path, db: Path, *extra) -> subprocess.CompletedProcess:
    proc = run("audit", plans, "--db", db, "-q", "--no-classifier", "-j", "1", *extra)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_a_rerun_with_more_pages_does_not_keep_the_truncated_result(tmp_path, plans):
    db = tmp_path / "audit.sqlite"
    assert "2 scanned" in audit(plans, db, "--max-pages", "5").stderr
    assert "0 scanned, 2 already done" in audit(plans, db, "--max-pages", "5").stderr
    assert "2 scanned, 0 already done" in audit(plans, db).stderr  # the default: 10,000 pages
    with sqlite3.connect(db) as con:
        rows = dict(con.execute("SELECT path, settings FROM documents"))
    assert set(rows.values()) == {"max-pages 10000, ocr off"}


def test_warnings_go_into_the_store_and_every_export(tmp_path, plans):
    db = tmp_path / "audit.sqlite"
    audit(plans, db, "--max-pages", "5")
    truncated = "the PDF has 30 pages; only the first 5 were read"
    with sqlite3.connect(db) as con:
        stored = dict(con.execute("SELECT path, warnings FROM documents"))
    assert truncated in json.loads(stored[str(plans / "long.pdf")])[0]
    assert run("audit-export", "--db", db, "-f", "json", "-o", tmp_path / "a.json").returncode == 0
    documents = {d["path"]: d for d in json.loads((tmp_path / "a.json").read_text())["documents"]}
    long = documents[str(plans / "long.pdf")]
    assert truncated in long["warnings"] and long["settings"] == "max-pages 5, ocr off" and long["file_exists"]
    assert run("audit-export", "--db", db, "-f", "csv", "-o", tmp_path / "csv").returncode == 0
    with open(tmp_path / "csv" / "matrix.csv", newline="", encoding="utf-8") as fh:
        rows = {r["path"]: r for r in csv.DictReader(fh)}
    assert truncated in rows[str(plans / "long.pdf")]["warnings"]


def test_deleted_and_renamed_files_are_flagged_then_pruned(tmp_path, plans):
    db = tmp_path / "audit.sqlite"
    audit(plans, db)
    (plans / "plan.pdf").rename(plans / "plan-v2.pdf")
    (plans / "long.pdf").unlink()
    assert run("audit-export", "--db", db, "-f", "json", "-o", tmp_path / "a.json").returncode == 0
    exists = {d["path"]: d["file_exists"] for d in json.loads((tmp_path / "a.json").read_text())["documents"]}
    assert exists == {str(plans / "plan.pdf"): False, str(plans / "long.pdf"): False}
    proc = audit(plans, db, "--prune")
    assert "1 scanned" in proc.stderr
    assert f"pruned: {plans / 'plan.pdf'} (no longer exists)" in proc.stderr
    assert f"pruned: {plans / 'long.pdf'} (no longer exists)" in proc.stderr
    store = Store(db)
    try:
        assert [d["path"] for d in store.documents()] == [str(plans / "plan-v2.pdf")]
        assert not store.findings() or {f["path"] for f in store.findings()} == {str(plans / "plan-v2.pdf")}
    finally:
        store.close()


def test_a_store_without_the_settings_column_is_upgraded(tmp_path, plans):
    db = tmp_path / "audit.sqlite"
    audit(plans, db)
    with sqlite3.connect(db) as con:
        con.execute("ALTER TABLE documents DROP COLUMN settings")  # as an earlier version wrote it
    proc = audit(plans, db)
    assert "2 scanned, 0 already done" in proc.stderr  # made with unknown settings: scanned again
    assert "0 scanned, 2 already done" in audit(plans, db).stderr


def test_a_newline_in_a_file_name_stays_on_one_line(tmp_path):
    bad = tmp_path / "plan\nv2.pdf"
    bad.write_text("not a pdf")
    one_error_line(run("scan", bad), "plan\\nv2.pdf: not a PDF (no %PDF- header)")
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(bad, folder / bad.name)
    proc = run("audit", folder, "--db", tmp_path / "a.sqlite", "-q", "--no-classifier")
    failed = [line for line in proc.stderr.splitlines() if line.startswith("policy-scan: failed:")]
    assert failed == [f"policy-scan: failed: {folder}/plan\\nv2.pdf: not a PDF (no %PDF- header)"], proc.stderr


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda tmp: "/proc/version", "a virtual file (size 0 on disk, as in /proc or /sys), not a PDF"),
        (lambda tmp: "/proc/self/status", "a virtual file"),
        (
            lambda tmp: (os.symlink("loop-b.pdf", tmp / "loop-a.pdf"), os.symlink("loop-a.pdf", tmp / "loop-b.pdf"))
            and tmp / "loop-a.pdf",
            "cannot read file (Too many levels of symbolic links)",
        ),
        (lambda tmp: (os.symlink("gone.pdf", tmp / "dangling.pdf"), tmp / "dangling.pdf")[1], "no such file"),
    ],
    ids=["proc-version", "proc-status", "symlink-loop", "dangling-link"],
)
def test_odd_files_get_their_true_reason(tmp_path, make, problem):
    path = make(tmp_path)
    if not Path(path).parent.exists():
        pytest.skip("no /proc here")
    one_error_line(run("scan", path), str(path), problem)
    listing = tmp_path / "list.txt"
    listing.write_text(f"{path}\n")
    proc = run("audit", listing, "--db", tmp_path / "a.sqlite", "-q", "--no-classifier")
    assert proc.returncode == 1 and f"policy-scan: failed: {path}: {problem}" in proc.stderr, proc.stderr
