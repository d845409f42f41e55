"""Every expected failure is one clear line on stderr and exit code 2, never a traceback.

One parametrised test over the inputs of issue #16 that used to end in a traceback (or in
silently wrong output): broken audit stores, outputs that cannot be written, option values
from the command line and from settings files, hostile JSON Lines for classify and train,
incomplete results for diff.  Each case builds its input in a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "draft_plan.pdf"


def run(*args, cwd=ROOT, timeout=300, **kw) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "policy_scan", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout, **kw)


def one_error_line(proc: subprocess.CompletedProcess, *parts: str) -> str:
    """Exit 2 and exactly one stderr line containing every part, no traceback."""
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("policy-scan: error: ") and all(p in lines[0] for p in parts), lines[0]
    return lines[0]


def usage_error(proc: subprocess.CompletedProcess, *parts: str) -> None:
    """Click's own usage error: exit 2, the 'Error:' line naming the problem, no traceback."""
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    error = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and all(p in error[0] for p in parts), proc.stderr


@pytest.fixture(scope="module")
def material(tmp_path_factory) -> dict[str, Path]:
    """A folder with the example plan, a good audit store of it and its JSON scan result."""
    base = tmp_path_factory.mktemp("material")
    plans = base / "plans"
    plans.mkdir()
    shutil.copy(EXAMPLE, plans / "plan.pdf")
    store = base / "good.sqlite"
    proc = run("audit", plans, "--db", store, "-q", "--no-classifier", "-j", "1")
    assert proc.returncode == 0, proc.stderr
    result = base / "plan.json"
    proc = run("scan", EXAMPLE, "--no-classifier", "-f", "json", "-o", result)
    assert proc.returncode == 0, proc.stderr
    regular = base / "a-file"
    regular.write_text("not a folder\n")
    return {"plans": plans, "store": store, "result": result, "file": regular}


# -- audit stores ---------------------------------------------------------------------------


def _not_a_database(tmp: Path, m) -> Path:
    db = tmp / "notes.sqlite"
    db.write_text("these are my notes, not a database\n")
    return db


def _truncated(tmp: Path, m) -> Path:
    db = tmp / "truncated.sqlite"
    with sqlite3.connect(m["store"]) as con:  # the WAL folded in, then cut
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.write_bytes(m["store"].read_bytes()[:5000])
    return db


STORE_CASES = {
    "not a database": (_not_a_database, "not an audit store (not an SQLite database)"),
    "truncated": (_truncated, "the audit store is damaged, truncated or corrupt"),
    "missing parent folder": (lambda tmp, m: tmp / "no" / "such" / "a.sqlite", "no/such does not exist"),
    "parent is a file": (lambda tmp, m: m["file"] / "a.sqlite", "a-file is not a folder"),
}


@pytest.mark.parametrize("case", list(STORE_CASES))
def test_audit_on_a_broken_store(tmp_path, material, case):
    make, problem = STORE_CASES[case]
    db = make(tmp_path, material)
    one_error_line(run("audit", material["plans"], "--db", db, "-q", "--no-classifier"), str(db), problem)


@pytest.mark.parametrize("case", ["not a database", "truncated"])
def test_audit_export_of_a_broken_store(tmp_path, material, case):
    make, problem = STORE_CASES[case]
    db = make(tmp_path, material)
    out = tmp_path / "out.json"
    one_error_line(run("audit-export", "--db", db, "-f", "json", "-o", out), str(db), problem)
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files and folders")
def test_audit_on_a_read_only_store(tmp_path, material):
    db = tmp_path / "ro.sqlite"
    shutil.copy(material["store"], db)
    db.chmod(0o444)
    one_error_line(run("audit", material["plans"], "--db", db, "-q", "--no-classifier", "--force"), str(db))
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        one_error_line(run("audit", material["plans"], "--db", folder / "a.sqlite", "-q"), "a.sqlite")
    finally:
        folder.chmod(0o755)


