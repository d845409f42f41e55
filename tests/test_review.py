"""A reviewer's decisions: labelled references (review import) and scan --decisions."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "policy_scan", *map(str, args)], capture_output=True, text=True)


def test_scan_applies_decisions_to_findings_and_verdicts(example_plan, tmp_path):
    before = json.loads(run("scan", example_plan, "-f", "json", "--no-classifier").stdout)
    sha = before["document"]["sha256"]
    t3 = [f for f in before["findings"] if "T3" in f["themes"]]
    assert t3
    decisions = [
        {
            "kind": "finding",
            "doc": "draft_plan.pdf",
            "sha256": sha,
            "page": f["page"],
            "char_start": f["char_start"],
            "char_end": f["char_end"],
            "decision": "not_migration",
            "themes": [],
            "stage": None,
            "note": "",
        }
        for f in t3
    ]
    other = next(f for f in before["findings"] if "T3" not in f["themes"])
    decisions.append(
        {
            **decisions[0],
            "char_start": other["char_start"],
            "char_end": other["char_end"],
            "page": other["page"],
            "decision": "wrong_stage",
            "themes": other["themes"],
            "stage": "P6",
        }
    )
    decisions.append({"kind": "gap", "sha256": sha, "theme": "T16", "decision": "evidence_missed", "note": ""})
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in decisions))
    after = json.loads(run("scan", example_plan, "-f", "json", "--no-classifier", "--decisions", path).stdout)
    assert len(after["findings"]) == len(before["findings"]) - len(t3)
    verdict = {t["theme"]: t["verdict"] for t in after["assessment"]["themes"]}
    assert verdict["T3"] == "absent"
    restaged = next(f for f in after["findings"] if f["char_start"] == other["char_start"])
    assert restaged["stage"] == "P6"
    assert any("reviewer decisions applied" in w for w in after["warnings"])
    assert any("evidence missed for T16" in w for w in after["warnings"])


def test_missed_evidence_a_reviewer_selected_counts_in_the_verdict(example_plan, tmp_path):
    before = json.loads(run("scan", example_plan, "-f", "json", "--no-classifier").stdout)
    assert {t["theme"]: t["verdict"] for t in before["assessment"]["themes"]}["T16"] == "absent"
    chosen = before["findings"][3]
    gap = {
        "kind": "gap",
        "sha256": before["document"]["sha256"],
        "theme": "T16",
        "decision": "evidence_missed",
        "page": chosen["page"],
        "char_start": chosen["char_start"],
        "char_end": chosen["char_end"],
        "note": "",
    }
    outside = {**gap, "char_start": 10**9, "char_end": 10**9 + 5}  # not in this text: left out
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(gap) + "\n" + json.dumps(outside) + "\n")
    after = json.loads(run("scan", example_plan, "-f", "json", "--no-classifier", "--decisions", path).stdout)
    reviewer = [f for f in after["findings"] if f["source"] == "reviewer"]
    assert [(f["text"], f["themes"], f["page"]) for f in reviewer] == [(chosen["text"], ["T16"], chosen["page"])]
    t16 = next(t for t in after["assessment"]["themes"] if t["theme"] == "T16")
    assert t16["verdict"] == "partial" and t16["evidence_count"] == 1
    assert len(after["findings"]) == len(before["findings"]) + 1
    assert any("missed evidence count as findings" in w for w in after["warnings"])


def test_review_import_writes_references_without_text(tmp_path):
    path = tmp_path / "d.jsonl"
    base = {
        "kind": "finding",
        "doc": "plan.pdf",
        "sha256": "a" * 64,
        "page": 3,
        "char_start": 10,
        "char_end": 90,
        "sha1": "0123456789ab",
        "lang": "es",
        "note": "x",
    }
    path.write_text(
        json.dumps({**base, "decision": "correct", "themes": ["T3", "T2"], "stage": "P2"})
        + "\n"
        + json.dumps({**base, "char_start": 100, "decision": "not_migration", "themes": [], "stage": None})
        + "\n"
        + json.dumps({"kind": "gap", "sha256": "a" * 64, "theme": "T1", "decision": "gap_confirmed"})
        + "\n"
    )
    out = tmp_path / "refs.jsonl"
    assert run("review", "import", path, "-o", out).returncode == 0
    refs = [json.loads(x) for x in out.read_text().splitlines()]
    assert refs[0] == {
        "doc": "plan.pdf",
        "page": 3,
        "char_start": 10,
        "char_end": 90,
        "sha1": "0123456789ab",
        "lang": "es",
        "relevant": True,
        "themes": ["T2", "T3"],
        "stage": "P2",
        "false_friend": False,
        "sampling": "review",
    }
    assert refs[1]["relevant"] is False and refs[1]["themes"] == [] and refs[1]["stage"] is None
    assert len(refs) == 2
    path.write_text('{"kind": "finding", "sha256": "x", "decision": "maybe"}\n')
    bad = run("review", "import", path)
    assert bad.returncode == 2 and "d.jsonl:1" in bad.stderr and "Traceback" not in bad.stderr
