"""Security and data loss: model files, settings, file names, worker deaths, exports.

Each test states the attack or the loss it guards against; hostile files come from
tests/hostile.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import hostile
from conftest import ROOT
from policy_scan.cli import write_output
from policy_scan.errors import PolicyScanError
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