# -- outputs that cannot be written -------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, target, problem",
    [
        ("json", "missing/out.json", "No such file or directory"),
        ("json", "folder", "Is a directory"),
        ("html", "folder", "Is a directory"),
        ("csv", "a-file/tables", "Not a directory"),
    ],
)
def test_audit_export_to_an_impossible_output(tmp_path, material, fmt, target, problem):
    (tmp_path / "folder").mkdir()
    shutil.copy(material["file"], tmp_path / "a-file")
    proc = run("audit-export", "--db", material["store"], "-f", fmt, "-o", target, cwd=tmp_path)
    one_error_line(proc, target, "cannot write output", problem)


def test_audit_reports_folder_that_cannot_be_made(tmp_path, material):
    reports = material["file"] / "reports"
    db = tmp_path / "a.sqlite"
    proc = run("audit", material["plans"], "--db", db, "-q", "--no-classifier", "--reports", reports)
    one_error_line(proc, str(reports), "--reports", "is not a folder")
    assert not db.exists()  # refused before any work


def test_train_into_an_impossible_place(tmp_path, material):
    one_error_line(run("train", "--no-real", "-o", material["file"] / "m.skops"), "is not a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_train_into_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        one_error_line(run("train", "--no-real", "-o", folder / "m.skops"), "permission denied")
    finally:
        folder.chmod(0o755)


# -- option values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command, option, value, problem",
    [
        ("scan", "--timeout", "1e300", "1e+300 is not in the range 0.1<=x<=1000000.0"),
        ("audit", "--timeout", "1e300", "1e+300 is not in the range"),
        ("audit", "--timeout", "inf", "'inf' is not a finite number"),
        ("audit", "--timeout", "nan", "'nan' is not a finite number"),
        ("diff", "--timeout", "1e300", "1e+300 is not in the range"),
        ("extract", "--timeout", "nan", "'nan' is not a finite number"),
    ],
)
def test_out_of_range_options(tmp_path, command, option, value, problem):
    args = {"scan": [EXAMPLE], "audit": [EXAMPLE, "--db", tmp_path / "a.sqlite"], "diff": [EXAMPLE, EXAMPLE]}
    usage_error(run(command, *args.get(command, [EXAMPLE]), option, value, timeout=60), option, problem)


@pytest.mark.parametrize(
    "content, problem",
    [
        ("timeout: .inf\n", "'timeout': inf is not a finite number"),
        ("timeout: 2024-01-01\n", "'timeout': 2024-01-01 (a date) is not a number"),
        ("scan:\n  timeout: 1e300\n", "'timeout': 1e+300 is not in the range"),
        ("max-pages: 2024-01-01\n", "'max-pages': 2024-01-01 (a date) is not a whole number"),
        ("sensitivity: .nan\n", "'sensitivity': nan is not a finite number"),
    ],
)
def test_settings_values(tmp_path, content, problem):
    (tmp_path / "policy-scan.yaml").write_text(content)
    one_error_line(run("scan", EXAMPLE, "--no-classifier", cwd=tmp_path, timeout=60), "policy-scan.yaml", problem)


# -- audit list files ----------------------------------------------------------------------------


def test_a_list_file_in_utf16_is_refused(tmp_path):
    listing = tmp_path / "plans.txt"
    listing.write_text(f"{EXAMPLE}\n", encoding="utf-16")
    proc = run("audit", listing, "--db", tmp_path / "a.sqlite", "-q", "--no-classifier")
    one_error_line(proc, str(listing), "not a list of file names")


def test_a_list_file_with_a_latin1_name_lists_it(tmp_path):
    """Bytes that are not UTF-8 in a list file are a file name, kept as its bytes."""
    name = os.fsdecode(b"plan-r\xe9fugi\xe9s.pdf")
    shutil.copy(EXAMPLE, tmp_path / name)
    listing = tmp_path / "plans.txt"
    listing.write_bytes(b"plan-r\xe9fugi\xe9s.pdf\n")
    proc = run("audit", listing, "--db", tmp_path / "a.sqlite", "-q", "--no-classifier")
    assert proc.returncode == 0 and "1 scanned" in proc.stderr, proc.stderr


# -- JSON Lines for classify and train ----------------------------------------------------------------

