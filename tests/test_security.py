"""Security and data loss: model files, settings, file names, worker deaths, exports.

Each test states the attack or the loss it guards against; hostile files come from
tests/hostile.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import hostile
from conftest import ROOT


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
