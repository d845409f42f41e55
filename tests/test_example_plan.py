"""The bundled example plan: what it addresses, what it does not, and its false friends."""

from __future__ import annotations

import pytest

from policy_scan.scan import ScanOptions, scan


@pytest.fixture(scope="module")
def result(example_plan):
    return scan(example_plan)


def test_example_plan_themes(result):
    v = {t.theme: t for t in result.assessment.themes}
    for theme in ("T1", "T2", "T3", "T5", "T10", "T12", "T13"):
        assert v[theme].verdict == "addressed", theme
    assert v["T3"].deepest_stage == "P3"  # the remittance-cost indicator
    assert v["T16"].verdict == "absent"
    assert v["T16"].entry_point and v["T16"].gcm == [7, 8, 12, 13]


def test_false_friends_in_the_example_are_not_findings(result):
    texts = " ".join(f.text for f in result.findings)
    assert "data migration of all patient records" not in texts
    assert "fish migration" not in texts
    assert "drug trafficking" not in texts
    assert "Urban mobility" not in texts


def test_findings_carry_their_chapter_and_page(result):
    relocation = next(f for f in result.findings if "planned relocation" in f.text)
    assert relocation.page == 6
    assert relocation.chapter == ["4. Climate resilience and disaster risk"]
    assert "T13" in relocation.themes and relocation.boxes


def test_chapters_silent_on_migration_are_listed(result):
    silent = [c.title for c in result.assessment.chapters if not c.themes]
    touched = {c.title: c.themes for c in result.assessment.chapters}
    assert "2. Decent jobs at home and abroad" in touched and touched["2. Decent jobs at home and abroad"].get("T2")
    assert all(t in touched for t in silent)


def test_rules_only_and_select(example_plan):
    only_t3 = scan(example_plan, ScanOptions(classifier=False, select=["T3"]))
    assert only_t3.findings and all(f.source == "rule" for f in only_t3.findings)
    assert all("T3" in f.themes for f in only_t3.findings)
    ignored = scan(example_plan, ScanOptions(classifier=False, ignore=["T3"]))
    assert not any("T3" in f.themes for f in ignored.findings)
