"""The Python API: the same answers as the command line, progress, and a cheap import."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import time

import pytest

import policy_scan
from conftest import ROOT


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policy_scan", *args], capture_output=True, text=True, input=stdin, timeout=300, cwd=ROOT
    )


@pytest.fixture(scope="module")
def result(example_plan):
    return policy_scan.scan(example_plan)


def test_scan_gives_the_clis_json(result, example_plan):
    proc = cli("scan", str(example_plan), "--format", "json")
    assert proc.returncode == 0 and proc.stderr == ""
    from_cli = json.loads(proc.stdout)
    assert from_cli["findings"] and result.to_dict()["findings"] == from_cli["findings"]
    assert json.loads(result.to_json()) == from_cli
    assert result.assessment.score == from_cli["assessment"]["score"]
    assert result.document.page_count == 9 and isinstance(result.warnings, list)


def test_scan_options_and_their_errors(example_plan):
    rules_only = policy_scan.scan(example_plan, classifier=False, select="T3", parallel=False)
    assert rules_only.findings and all(f.source == "rule" and f.themes == ["T3"] for f in rules_only.findings)
    with pytest.raises(TypeError, match="unknown scan option.*colour"):
        policy_scan.scan(example_plan, colour="red")
    with pytest.raises(policy_scan.PolicyScanError, match="no such file"):
        policy_scan.scan(example_plan.parent / "absent.pdf")


TEXTS = [
    {"text": "Remittances from Nepali workers in Qatar pay for school fees.", "id": 1},
    {"text": "The district road will be resurfaced before the monsoon.", "id": 2},
    {"text": "Data migration to the new server will finish in June.", "id": 3},
    {"text": "Se fortalecerá la atención a la población migrante retornada.", "id": 4, "lang": "es"},
    {"text": "Les personnes déplacées internes auront accès aux services de santé.", "id": 5},
    {"text": "Migrant workers will be covered by the national health insurance scheme by 2025.", "id": 6},
]


@pytest.mark.parametrize("method", ["hybrid", "rules", "classifier"])
def test_classify_agrees_with_the_cli(method):
    proc = cli("classify", "-", "--method", method, stdin="".join(json.dumps(t) + "\n" for t in TEXTS))
    assert proc.returncode == 0, proc.stderr
    from_cli = [json.loads(line) for line in proc.stdout.splitlines()]
    verdicts = policy_scan.classify([t["text"] for t in TEXTS], [t.get("lang") for t in TEXTS], method=method)
    assert len(verdicts) == len(TEXTS)
    for line, v in zip(from_cli, verdicts):
        assert {k: line[k] for k in ("relevant", "score", "themes", "stage", "source")} == {
            "relevant": v.relevant, "score": v.score, "themes": v.themes, "stage": v.stage, "source": v.source
        }  # fmt: skip
    if method == "hybrid":
        assert [v.relevant for v in verdicts] == [True, False, False, True, True, True]


def test_classify_one_text_and_bad_arguments():
    (verdict,) = policy_scan.classify("Remittances from migrant workers pay for school fees.")
    assert verdict.relevant and "T3" in verdict.themes
    with pytest.raises(ValueError, match="method"):
        policy_scan.classify(["x"], method="vibes")
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        policy_scan.classify(["a", "b"], ["en"])


def test_findings_frame(result, monkeypatch):
    from policy_scan.report.json import FINDING_FIELDS

    assert list(result.to_dict()["findings"][0]) == FINDING_FIELDS
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(ImportError, match="pip install pandas"):
        result.findings_frame()
    monkeypatch.undo()
    pytest.importorskip("pandas")
    frame = result.findings_frame()
    assert list(frame.columns) == FINDING_FIELDS and len(frame) == len(result.findings)
    assert frame["text"].tolist() == [f.text for f in result.findings]


@pytest.mark.parametrize("isolate", [True, False], ids=["reading-child", "in-process"])
def test_progress_callback_counts_up(example_plan, isolate):
    events = []
    policy_scan.scan(example_plan, classifier=False, isolate=isolate, parallel=isolate, progress=events.append)
    reads = [e for e in events if e.phase == "read"]
    assert reads and all(e.total == 9 for e in reads)
    counts = [e.done for e in reads]
    assert counts == sorted(set(counts)) and counts[-1] == 9  # increasing, ending with every page


FAKE_TESSERACT = """#!/bin/sh
if [ "$1" = --list-langs ]; then printf 'List of available languages (1):\\neng\\n'; exit 0; fi
cat > /dev/null
printf 'level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext\\n'
printf '5\\t1\\t1\\t1\\t1\\t1\\t100\\t100\\t300\\t40\\t95\\tmigrants\\n'
"""


def test_progress_callback_counts_ocr_pages(example_plan, tmp_path, monkeypatch):
    fake = tmp_path / "tesseract"  # answers at once, so the test needs no Tesseract
    fake.write_text(FAKE_TESSERACT)
    fake.chmod(0o755)
    monkeypatch.setattr("policy_scan.ocr.tesseract_path", lambda: str(fake))  # the forked reader inherits it
    events = []
    result = policy_scan.scan(example_plan, ocr="force", classifier=False, progress=events.append)
    assert result.document.pages[0].ocr
    ocr = [e for e in events if e.phase == "ocr"]
    assert ocr and all(e.total == 9 for e in ocr)
    counts = [e.done for e in ocr]
    assert counts == sorted(set(counts)) and counts[-1] == 9
    assert [e.phase for e in events].index("ocr") > [e.phase for e in events].index("read")  # read, then OCR


def test_progress_is_thinned_but_ends_complete():
    from policy_scan.scan import _Throttled

    sent = []
    tell = _Throttled(lambda *event: sent.append(event))
    for done in range(1, 1001):
        tell("read", done, 1000)
    assert sent[0] == ("read", 1, 1000) and sent[-1] == ("read", 1000, 1000) and len(sent) < 50


def read_pty(args: list[str], timeout: float = 300) -> str:
    """Run the CLI with stderr on a pseudo-terminal; what it wrote there."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    proc = subprocess.Popen(
        [sys.executable, "-m", "policy_scan", *args], stdout=subprocess.DEVNULL, stderr=slave, cwd=ROOT
    )
    os.close(slave)
    chunks, started = [], time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_on_a_terminal_only(example_plan):
    piped = cli("scan", str(example_plan), "--format", "json", "-o", os.devnull)
    assert piped.returncode == 0 and piped.stderr == ""  # not a terminal: nothing on stderr
    shown = read_pty(["scan", str(example_plan), "-o", os.devnull])
    assert "reading pages" in shown and "/9 [" in shown  # a bar: pages of 9, rate and ETA
    assert read_pty(["scan", str(example_plan), "-o", os.devnull, "-q"]) == ""
    assert "reading pages" in read_pty(["extract", str(example_plan), "-o", os.devnull])  # and diff: same bars


def test_import_is_cheap_and_names_are_the_api():
    code = (
        "import sys; from policy_scan.scan import ScanOptions; "  # a submodule named like a function, first
        "import policy_scan; assert callable(policy_scan.scan) and callable(policy_scan.classify); "
        "from policy_scan import scan, classify; assert scan.__module__ == classify.__module__ == 'policy_scan.api'; "
        "policy_scan.ScanResult; policy_scan.ScanProgress; "
        "print(sorted(m for m in ('spacy', 'sklearn', 'pypdfium2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    code = "import sys; from policy_scan.cli import main; print([m for m in ('spacy', 'numpy') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr
