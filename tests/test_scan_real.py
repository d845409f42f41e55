"""End-to-end scans of real plans from ../shared/pdfs (skipped when absent)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from conftest import shared_pdf
from policy_scan.scan import ScanOptions, scan

FALSE_FRIEND_WORDS = (
    "data migration",
    "fish migration",
    "drug trafficking",
    "tax remittance",
    "migratory",
    "digital migration",
    "repatriation of profit",
)


@pytest.fixture(scope="module")
def labour_policy():
    return scan(shared_pdf("KHM_Labour_Migration_Policy_2015-2018.pdf"))


def verdicts(result) -> dict[str, str]:
    return {t.theme: t.verdict for t in result.assessment.themes}


def test_labour_migration_policy_addresses_its_core_themes(labour_policy):
    v = verdicts(labour_policy)
    # labour migration, governance, remittances, return/reintegration, trafficking
    for theme in ("T1", "T2", "T3", "T5", "T10"):
        assert v[theme] == "addressed", theme
    assert labour_policy.language == "en"
    assert labour_policy.assessment.score > 50


def test_finding_pages_are_where_the_text_is(labour_policy):
    pdf = pdfium.PdfDocument(str(shared_pdf("KHM_Labour_Migration_Policy_2015-2018.pdf")))
    pages = [set(pdf[i].get_textpage().get_text_range().replace("\u2019", "'").split()) for i in range(len(pdf))]
    checked = 0
    for finding in labour_policy.findings[::7]:
        # Table cells are read in layout order, so compare words, not running text.
        words = [w for w in finding.text.split()[:8] if "-" not in w]
        if len(words) < 6:
            continue
        # A finding's page is where its sentence starts; the sentence may run onto the next.
        assert words[0] in pages[finding.page - 1], (finding.page, finding.text[:80])
        spread = pages[finding.page - 1] | (pages[finding.page] if finding.page < len(pages) else set())
        missing = [w for w in words if w not in spread]
        assert not missing, (finding.page, finding.text[:80], missing)
        checked += 1
    assert checked >= 20


def test_the_bibliography_is_not_evidence(labour_policy):
    """Pages 56-57 list sources ("Migration and remittances Factbook ..."): citations, not policy."""
    cited = [p for p in labour_policy.segmentation.passages if p.reference_list]
    assert cited and {p.page for p in cited} == {56, 57}
    assert "Factbook" in " ".join(p.text for p in cited)
    assert not [f for f in labour_policy.findings if f.page >= 56]


def test_remittance_policy_goal_is_found_on_page_10(labour_policy):
    remittance = [f for f in labour_policy.findings if "T3" in f.themes and "cheaper remittance" in f.text]
    # Policy goal 15 is stated on page 10 and repeated in the policy matrix (pp. 33, 51).
    assert remittance and remittance[0].page == 10
    pdf = pdfium.PdfDocument(str(shared_pdf("KHM_Labour_Migration_Policy_2015-2018.pdf")))
    for f in remittance:
        assert "cheaper" in pdf[f.page - 1].get_textpage().get_text_range()
    assert all(f.stage in {"P2", "P3", "P5", "P6"} for f in remittance)


def test_findings_offsets_point_into_the_document_text(labour_policy):
    text = labour_policy.segmentation.text
    for f in labour_policy.findings[:50]:
        assert text[f.char_start : f.char_end] == f.text


@pytest.mark.parametrize("name", ["KHM_Climate_Change_Strategic_Plan_2014-2023.pdf", "NAM_INDC.pdf"])
def test_negative_controls_have_no_rule_findings_and_no_false_friends(name):
    # Both are labelled sentence by sentence (or nearly) in corpus/real_sentences.jsonl, with
    # no relevant sentence: every rule finding here would be a false alarm.
    result = scan(shared_pdf(name))
    assert [f.text for f in result.findings if f.source != "classifier"] == []
    flagged = [f.text for f in result.findings if any(w in f.text.lower() for w in FALSE_FRIEND_WORDS)]
    assert flagged == []


def test_the_infrastructure_control_flags_only_its_one_sentence_on_project_affected_people():
    # The "negative control" (no migration keyword) has one sentence labelled relevant: the
    # rehabilitation (RAP) of project-affected people, i.e. resettlement for a project.
    result = scan(shared_pdf("BGD_7FYP_bg10_Infrastructure_negctrl.pdf"), ScanOptions(classifier=False))
    assert [f.themes for f in result.findings] == [["T13"]]
    assert "project affected people" in result.findings[0].text
    assert not any(w in f.text.lower() for f in result.findings for w in FALSE_FRIEND_WORDS)


def test_remittance_background_paper_flags_remittances():
    result = scan(shared_pdf("BGD_7FYP_bg06_Mobilizing_Foreign_Resources.pdf"))
    assert verdicts(result)["T3"] in ("addressed", "partial")
    assert not any("repatriation of profit" in f.text.lower() for f in result.findings)


def test_colombian_plan_is_read_as_spanish_with_its_migration_articles():
    result = scan(shared_pdf("COL_Ley_PND_2022-2026_Texto_Conciliado_es.pdf"), ScanOptions(classifier=False))
    assert result.language == "es"
    by_theme: dict[str, list] = {}
    for f in result.findings:
        assert f.lang == "es"
        for t in f.themes:
            by_theme.setdefault(t, []).append(f)
    # Art. 3: Colombians abroad and returnees; the health articles on uninsured migrants.
    assert any("retornad" in f.text.lower() for f in by_theme.get("T5", []))
    health = [f for f in by_theme.get("T7", []) if "migrante" in f.text.lower()]
    assert health and all(110 <= f.page <= 115 for f in health)
    assert any("desplazamiento forzado" in f.text.lower() for f in by_theme.get("T12", []))
    pdf = pdfium.PdfDocument(str(shared_pdf("COL_Ley_PND_2022-2026_Texto_Conciliado_es.pdf")))
    for f in result.findings:
        words = [w for w in f.text.split()[:6] if w.isalpha()]
        page_words = set(pdf[f.page - 1].get_textpage().get_text_range().split())
        assert all(w in page_words for w in words), (f.page, f.text[:60])
    assert not any(
        "tráfico de drogas" in f.text.lower() or "gastos de desplazamiento" in f.text.lower() for f in result.findings
    )


def test_two_process_scan_equals_the_sequential_one(labour_policy):
    sequential = scan(shared_pdf("KHM_Labour_Migration_Policy_2015-2018.pdf"), ScanOptions(parallel=False))
    key = lambda f: (f.char_start, f.text, f.themes, f.stage, f.score, f.source, f.rule_ids)  # noqa: E731
    assert len(labour_policy.segmentation.passages) >= 400  # large enough to take the two-process path
    assert [key(f) for f in labour_policy.findings] == [key(f) for f in sequential.findings]
    assert labour_policy.assessment == sequential.assessment