DEEP = "[" * 3000 + "]" * 3000
JSONL_CASES = {
    "not UTF-8": (b'{"text": "Remittances \xff rose."}\n', "not UTF-8 text"),
    "nested 3,000 deep": (('{"text": "x", "a": ' + DEEP + "}\n").encode(), ":1: JSON nested more than 100 deep"),
    "lone surrogate": (b'{"text": "Remittances \\ud800 rose."}\n', ":1: a lone surrogate escape"),
    "5,000-digit integer": (('{"text": "x", "n": ' + "9" * 5000 + "}\n").encode(), ":1: a number with too many"),
    "NaN": (b'{"text": "Remittances rose.", "x": NaN}\n', ":1: NaN is not valid JSON"),
    "Infinity": (b'{"text": "ok"}\n{"text": "Remittances rose.", "y": -Infinity}\n', ":2: -Infinity is not valid"),
    "line over 1,000,000 characters": (
        b'{"text": "ok"}\n{"text": "' + b"a " * 600_000 + b'"}\n',
        ":2: line longer than 1,000,000 characters",
    ),
}


@pytest.mark.parametrize("case", list(JSONL_CASES))
def test_classify_on_hostile_json_lines(tmp_path, case):
    content, problem = JSONL_CASES[case]
    source = tmp_path / "in.jsonl"
    source.write_bytes(content)
    out = tmp_path / "out.jsonl"
    one_error_line(run("classify", source, "--method", "rules", "-o", out, timeout=120), str(source), problem)
    assert not out.exists()
    command = [sys.executable, "-m", "policy_scan", "classify", "--method", "rules"]
    proc = subprocess.run(command, input=content, capture_output=True, cwd=ROOT, timeout=120)
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    one_error_line(proc, "<stdin>", problem.split(":")[-1].strip())


def test_classify_keeps_a_surrogate_pair_and_writes_valid_json():
    proc = run("classify", "--method", "rules", input='{"text": "Remittances \\ud83d\\ude00 rose.", "n": 1e308}\n')
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["text"] == "Remittances \U0001f600 rose." and record["relevant"] is True


@pytest.mark.parametrize("case", ["nested 3,000 deep", "5,000-digit integer", "not UTF-8"])
def test_train_on_hostile_json_lines(tmp_path, case):
    content, problem = JSONL_CASES[case]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = corpus / "bad.jsonl"
    source.write_bytes(content.replace(b'{"text"', b'{"relevant": false, "text"'))
    one_error_line(run("train", corpus, "--no-real", "-o", tmp_path / "m.skops"), str(source), problem)


# -- diff on results that are not whole -------------------------------------------------------------


def _edit(result: dict, change) -> dict:
    result = json.loads(json.dumps(result))
    change(result)
    return result


DIFF_CASES = {
    "no assessment": (lambda r: r.pop("assessment"), "no 'assessment' object"),
    "null assessment": (lambda r: r.update(assessment=None), "no 'assessment' object"),
    "no findings": (lambda r: r.pop("findings"), "no 'findings' list"),
    "finding without text": (lambda r: r["findings"][0].pop("text"), "finding 1 has no 'text'"),
    "theme with an odd verdict": (
        lambda r: r["assessment"]["themes"][0].update(verdict="maybe"),
        "unknown verdict 'maybe'",
    ),
    "page as text": (lambda r: r["findings"][0].update(page="3"), "'page' has the wrong type (str)"),
    "no document": (lambda r: r.update(document=[]), "no 'document' object"),
}


@pytest.mark.parametrize("case", list(DIFF_CASES))
def test_diff_of_an_incomplete_result(tmp_path, material, case):
    change, problem = DIFF_CASES[case]
    bad = tmp_path / "old.json"
    bad.write_text(json.dumps(_edit(json.loads(material["result"].read_text()), change)))
    one_error_line(run("diff", bad, material["result"], timeout=120), str(bad), problem)
    one_error_line(run("diff", material["result"], bad, timeout=120), str(bad), problem)


def test_diff_of_deeply_nested_json(tmp_path, material):
    bad = tmp_path / "deep.json"
    bad.write_text('{"schema_version": "1.0", "x": ' + DEEP + "}")
    one_error_line(run("diff", bad, material["result"], timeout=120), str(bad), "JSON nested more than 100 deep")


def test_evaluate_given_a_folder(tmp_path):
    one_error_line(run("evaluate", tmp_path), str(tmp_path), "is a directory")
