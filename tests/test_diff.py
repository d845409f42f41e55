"""Comparing drafts: generated drafts with known edits, and a real plan against a cut copy."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pypdfium2 as pdfium
import pytest

from conftest import ROOT, shared_pdf

sys.path.insert(0, str(ROOT / "examples"))
import make_example_plan as plan  # noqa: E402


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policy_scan", *args], capture_output=True, text=True, timeout=600, cwd=ROOT
    )


@pytest.fixture(scope="module")
def drafts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drafts")
    old = plan.build(folder / "old.pdf")
    chapters = copy.deepcopy(plan.CHAPTERS)
    intro = chapters[0][1]
    chapters[0] = (chapters[0][0], [p for p in intro if not p.startswith("Remittances sent home")])
    results = chapters[5][1]
    results.insert(
        3,
        "Indicator 6.5: Number of migrant workers covered by the national social insurance fund "
        "while abroad (baseline 2024: 12,000; target 2030: 150,000).",
    )
    # The remittance-cost indicator goes too, so T3 loses its target.
    chapters[5] = (chapters[5][0], [p for p in results if not p.startswith("Indicator 6.1")])
    new = plan.build(folder / "new.pdf", chapters, foreword_pages=2)  # and every page shifts by two
    return old, new


def test_generated_drafts(drafts, tmp_path):
    old, new = drafts
    proc = run("diff", str(old), str(new), "--format", "json", "--no-classifier")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    removed = [f["text"] for f in d["removed"]]
    added = [f["text"] for f in d["added"]]
    assert any(t.startswith("Remittances sent home by workers abroad") for t in removed)
    assert any(t.startswith("Indicator 6.1: Average cost of sending remittances") for t in removed)
    assert any(t.startswith("Indicator 6.5: Number of migrant workers covered") for t in added)
    # the removed paragraph held two sentences; re-pagination alone changes nothing
    assert len(removed) == 3 and len(added) == 1
    assert d["unchanged"] >= 15
    themes = {t["theme"]: t for t in d["themes"]}
    assert themes["T3"]["before"]["deepest_stage"] == "P3" and themes["T3"]["change"] == "regressed"
    assert "T3" in d["regressions"] and d["score_change"] < 0
    failing = run("diff", str(old), str(new), "--fail-on-regression", "--no-classifier")
    assert failing.returncode == 1 and "regressions in" in failing.stderr and "T3" in failing.stderr
    assert "Removed" in failing.stdout and "Added" in failing.stdout


def test_json_results_and_html(drafts, tmp_path):
    old, new = drafts
    for pdf, out in ((old, tmp_path / "old.json"), (new, tmp_path / "new.json")):
        assert run("scan", str(pdf), "--format", "json", "-o", str(out), "--no-classifier").returncode == 0
    same = run("diff", str(tmp_path / "old.json"), str(tmp_path / "old.json"), "--fail-on-regression")
    assert same.returncode == 0 and "0 added, 0 removed, 0 edited" in same.stdout
    html = run("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "html")
    assert html.returncode == 0 and html.stdout.count('data-kind="removed"') == 3 and 'data-kind="added"' in html.stdout
    for ui, words in (
        ("es", ["Temas", "Antes", "Después", "La evidencia que cambió", "suprimido", "Remesas e inclusión financiera"]),
        ("fr", ["Thèmes", "Avant", "Après", "Les éléments qui ont changé", "supprimé", "en recul"]),
    ):
        localized = run("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "-f", "html", "--lang-ui", ui)
        assert localized.returncode == 0 and f'<html lang="{ui}">' in localized.stdout
        assert all(w in localized.stdout for w in words), [w for w in words if w not in localized.stdout]
        assert ">Evidence that changed<" not in localized.stdout and ">Before<" not in localized.stdout
        text = run("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--lang-ui", ui).stdout
        assert words[0] in text and "Themes" not in text and ("suprimidos" in text or "supprimés" in text)
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    proc = run("diff", str(bad), str(tmp_path / "new.json"))
    assert proc.returncode == 2 and "not a policy-scan result" in proc.stderr


def test_real_plan_against_a_cut_copy(tmp_path):
    source = shared_pdf("KHM_Labour_Migration_Policy_2015-2018.pdf")
    pdf = pdfium.PdfDocument(str(source))
    for index in (18, 9):  # drop pages 19 (remittances) and 10 (policy goals 14-17)
        pdf.del_page(index)
    cut = tmp_path / "cut.pdf"
    pdf.save(str(cut))
    proc = run("diff", str(source), str(cut), "--format", "json", "--no-classifier")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    # Only sentences joined across a cut (the pages on either side of it) may be new.
    assert {f["page"] for f in d["added"]} <= {9, 17, 18}
    assert d["removed"] and {f["page"] for f in d["removed"]} <= {9, 10, 19, 20}
    assert any("cheaper remittance" in f["text"] or "remit" in f["text"].lower() for f in d["removed"])
    assert d["unchanged"] > 100
