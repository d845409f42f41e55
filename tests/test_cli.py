"""The command line as a user meets it: exit codes, one-line errors, output files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policy_scan", *args], capture_output=True, text=True, input=stdin, timeout=300
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, path, problem: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(path) in lines[0] and problem in lines[0]
    assert proc.stdout == ""


@pytest.mark.parametrize(
    "name, problem",
    [
        ("absent.pdf", "no such file"),
        ("not_a_pdf.pdf", "not a PDF"),
        ("empty.pdf", "empty file"),
        ("truncated.pdf", "corrupt or truncated"),
        ("corrupt.pdf", "corrupt or truncated"),
        ("encrypted.pdf", "password is required"),
    ],
)
def test_bad_input_exits_2_with_one_line(pdf_dir, name, problem):
    path = pdf_dir / name
    assert_one_line_error(run("scan", str(path)), path, problem)


def test_wrong_password(pdf_dir):
    path = pdf_dir / "encrypted.pdf"
    assert_one_line_error(run("scan", str(path), "--password", "nope"), path, "password given is wrong")
    ok = run("scan", str(path), "--password", "secret", "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["findings"]


def test_no_text_layer_warns_and_gives_an_empty_assessment(pdf_dir):
    proc = run("scan", str(pdf_dir / "image_only.pdf"), "--format", "json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["findings"] == [] and data["assessment"]["score"] == 0
    assert data["document"]["pages_without_text"] == [1]
    assert "no text layer" in data["warnings"][0]
    assert "no text layer" in proc.stderr and "Traceback" not in proc.stderr


def test_json_contract(example_plan, tmp_path):
    out = tmp_path / "report.json"
    proc = run("scan", str(example_plan), "--format", "json", "-o", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    data = json.loads(out.read_text())
    assert data["schema_version"].startswith("1.")
    assert set(data) >= {"schema_version", "document", "outline", "findings", "assessment", "warnings"}
    assert set(data["document"]) >= {"path", "sha256", "pages", "language", "engine"}
    assert len(data["document"]["sha256"]) == 64 and data["document"]["pages"] == 9
    finding = data["findings"][0]
    assert set(finding) >= {
        "page",
        "text",
        "char_start",
        "char_end",
        "boxes",
        "chapter",
        "themes",
        "stage",
        "score",
        "source",
        "rule_ids",
        "matched_terms",
        "gcm",
        "sdg",
    }
    assert finding["source"] in ("rule", "classifier", "both")
    themes = {t["theme"]: t for t in data["assessment"]["themes"]}
    assert list(themes) == [f"T{i}" for i in range(1, 17)]
    assert themes["T3"]["verdict"] == "addressed" and "10.c" in themes["T3"]["sdg"]
    assert all(set(c) >= {"title", "page_start", "page_end", "themes"} for c in data["assessment"]["chapters"])
    assert [o["title"] for o in data["outline"]][:2] == [
        "1. Introduction and country context",
        "2. Decent jobs at home and abroad",
    ]


def test_text_report_and_fail_under(example_plan):
    proc = run("scan", str(example_plan))
    assert proc.returncode == 0
    assert "Mainstreaming score" in proc.stdout and "✓ T3" in proc.stdout and "✗ T16" in proc.stdout
    assert "Gap:" in proc.stdout
    failing = run("scan", str(example_plan), "--fail-under", "99")
    assert failing.returncode == 1 and "below --fail-under" in failing.stderr


def test_usage_errors_exit_2(example_plan):
    assert run("scan", str(example_plan), "--format", "yaml").returncode == 2
    assert run("frobnicate").returncode == 2


def test_rules_validate_reports_file_and_line(tmp_path):
    import shutil

    from policy_scan.ruleset import default_rules_dir

    shutil.copytree(default_rules_dir(), tmp_path / "rules")
    bad = tmp_path / "rules" / "en" / "T03_remittances.yaml"
    content = bad.read_text().replace("theme: T3", "theme: T33", 1)
    bad.write_text(content)
    line = content.splitlines().index("theme: T33") + 1
    proc = run("rules", "validate", "--rules", str(tmp_path / "rules"))
    assert proc.returncode == 2
    assert any(x.startswith(f"{bad}:{line}: unknown theme id 'T33'") for x in proc.stderr.splitlines())
    assert "Traceback" not in proc.stderr


def test_classify_jsonl_round_trip():
    lines = [
        {"text": "Remittances from Nepali workers in Qatar pay for school fees.", "id": 1},
        {"text": "The district road will be resurfaced before the monsoon.", "id": 2, "lang": "en"},
    ]
    proc = run("classify", "-", stdin="\n".join(json.dumps(x) for x in lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, 2]
    assert out[0]["relevant"] is True and "T3" in out[0]["themes"]
    assert out[1]["relevant"] is False and out[1]["themes"] == [] and out[1]["lang"] == "en"


def test_classify_rejects_bad_lines():
    proc = run("classify", "-", stdin='{"text": "ok"}\nnot json\n')
    assert proc.returncode == 2 and "<stdin>:2: invalid JSON" in proc.stderr


def test_bad_model_file_is_a_clear_error(example_plan, tmp_path):
    fake = tmp_path / "model.skops"
    fake.write_text("this is not a model")
    proc = run("scan", str(example_plan), "--model", str(fake))
    assert_one_line_error(proc, fake, "not a policy-scan model")
