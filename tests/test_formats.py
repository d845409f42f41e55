"""Every `--format` any command offers renders (the bug: `scan --format csv` was offered
and crashed), and the offered formats are the registry's."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from policy_scan.cli import main
from policy_scan.report import REGISTRY


def offered() -> list[tuple[str, str]]:
    """(command, format) for every `--format` choice of every command, groups included."""
    pairs = []

    def walk(group, prefix=""):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")
                continue
            for param in command.params:
                if param.name == "fmt":
                    pairs.extend((f"{prefix}{name}", choice) for choice in param.type.choices)

    walk(main)
    return pairs


def test_registered_formats_are_the_offered_ones():
    by_command = {}
    for command, fmt in offered():
        by_command.setdefault(command, []).append(fmt)
    for command, formats in REGISTRY.items():
        assert by_command[command] == list(formats)
        for entry in formats.values():
            assert callable(entry.load())


def invoke(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def scans(example_plan, tmp_path_factory) -> dict:
    """Two scan results to compare, and an audit store of the example."""
    folder = tmp_path_factory.mktemp("formats")
    old = folder / "old.json"
    invoke("scan", example_plan, "-f", "json", "-o", old, "--no-classifier")
    data = json.loads(old.read_text())
    data["findings"] = data["findings"][1:]  # a draft without its first finding
    (folder / "new.json").write_text(json.dumps(data))
    plans = folder / "plans"
    plans.mkdir()
    shutil.copy(example_plan, plans / "plan.pdf")
    db = folder / "audit.sqlite"
    proc = subprocess.run(
        [sys.executable, "-m", "policy_scan", "audit", str(plans), "--db", str(db), "-j", "1", "-q"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return {"old": old, "new": folder / "new.json", "db": db, "json": json.loads(old.read_text())}


def check_scan(fmt: str, out: Path, scans: dict) -> None:
    text = out.read_text(encoding="utf-8")
    findings = scans["json"]["findings"]
    if fmt == "json":
        assert json.loads(text)["findings"] == findings
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["text"] for r in rows] == [f["text"] for f in findings]
        assert rows[0]["themes"] == ",".join(findings[0]["themes"]) and rows[0]["page"] == str(findings[0]["page"])
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in text
    else:
        assert "Mainstreaming score" in text


@pytest.mark.parametrize("command, fmt", offered())
def test_every_offered_format_renders(command, fmt, example_plan, scans, tmp_path):
    out = tmp_path / "out"
    if command == "scan":
        invoke("scan", example_plan, "-f", fmt, "-o", out, "--no-classifier")
        check_scan(fmt, out, scans)
    elif command == "diff":
        invoke("diff", scans["old"], scans["new"], "-f", fmt, "-o", out)
        text = out.read_text(encoding="utf-8")
        assert scans["json"]["findings"][0]["text"][:60] in text if fmt != "html" else "<!DOCTYPE html>" in text
    elif command == "audit-export":
        written = invoke("audit-export", "--db", scans["db"], "-f", fmt, "-o", out).split()
        assert written and all(Path(w).stat().st_size for w in written)
    elif command == "extract":
        invoke("extract", example_plan, "-f", fmt, "-o", out)
        assert "remittance" in out.read_text(encoding="utf-8").lower()
    elif command == "evaluate":
        labelled = tmp_path / "labelled.jsonl"
        labelled.write_text(
            json.dumps({"text": "Remittances sent home by migrant workers pay school fees.", "relevant": True,
                        "themes": ["T3"], "stage": "P1", "lang": "en"}) + "\n"
            + json.dumps({"text": "The district road will be resurfaced before the monsoon season.",
                          "relevant": False, "themes": [], "lang": "en"}) + "\n"
        )  # fmt: skip
        output = invoke("evaluate", labelled, "--method", "rules", "-f", fmt)
        assert "rules" in (json.loads(output) if fmt == "json" else output)
    else:
        pytest.fail(f"{command} --format {fmt}: no check written for it")


def test_scan_csv_cells_cannot_run():
    from types import SimpleNamespace

    from policy_scan.model import Finding
    from policy_scan.report.csv import render_csv
    from policy_scan.scan import get_ruleset

    formula = Finding(1, '=HYPERLINK("http://x")', 0, 10, ["-chapter"], ["T3"], "P1", 1.0, "rule")
    result = SimpleNamespace(findings=[formula], ruleset=get_ruleset(None))
    row = next(csv.DictReader(io.StringIO(render_csv(result))))
    assert row["text"] == "'" + formula.text and row["chapter"] == "'-chapter" and row["themes"] == "T3"
