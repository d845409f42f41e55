"""Theme verdicts and the reason each gives (issue 14: a verdict a reviewer would sign)."""

from __future__ import annotations

import pytest

from policy_scan.assess import assess, verdict_reason
from policy_scan.model import Finding
from policy_scan.ruleset import load_ruleset


@pytest.fixture(scope="module")
def taxonomy():
    return load_ruleset(strict=True, check_patterns=False)[0].taxonomy


def finding(n: int, theme: str, stage: str) -> Finding:
    return Finding(n, f"sentence {n}", n * 100, n * 100 + 50, ["2 Labour migration"], [theme], stage, 0.9, "rule")


@pytest.mark.parametrize(
    "stages, verdict, reason",
    [
        ([], "absent", "no finding"),
        (["P2"], "partial", "one finding (P2); two are needed, one beyond the situation analysis"),
        (["P1", "P1", "P1"], "partial", "3 findings, all in the situation analysis (P1); none commits to action"),
        (["P1", "P5", "P2", "P5"], "addressed", "4 findings, 3 beyond the situation analysis (P2, P5)"),
    ],
)
def test_each_verdict_says_what_evidence_it_counted(taxonomy, stages, verdict, reason):
    findings = [finding(n, "T2", s) for n, s in enumerate(stages, 1)]
    t2 = next(t for t in assess(findings, [], taxonomy).themes if t.theme == "T2")
    assert (t2.verdict, t2.reason) == (verdict, reason)
    assert t2.evidence_count == len(stages)


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_the_html_report_gives_the_same_reason_in_its_language(taxonomy, lang):
    for stages in ([], ["P2"], ["P1", "P1"], ["P1", "P5", "P2", "P5"]):
        findings = [finding(n, "T2", s) for n, s in enumerate(stages, 1)]
        t2 = next(t for t in assess(findings, [], taxonomy).themes if t.theme == "T2")
        worded = verdict_reason(t2.verdict, stages, lang)
        if lang == "en":
            assert worded == t2.reason
        else:  # the same counts, other words
            assert worded != t2.reason and all(c in worded for c in "".join(ch for ch in t2.reason if ch.isdigit()))
