"""policy-scan.yaml: settings as command-line defaults, errors as file:line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from policy_scan.cli import main
from policy_scan.config import ConfigError, load_config


def run(*args, cwd):
    command = [sys.executable, "-m", "policy_scan", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


def test_settings_become_defaults_per_command(tmp_path):
    path = tmp_path / "policy-scan.yaml"
    path.write_text("ocr: auto\ntimeout: 120\nmax_pages: 50\nscan:\n  sensitivity: 0.3\n  lang-ui: auto\n")
    defaults = load_config(path, main)
    assert defaults["scan"] == {"ocr": "auto", "timeout": 120.0, "max_pages": 50, "sensitivity": 0.3, "lang_ui": "auto"}
    assert defaults["extract"] == {"ocr": "auto", "timeout": 120.0, "max_pages": 50}
    assert "sensitivity" not in defaults.get("audit", {})


def test_yaml_off_means_off(tmp_path):
    path = tmp_path / "policy-scan.yaml"
    path.write_text("ocr: off\n")
    assert load_config(path, main)["scan"]["ocr"] == "off"


@pytest.mark.parametrize(
    "content, line, problem",
    [
        ("ocr: auto\ncolour: red\n", 2, "unknown setting 'colour'"),
        ("timeout: soon\n", 1, "'timeout': 'soon' is not a valid float"),
        ("scan:\n  ocr: sometimes\n", 2, "'ocr': 'sometimes' is not one of"),
        ("scan:\n  jobs: 4\n", 2, "unknown setting 'jobs' for 'scan'"),
        ("ocr: [auto\n", 2, "invalid YAML"),
        ("ocr: auto\ntimeout:\n", 2, "'timeout' needs a value"),
        ("timeout: [60, 120]\n", 1, "'timeout' takes one value, not a list"),
        ("scan:\n  timeout: {a: 1}\n", 2, "'timeout' takes a value, not a mapping"),
        ("format: pdf\n", 1, "'format': 'pdf' is not one of"),
        ("max-pages: 1.5\n", 1, "'max-pages': 1.5 is not a whole number"),
        ("max-pages: yes\n", 1, "'max-pages': True is not a whole number"),
        ("timeout: .inf\n", 1, "'timeout': inf is not a finite number"),
        ("scan:\n  sensitivity: .nan\n", 2, "'sensitivity': nan is not a finite number"),
    ],
)
def test_bad_settings_are_reported_with_file_and_line(tmp_path, content, line, problem):
    path = tmp_path / "policy-scan.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_config(path, main)
    assert info.value.line == line and problem in info.value.problem, str(info.value)
    proc = run("scan", "plan.pdf", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"policy-scan: error: {info.value}"]


def test_yaml_yes_and_scalars_for_repeatable_options(tmp_path):
    path = tmp_path / "policy-scan.yaml"
    path.write_text("ocr: yes\nscan:\n  select: T2\n")
    defaults = load_config(path, main)
    assert defaults["scan"]["ocr"] == "auto"
    assert defaults["scan"]["select"] == ["T2"]


def test_a_shared_key_applies_where_its_value_is_valid(tmp_path):
    path = tmp_path / "policy-scan.yaml"
    path.write_text("format: html\n")
    defaults = load_config(path, main)
    assert defaults["scan"]["fmt"] == "html"
    assert "fmt" not in defaults.get("extract", {})  # extract has no html: left at its own default


def test_config_is_found_here_only_and_the_command_line_wins(tmp_path, pdf_dir):
    (tmp_path / "policy-scan.yaml").write_text("max-pages: 1\nscan:\n  format: json\n")
    proc = run("scan", pdf_dir / "running.pdf", "--no-classifier", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["document"]["pages"] == 1 and "only the first 1 were read" in proc.stderr
    proc = run("scan", pdf_dir / "running.pdf", "--no-classifier", "--max-pages", "5", "-f", "text", cwd=tmp_path)
    assert proc.returncode == 0 and "policy-scan" in proc.stdout.splitlines()[0]
    assert "only the first" not in proc.stdout + proc.stderr
    # A settings file in a parent folder is not the user's to trust: it is not read.
    nested = tmp_path / "corpus"
    nested.mkdir()
    proc = run("scan", pdf_dir / "running.pdf", "--no-classifier", cwd=nested)
    assert proc.returncode == 0 and "policy-scan" in proc.stdout.splitlines()[0]  # text, the default format


def test_explicit_config_file(tmp_path, pdf_dir):
    settings = tmp_path / "audit-settings.yaml"
    settings.write_text("max-pages: 1\n")
    proc = run("--config", settings, "scan", pdf_dir / "running.pdf", "--no-classifier", "-f", "json", cwd=pdf_dir)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["document"]["pages"] == 1
