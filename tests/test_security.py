"""Security and data loss: model files, settings, file names, worker deaths, exports.

Each test states the attack or the loss it guards against; hostile files come from
tests/hostile.py.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

import hostile
from conftest import ROOT
from policy_scan.audit import AuditOptions, run_audit
from policy_scan.cli import write_output
from policy_scan.errors import PolicyScanError
from policy_scan.extract import file_sha256
from policy_scan.store import Store


def run(*args, cwd=ROOT, timeout=300, **kw) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "policy_scan", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout, **kw)


def one_error_line(proc: subprocess.CompletedProcess, *parts: str) -> str:
    """Exit 2 and exactly one stderr line containing every part, no traceback."""
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("policy-scan: error: ") and all(p in lines[0] for p in parts), lines[0]
    return lines[0]


# -- 1. a model file must not run code ---------------------------------------------------------


def test_model_calling_exec_is_refused_by_classify_and_scan(tmp_path, example_plan):
    marker = tmp_path / "ran"
    model = hostile.skops_exec_model(tmp_path / "evil.skops", marker)
    passages = tmp_path / "p.jsonl"
    passages.write_text('{"text": "Remittances rose."}\n')
    one_error_line(run("classify", passages, "--model", model), str(model), "untrusted types: builtins.exec")
    one_error_line(run("scan", example_plan, "--model", model), str(model), "builtins.exec")
    assert not marker.exists()


def test_settings_in_a_parent_folder_are_not_read(tmp_path, example_plan):
    marker = tmp_path / "ran"
    hostile.skops_exec_model(tmp_path / "evil.skops", marker)
    (tmp_path / "policy-scan.yaml").write_text(f"max-pages: 1\nscan:\n  model: {tmp_path / 'evil.skops'}\n")
    below = tmp_path / "a" / "b"
    below.mkdir(parents=True)
    proc = run("-v", "scan", example_plan, "-f", "json", cwd=below)
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    data = json.loads(proc.stdout)
    assert data["document"]["pages"] == 9  # the parent's max-pages was not applied either
    assert data["tool"]["settings"] is None
    assert "policy-scan: settings: none" in proc.stderr


def test_the_settings_file_used_is_named(tmp_path, example_plan):
    (tmp_path / "policy-scan.yaml").write_text("max-pages: 2\n")
    proc = run("--verbose", "scan", example_plan, "-f", "json", "--no-classifier", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["document"]["pages"] == 2
    assert data["tool"]["settings"] == str(tmp_path / "policy-scan.yaml")
    assert f"policy-scan: settings: {tmp_path / 'policy-scan.yaml'}" in proc.stderr
    explicit = tmp_path / "elsewhere.yaml"
    explicit.write_text("max-pages: 3\n")
    proc = run("--config", explicit, "scan", example_plan, "-f", "json", "--no-classifier", cwd=ROOT)
    assert json.loads(proc.stdout)["tool"]["settings"] == str(explicit)


# -- 3. file names that are not UTF-8; outputs never truncated ---------------------------------

LATIN1_NAME = os.fsdecode(b"plan-r\xe9fugi\xe9s.pdf")  # Latin-1 bytes: not UTF-8


def test_audit_stores_a_non_utf8_name_losslessly(tmp_path, example_plan):
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(example_plan, folder / LATIN1_NAME)
    shutil.copy(example_plan, folder / "plain.pdf")
    db = tmp_path / "audit.sqlite"
    proc = run("audit", folder, "--db", db, "-j", "1", "-q", "--no-classifier")
    assert proc.returncode == 0, proc.stderr
    assert "2 scanned" in proc.stderr and "Traceback" not in proc.stderr
    store = Store(db)
    try:
        paths = {d["path"]: d["status"] for d in store.documents()}
    finally:
        store.close()
    assert paths == {str(folder / LATIN1_NAME): "done", str(folder / "plain.pdf"): "done"}
    again = run("audit", folder, "--db", db, "-j", "1", "-q", "--no-classifier")
    assert "0 scanned, 2 already done" in again.stderr, again.stderr
    exported = tmp_path / "a.json"
    assert run("audit-export", "--db", db, "-f", "json", "-o", exported).returncode == 0
    shown = sorted(d["path"] for d in json.loads(exported.read_text(encoding="utf-8"))["documents"])
    assert shown == [str(folder / "plain.pdf"), str(folder) + "/plan-r\\xe9fugi\\xe9s.pdf"]


def test_scan_of_a_non_utf8_name_writes_its_report(tmp_path, example_plan):
    pdf = tmp_path / LATIN1_NAME
    shutil.copy(example_plan, pdf)
    out = tmp_path / "report.json"
    out.write_text("previous report\n")
    proc = run("scan", pdf, "--no-classifier", "-f", "json", "-o", out)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["document"]["path"].endswith("plan-r\\xe9fugi\\xe9s.pdf")
    text = run("scan", pdf, "--no-classifier")
    assert text.returncode == 0 and "plan-r\\xe9fugi\\xe9s.pdf" in text.stdout
    html = run("scan", pdf, "--no-classifier", "-f", "html", "-o", tmp_path / "r.html")
    assert html.returncode == 0, html.stderr


def test_a_failed_write_leaves_the_previous_output_whole(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("previous report\n")
    with pytest.raises(PolicyScanError, match="cannot write output"):
        write_output("text that cannot be encoded: \udce9\n", str(out))
    assert out.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temporary file left
    write_output("new report\n", str(out))
    assert out.read_text() == "new report\n"


# -- processes: helpers to watch an audit's workers from outside ------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None once it is gone (or a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else (fields[0], int(fields[1]))


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == pid:
                found.append(int(entry))
    return found


def busy_workers(audit: subprocess.Popen, wanted: int, limit: float = 120) -> dict[int, list[int]]:
    """Wait until `wanted` pool workers are reading a PDF (a worker's reading child exists).

    Returns {worker pid: its children}.  Fails if the audit ends first.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and audit.poll() is None:
        busy = {w: kids for w in children(audit.pid) if (kids := children(w))}
        if len(busy) >= wanted:
            return busy
        time.sleep(0.01)
    pytest.fail(f"never saw {wanted} busy workers (audit exit code {audit.poll()})")


def slow_corpus(folder: Path, count: int) -> list[Path]:
    """Documents that take a worker a second or more to read: 10,000 pages each."""
    folder.mkdir()
    first = hostile.many_pages(folder / "doc-0.pdf", n=10000)
    made = [first]
    for i in range(1, count):
        made.append(folder / f"doc-{i}.pdf")
        shutil.copy(first, made[-1])
    return made


def stored(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as con:
        return {os.path.basename(p): (s, e) for p, s, e in con.execute("SELECT path, status, error FROM documents")}


# -- 2. a dead worker must not lose its document ----------------------------------------------


def test_a_killed_worker_fails_its_document_and_loses_nothing(tmp_path):
    docs = slow_corpus(tmp_path / "plans", 2)
    db = tmp_path / "audit.sqlite"
    command = ["audit", tmp_path / "plans", "--db", db, "-j", "1", "-q", "--no-classifier"]
    audit = subprocess.Popen(
        [sys.executable, "-m", "policy_scan", *map(str, command)], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    busy = busy_workers(audit, 1)
    os.kill(next(iter(busy)), signal.SIGKILL)
    _, err = audit.communicate(timeout=300)
    assert audit.returncode == 1, err  # a document failed
    assert "1 scanned, 0 already done, 1 failed" in err and "Traceback" not in err, err
    rows = stored(db)
    assert sorted(rows) == sorted(d.name for d in docs)
    assert sorted(s for s, _ in rows.values()) == ["done", "failed"]
    (error,) = [e for s, e in rows.values() if s == "failed"]
    assert error == "the worker process died while scanning this file (killed by SIGKILL, out of memory?)", err


def test_a_worker_killed_among_others_loses_and_blames_nobody(tmp_path):
    docs = slow_corpus(tmp_path / "plans", 3)
    db = tmp_path / "audit.sqlite"
    command = ["audit", tmp_path / "plans", "--db", db, "-j", "2", "-q", "--no-classifier"]
    audit = subprocess.Popen(
        [sys.executable, "-m", "policy_scan", *map(str, command)], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    busy = busy_workers(audit, 2)
    os.kill(next(iter(busy)), signal.SIGKILL)
    _, err = audit.communicate(timeout=300)
    # Which of the two in flight killed the worker is unknown: both are scanned again alone.
    assert audit.returncode == 0, err
    assert "3 scanned, 0 already done, 0 failed" in err, err
    assert "a worker process died with 2 documents in flight; each was scanned again on its own" in err
    assert stored(db) == {d.name: ("done", None) for d in docs}


def test_documents_are_pending_from_the_start(tmp_path, example_plan):
    """A run cut short (here: the audit process killed) leaves its documents pending, never absent."""
    docs = slow_corpus(tmp_path / "plans", 3)
    db = tmp_path / "audit.sqlite"
    command = ["audit", tmp_path / "plans", "--db", db, "-j", "1", "-q", "--no-classifier"]
    audit = subprocess.Popen([sys.executable, "-m", "policy_scan", *map(str, command)], cwd=ROOT)
    busy = busy_workers(audit, 1)
    audit.kill()
    audit.wait()
    for pid in busy:  # workers die with the audit (test_workers_die_with_a_killed_audit); make sure
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    rows = stored(db)
    assert sorted(rows) == sorted(d.name for d in docs)
    assert {s for s, _ in rows.values()} <= {"pending", "done"} and "pending" in {s for s, _ in rows.values()}
    resumed = run("audit", tmp_path / "plans", "--db", db, "-j", "1", "-q", "--no-classifier")
    assert resumed.returncode == 0, resumed.stderr
    assert stored(db) == {d.name: ("done", None) for d in docs}


# -- 8. workers die with the audit process ----------------------------------------------------


def test_workers_die_with_a_killed_audit(tmp_path):
    slow_corpus(tmp_path / "plans", 4)
    command = ["audit", tmp_path / "plans", "--db", tmp_path / "a.sqlite", "-j", "2", "-q", "--no-classifier"]
    audit = subprocess.Popen([sys.executable, "-m", "policy_scan", *map(str, command)], cwd=ROOT)
    busy = busy_workers(audit, 2)
    left = set(busy) | {kid for kids in busy.values() for kid in kids}
    audit.kill()  # kill -9 of the parent alone
    audit.wait()
    try:
        deadline = time.monotonic() + 60  # a bound for the test, not a measure: death is immediate
        while left and time.monotonic() < deadline:
            left = {pid for pid in left if _stat(pid) is not None}
            time.sleep(0.05)
        assert not left, f"pool workers outlived the audit: {sorted(left)}"
    finally:
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


# -- 4. a file changed during the audit keeps the hash of what was scanned --------------------


def test_a_file_changed_after_listing_is_stored_with_the_hash_of_what_was_read(tmp_path, example_plan, pdf_dir):
    folder = tmp_path / "plans"
    folder.mkdir()
    target = folder / "plan.pdf"
    shutil.copy(pdf_dir / "running.pdf", target)
    first = file_sha256(target)

    def replace_after_listing(total):  # called once the folder is listed and hashed
        shutil.copy(example_plan, target)

    store = Store(tmp_path / "audit.sqlite")
    try:
        run_audit(folder, store, AuditOptions(jobs=1, classifier=False), replace_after_listing)
        (doc,) = store.documents()
        assert doc["status"] == "done" and doc["pages"] == 9  # the example plan's findings ...
        assert doc["sha256"] == file_sha256(example_plan)  # ... under the example plan's hash
        shutil.copy(pdf_dir / "running.pdf", target)  # the first content again: not "already done"
        assert file_sha256(target) == first
        summary = run_audit(folder, store, AuditOptions(jobs=1, classifier=False))
        assert (summary.done, summary.skipped) == (1, 0)
        (doc,) = store.documents()
        assert doc["sha256"] == first and doc["pages"] != 9
    finally:
        store.close()


# -- 5. a report that cannot be written costs the report, not the scan ------------------------


def test_a_failed_report_write_keeps_the_scan(tmp_path, example_plan):
    folder = tmp_path / "plans"
    folder.mkdir()
    long_name = "\U0001d510" * 60 + ".pdf"  # 60 four-byte letters: its report name is 256 bytes
    shutil.copy(example_plan, folder / long_name)
    hostile.cropbox_outside_mediabox(folder / "cropped.pdf")
    reports = tmp_path / "reports"
    db = tmp_path / "audit.sqlite"
    proc = run("audit", folder, "--db", db, "-q", "--reports", reports, "--no-classifier")
    assert proc.returncode == 0, proc.stderr
    assert "2 scanned, 0 already done, 0 failed" in proc.stderr and "Traceback" not in proc.stderr
    assert f"policy-scan: warning: {folder / long_name}: HTML report not written (File name too long)" in proc.stderr
    with sqlite3.connect(db) as con:
        rows = {
            os.path.basename(p): (s, json.loads(w or "[]"))
            for p, s, w in con.execute("SELECT path, status, warnings FROM documents")
        }
        findings = dict(
            con.execute(
                "SELECT d.path, count(*) FROM findings f JOIN documents d ON d.id = f.document_id GROUP BY d.path"
            )
        )
    assert rows[long_name][0] == "done" and "HTML report not written (File name too long)" in rows[long_name][1]
    assert findings[str(folder / long_name)] > 0  # the scan itself is stored
    assert rows["cropped.pdf"][0] == "done"
    assert any("not drawn in the report (Crop exceeds page dimensions)" in w for w in rows["cropped.pdf"][1])
    written = list(reports.iterdir())
    assert [p.name.startswith("cropped-") for p in written] == [True]  # no other file, no 0-byte file
    assert written[0].stat().st_size > 0


def test_scan_html_of_a_page_that_cannot_be_drawn(tmp_path):
    pdf = hostile.cropbox_outside_mediabox(tmp_path / "cropped.pdf")
    proc = run("scan", pdf, "--no-classifier", "-f", "html", "-o", tmp_path / "r.html")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "1 page was not drawn in the report (Crop exceeds page dimensions): 1" in proc.stderr
    assert "reintegration" in (tmp_path / "r.html").read_text(encoding="utf-8")


# -- 6. a folder that cannot be read is a failure, not a silence ------------------------------


def test_an_unreadable_subfolder_is_listed_as_failed(tmp_path, example_plan, monkeypatch):
    folder = tmp_path / "plans"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(example_plan, folder / "plan.pdf")
    shutil.copy(example_plan, folder / "locked" / "hidden.pdf")
    locked = folder / "locked"
    if os.geteuid() == 0:  # root reads any folder: refuse it the way the kernel would
        real_scandir = os.scandir

        def scandir(path="."):
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        locked.chmod(0)
    store = Store(tmp_path / "audit.sqlite")
    try:
        summary = run_audit(folder, store, AuditOptions(jobs=1, classifier=False))
        rows = {d["path"]: (d["status"], d["error"]) for d in store.documents()}
    finally:
        store.close()
        locked.chmod(0o755)
    assert rows == {
        str(folder / "plan.pdf"): ("done", None),
        str(locked): ("failed", "cannot read folder (Permission denied)"),
    }
    assert (summary.total, summary.done, summary.failed) == (2, 1, 1)
    assert summary.failures == [(str(locked), "cannot read folder (Permission denied)")]


# -- 7. hostile file names and PDF text in HTML and CSV outputs -------------------------------

HOSTILE_NAMES = [
    "javascript:alert(1).pdf",
    "Plan:2024.pdf",
    "plan #2.pdf",
    "plan?v=2.pdf",
    '"><img src=x onerror=alert(1)>.pdf',
]


def csp_of(html: str) -> str:
    found = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert len(found) == 1, "one Content-Security-Policy meta tag"
    return found[0]


def assert_strict_csp(html: str) -> None:
    policy = dict(part.strip().split(" ", 1) for part in csp_of(html).split(";"))
    assert policy["default-src"] == "'none'"
    for source in ("script-src", "style-src"):  # the file's own blocks by hash, or nothing
        tokens = policy[source].split()
        assert tokens == ["'none'"] or all(t.startswith("'sha256-") for t in tokens), policy[source]
    # No tag carries what the policy would block: inline styles or event handlers.
    assert not re.search(r"<[^>]*\s(style|on[a-z]+)\s*=", html), re.search(r"<[^>]*\s(style|on[a-z]+)\s*=", html)


def audit_export(tmp_path, folder) -> tuple[Path, str]:
    db, reports, index = tmp_path / "audit.sqlite", tmp_path / "reports", tmp_path / "index.html"
    proc = run("audit", folder, "--db", db, "-q", "--no-classifier", "--reports", reports)
    assert proc.returncode == 0, proc.stderr
    assert run("audit-export", "--db", db, "-f", "html", "-o", index, "--reports", reports).returncode == 0
    return index, index.read_text(encoding="utf-8")


def test_audit_export_links_are_encoded_and_resolve(tmp_path, example_plan):
    folder = tmp_path / "plans"
    folder.mkdir()
    for name in HOSTILE_NAMES:
        shutil.copy(example_plan, folder / name)
    index, html = audit_export(tmp_path, folder)
    assert_strict_csp(html)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert len(hrefs) == len(HOSTILE_NAMES)
    for href in hrefs:
        assert urllib.parse.urlsplit(href).scheme == "" and "#" not in href and "?" not in href, href
        assert (index.parent / urllib.parse.unquote(href)).is_file(), href  # no dead link
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_scan_and_diff_html_escape_hostile_file_names(tmp_path, example_plan):
    name = '"><img src=x onerror=alert(1)>.pdf'
    old, new = tmp_path / name, tmp_path / ("javascript:alert(1)" + name)
    shutil.copy(example_plan, old)
    shutil.copy(example_plan, new)
    assert run("scan", old, "--no-classifier", "-f", "html", "-o", tmp_path / "r.html").returncode == 0
    assert run("diff", old, new, "--no-classifier", "-f", "html", "-o", tmp_path / "d.html").returncode == 0
    for output in ("r.html", "d.html"):
        html = (tmp_path / output).read_text(encoding="utf-8")
        assert_strict_csp(html)
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_findings_csv_does_not_start_with_a_formula(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    hostile.formula_text(folder / "formulas.pdf")
    db = tmp_path / "audit.sqlite"
    assert run("audit", folder, "--db", db, "-q", "--no-classifier").returncode == 0
    assert run("audit-export", "--db", db, "-f", "csv", "-o", tmp_path / "csv").returncode == 0
    with open(tmp_path / "csv" / "findings.csv", newline="", encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    assert sorted(texts) == sorted("'" + line for line in hostile.FORMULAS)
    exported = tmp_path / "a.json"
    assert run("audit-export", "--db", db, "-f", "json", "-o", exported).returncode == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert sorted(f["text"] for f in data["findings"]) == sorted(hostile.FORMULAS)  # JSON keeps the text as is


def test_spreadsheet_safe_cells():
    from policy_scan.export import spreadsheet_safe

    assert [spreadsheet_safe(v) for v in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "plan", 3.5, None)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@A1",
        "'\tx",
        "'\rx",
        "plan",
        3.5,
        None,
    ]


# -- numbers that are not numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "option, value, problem",
    [
        ("--timeout", "inf", "'inf' is not a finite number"),
        ("--timeout", "nan", "'nan' is not a finite number"),
        ("--sensitivity", "nan", "'nan' is not a finite number"),
        ("--fail-under", "nan", "'nan' is not a finite number"),
        ("--max-pages", "1.5", "'1.5' is not a valid integer"),
    ],
)
def test_non_finite_and_fractional_options_are_refused(example_plan, option, value, problem):
    proc = run("scan", example_plan, "--no-classifier", option, value)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"Error: Invalid value for '{option}': {problem}" in proc.stderr, proc.stderr


# -- inputs that are not regular files ----------------------------------------------------------


@pytest.fixture()
def fifo(tmp_path) -> Path:
    path = tmp_path / "pipe.pdf"
    os.mkfifo(path)
    return path


def test_fifos_and_devices_are_refused_not_read(tmp_path, fifo, example_plan):
    # Each of these would block on the FIFO or read /dev/zero forever: `timeout` ends the test if so.
    one_error_line(run("scan", fifo, timeout=60), str(fifo), "not a regular file (a FIFO)")
    one_error_line(run("extract", "/dev/zero", timeout=60), "/dev/zero", "not a regular file (a device)")
    one_error_line(run("--config", fifo, "scan", example_plan, timeout=60), str(fifo), "not a regular file (a FIFO)")
    one_error_line(run("--config", "/dev/zero", "scan", example_plan, timeout=60), "not a regular file (a device)")
    one_error_line(run("classify", fifo, timeout=60), str(fifo), "not a regular file (a FIFO)")
    one_error_line(run("evaluate", fifo, timeout=60), str(fifo), "not a regular file (a FIFO)")
    json_fifo = tmp_path / "old.json"
    os.mkfifo(json_fifo)
    one_error_line(run("diff", json_fifo, example_plan, timeout=60), str(json_fifo), "not a regular file (a FIFO)")


def test_an_audit_lists_a_fifo_as_failed_and_goes_on(tmp_path, example_plan):
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(example_plan, folder / "plan.pdf")
    os.mkfifo(folder / "pipe.pdf")
    listing = tmp_path / "list.txt"
    listing.write_text(f"{folder / 'plan.pdf'}\n/dev/zero\n")
    for source, bad in ((folder, str(folder / "pipe.pdf")), (listing, "/dev/zero")):
        db = tmp_path / f"{source.name}.sqlite"
        proc = run("audit", source, "--db", db, "-q", "--no-classifier", timeout=120)
        assert proc.returncode == 1 and "1 scanned, 0 already done, 1 failed" in proc.stderr, proc.stderr
        with sqlite3.connect(db) as con:
            rows = dict(con.execute("SELECT path, error FROM documents WHERE status = 'failed'"))
        assert rows == {bad: f"not a regular file ({'a FIFO' if 'pipe' in bad else 'a device'})"}
    fifo_list = tmp_path / "list-fifo.txt"
    os.mkfifo(fifo_list)
    one_error_line(run("audit", fifo_list, "--db", tmp_path / "x.sqlite", timeout=60), "not a regular file (a FIFO)")


# -- YAML aliases: billion laughs and cycles ------------------------------------------------------

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n" for prev, name in zip("abcdef", "bcdefg")
)  # 9**7 items once expanded (kept small enough that a regression fails the test, not the machine)


@pytest.mark.parametrize(
    "content, line, alias",
    [
        (LAUGHS, 2, "a"),
        ("scan: &s\n  x: *s\n", 2, "s"),
        ("timeout: 60\nscan:\n  <<: &d {ocr: auto}\nextract: *d\n", 4, "d"),
    ],
)
def test_settings_with_yaml_aliases_are_refused(tmp_path, example_plan, content, line, alias):
    settings = tmp_path / "policy-scan.yaml"
    settings.write_text(content)
    proc = run("scan", example_plan, cwd=tmp_path, timeout=60)
    one_error_line(proc, f"{settings}:{line}: YAML aliases are not allowed (*{alias})")


def test_rule_files_with_yaml_aliases_are_refused(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = rules / "en" / "T03_remittances.yaml"
    text = target.read_text()
    text = text.replace("    patterns:\n", "    patterns: &p\n", 1).replace("    patterns:\n", "    patterns: *p\n", 1)
    target.write_text(text)
    proc = run("rules", "validate", "--rules", rules, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line = text.splitlines().index("    patterns: *p") + 1
    assert f"{target}:{line}: YAML aliases are not allowed (*p)" in proc.stderr, proc.stderr


# -- rule patterns: the expansion is counted before it is built --------------------------------


def test_a_pattern_with_too_many_expansions_is_refused_before_expanding(tmp_path):
    """30 positions each mixing a lemma, a prefix and an exact form: 3**30 Matcher patterns.

    Run under a 1 GB address-space cap: building them first fails with MemoryError there.
    """
    code = (
        "import resource, sys\n"
        "from policy_scan.detection.pipeline import pipeline\n"
        "from policy_scan.detection.patterns import PatternError, compile_pattern\n"
        "nlp = pipeline('en')\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "try:\n"
        "    compile_pattern(' '.join(['migrant|migra*|=IDP'] * 30), nlp)\n"
        "except PatternError as exc:\n"
        "    print(exc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "pattern mixes too many kinds of alternatives (over 64 expansions)"
