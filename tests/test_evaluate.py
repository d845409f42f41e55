"""Held-out evaluation and the scan's verdict per sentence (issue 13)."""

from __future__ import annotations

import json

import pytest
from test_cli import assert_one_line_error, run

from conftest import ROOT, SHARED_PDFS
from policy_scan import evaluate as ev
from policy_scan.corpus import Labelled
from policy_scan.detection.judge import SECTION_THRESHOLD, DetectOptions, judge_sentences
from policy_scan.ruleset import load_ruleset
from policy_scan.scan import scan


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset(strict=True, check_patterns=False)[0]


def _item(doc: str, n: int) -> Labelled:
    return Labelled(f"sentence {n} of {doc}", "en", n % 3 == 0, ["T1"] if n % 3 == 0 else [], None, doc=doc)


def test_folds_never_split_a_document():
    items = [_item(f"doc{d}.pdf", n) for d in range(7) for n in range(d * 5 + 3)]
    folds = ev.document_folds(items, 3)
    assert len(folds) == 3
    assert sorted(d for f in folds for d in f) == sorted({i.doc for i in items})  # each document once
    assert all(not (a & b) for i, a in enumerate(folds) for b in folds[i + 1 :])
    sizes = [sum(1 for i in items if i.doc in f) for f in folds]
    assert max(sizes) - min(sizes) <= 35  # dealt largest first: no fold gets all the big documents
    assert ev.document_folds(items, 3) == folds  # stable


def test_split_names_documents_not_hash_halves():
    record = {"doc": "KHM_Labour_Migration_Policy_2015-2018.pdf", "sha1": "ffffffffffff", "split": "dev"}
    assert ev.in_split(record, "dev") and not ev.in_split(record, "test")
    assert ev.in_split(record, "KHM_Labour_Migration_Policy_2015-2018")
    assert ev.in_split(record, "NAM_INDC.pdf, KHM_Labour_Migration_Policy_2015-2018.pdf")
    assert not ev.in_split(record, "NAM_INDC")


def test_every_reference_set_document_has_one_split():
    rows = [line.split("\t") for line in (ROOT / "corpus" / "documents.tsv").read_text().splitlines()]
    table = {r[0]: r[2] for r in rows if r and not r[0].startswith("#") and r[0] != "doc"}
    for line in (ROOT / "corpus" / "real_sentences.jsonl").read_text().splitlines():
        record = json.loads(line)
        assert "text" not in record, "references only: no document text in the repository"
        assert record["split"] == table[record["doc"]], record


def test_sentence_verdicts_are_the_scans_own(example_plan, ruleset):
    from policy_scan.detection.classifier import load_default_classifier

    findings = scan(example_plan).findings
    texts, langs, chapters = [f.text for f in findings], [f.lang for f in findings], [f.chapter for f in findings]
    verdicts = judge_sentences(texts, langs, ruleset, load_default_classifier(None), chapters=chapters)
    assert [(True, sorted(f.themes), f.stage) for f in findings] == [
        (v.relevant, sorted(v.themes), v.stage) for v in verdicts
    ]
    rules_alone = judge_sentences(texts, langs, ruleset, None, chapters=chapters)
    assert all(v.relevant for v, f in zip(rules_alone, findings) if f.source in ("rule", "both"))
    traps = [
        "The ministry completed the migration of payroll data to the new cloud platform.",
        "Customs seized 40 kilograms of heroin in a drug trafficking operation.",
        "Les frais de déplacement des agents sont remboursés chaque mois.",
    ]
    assert not any(v.relevant for v in judge_sentences(traps, ["en", "en", "fr"], ruleset, None))


def test_reference_list_sentences_are_not_evidence(ruleset):
    text = "International Organization for Migration, 2014, Report on labour migration in Asia."
    plain, cited = judge_sentences([text, text], ["en", "en"], ruleset, None, reference_list=[False, True])
    assert plain.relevant and not cited.relevant


def test_classify_methods_and_language():
    lines = [
        {"text": "Foreign workers make up a fifth of the construction workforce.", "id": "net"},
        {"text": "La migración de profesionales hacia las ciudades es creciente.", "lang": "es"},
        {"text": "Foreign direct investment rose sharply in 2015.", "id": "trap"},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    hybrid = [json.loads(x) for x in run("classify", "-", stdin=stdin).stdout.splitlines()]
    assert [o["relevant"] for o in hybrid] == [True, True, False]
    assert hybrid[0]["source"] in ("rule", "both") and hybrid[2]["source"] is None
    rules = [json.loads(x) for x in run("classify", "--method", "rules", "-", stdin=stdin).stdout.splitlines()]
    assert [o["relevant"] for o in rules] == [True, True, False]
    assert all(o["source"] in ("rule", None) for o in rules)
    alone = [json.loads(x) for x in run("classify", "--method", "classifier", "-", stdin=stdin).stdout.splitlines()]
    assert all(o["source"] in ("classifier", None) for o in alone)
    assert all(0.0 <= o["score"] <= 1.0 for o in alone)


def test_classify_reads_the_heading_path(tmp_path):
    text = "Every victim identified by the police will be referred to a shelter and offered legal aid."
    lines = [{"text": text, "chapter": ["5 Social protection", "5.3 Combating trafficking in persons"]}, {"text": text}]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\n"
    out = [json.loads(x) for x in run("classify", "-", stdin=stdin).stdout.splitlines()]
    assert out[0]["chapter"] == lines[0]["chapter"]  # passed through
    assert out[1]["relevant"] is False  # no rule, and no heading to give it context
    assert out[0]["source"] in ("section", "classifier", None)  # the model decides, never a rule
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": text, "chapter": "5.3 Trafficking"}) + "\n")
    proc = run("classify", str(bad))
    assert_one_line_error(proc, f"{bad}:1", '"chapter" must be a list of heading strings')


def test_train_refuses_an_unreproducible_model(tmp_path):
    proc = run("train", "--pdfs", str(tmp_path), "-o", str(tmp_path / "m.skops"))
    assert_one_line_error(proc, "real_sentences.jsonl", "not found in")
    assert not (tmp_path / "m.skops").exists()


def test_held_out_evaluation_on_a_small_set(tmp_path):
    """evaluate --folds trains one model per fold and prints held-out and full-document figures."""
    if not SHARED_PDFS.is_dir():
        pytest.skip("needs ../shared/pdfs")
    keep = {"BGD_ADB_Migrant_Workers_Remittances_TA_2011.pdf", "NAM_UN_RIA_Key_Observations_2015.pdf"}
    every = (ROOT / "corpus" / "real_sentences.jsonl").read_text().splitlines()
    lines = [x for x in every if json.loads(x)["doc"] in keep]
    refs = tmp_path / "refs.jsonl"
    refs.write_text("\n".join(lines) + "\n")
    proc = run("evaluate", str(refs), "--folds", "2", "--pdfs", str(SHARED_PDFS), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    hybrid = out["hybrid (classifier held out by document)"]
    assert hybrid["n"] == len(lines)
    assert out["keywords (baseline)"]["n"] == len(lines)
    assert any(k.endswith("documents labelled sentence by sentence") for k in out)
    # the scan is also scored on exactly the sentences the two labellers' agreement is measured on
    twice = sum(isinstance(json.loads(x).get("second"), dict) for x in lines)
    assert out["hybrid (classifier held out by document) — sentences labelled twice"]["n"] == twice
    assert "themes_micro_found" in hybrid


class FixedScoreModel:
    """A classifier stand-in that gives every sentence the same probability, so the test
    checks the scan's gates, not a model's opinion."""

    identity = "fixed"

    def __init__(self, score: float):
        self.score = score

    def could_match(self, text: str, lang: str | None = None) -> bool:
        return False  # no trigger word: only the section gate can send a sentence to the model

    def predict(self, texts: list[str]) -> list[dict]:
        scored = {"themes": ["T10"], "theme_probs": {"T10": 1.0}, "stage": "P2", "stage_probs": {"P2": 1.0}}
        return [{"score": self.score, "terms": [], **scored} for _ in texts]


CONTEXT_SENTENCE = "Every victim identified by the police will be referred to a shelter and offered legal aid."


@pytest.mark.parametrize(
    "heading, score, text, found",
    [
        ("5.3 Combating trafficking in persons", 0.2, CONTEXT_SENTENCE, True),
        ("Migración laboral", 0.2, CONTEXT_SENTENCE, True),
        ("5.3 Road maintenance", 0.2, CONTEXT_SENTENCE, False),  # the heading says nothing of migration
        ("5.3 Combating trafficking in persons", SECTION_THRESHOLD / 2, CONTEXT_SENTENCE, False),  # below the gate
        ("5.3 Combating trafficking in persons", 0.2, "Victims will get legal aid.", False),  # too short to judge
        ("Urban mobility and cross-border trade", 0.2, CONTEXT_SENTENCE, False),  # false friends in a heading
    ],
)
def test_a_migration_heading_lets_context_sentences_in(ruleset, heading, score, text, found):
    (verdict,) = judge_sentences(
        [text], ["en"], ruleset, FixedScoreModel(score), chapters=[["5 Social protection", heading]]
    )
    assert verdict.relevant is found
    if found:
        assert verdict.source == "section" and verdict.themes == ["T10"] and verdict.stage == "P2"


def test_section_findings_need_the_classifier(ruleset):
    # rules only (sensitivity 0): the heading alone never makes a finding
    (verdict,) = judge_sentences(
        [CONTEXT_SENTENCE],
        ["en"],
        ruleset,
        FixedScoreModel(0.2),
        DetectOptions(sensitivity=0.0),
        chapters=[["Trafficking in persons"]],
    )
    assert not verdict.relevant


def test_scores_report_the_share_of_ordinary_sentences_flagged():
    items = [Labelled(f"s{n}", "en", n < 2, ["T1"] if n < 2 else [], "P1" if n < 2 else None) for n in range(6)]
    flagged = (True, False, True, False, False, False)
    preds = [ev.Prediction(r, ["T1"] if r else [], "P1" if r else None) for r in flagged]
    scores = ev.score(items, preds)  # 4 ordinary sentences, one of them flagged
    assert scores.as_dict()["ordinary_flagged_rate"] == 0.25
    assert "ordinary sentences flagged: 1 of 4 (25.00%)" in ev.format_scores("t", scores)


def test_themes_of_found_sentences_leave_out_relevance_errors():
    """End-to-end theme figures count a missed sentence's themes as missed; the 'found' figure
    scores the themes of the relevant sentences the method found, and nothing else."""
    items = [
        Labelled("a", "en", True, ["T2", "T9"], "P1"),  # found, one of two themes right
        Labelled("b", "en", True, ["T3"], "P1"),  # missed
        Labelled("c", "en", False, [], None),  # flagged wrongly
    ]
    preds = [
        ev.Prediction(True, ["T2", "T10"], "P1"),
        ev.Prediction(False, [], None),
        ev.Prediction(True, ["T1"], "P1"),
    ]
    scores = ev.score(items, preds).as_dict()
    end_to_end, found = scores["themes_micro"], scores["themes_micro_found"]
    assert (end_to_end["tp"], end_to_end["fp"], end_to_end["fn"]) == (1, 2, 2)
    assert (found["tp"], found["fp"], found["fn"]) == (1, 1, 1)


def test_fold_models_are_reused_only_for_the_same_training(tmp_path, monkeypatch):
    """--fold-models: a second run with the same sentences trains nothing and scores the same;
    a changed label trains that fold's model again."""
    from policy_scan.corpus import load_corpus
    from policy_scan.detection import classifier

    corpus = load_corpus()
    authored = [i for i in corpus if i.relevant][:120] + [i for i in corpus if not i.relevant][:120]
    real = [
        Labelled(i.text, i.lang, i.relevant, i.themes, i.stage, doc=f"doc{n % 4}.pdf") for n, i in enumerate(authored)
    ]
    first = ev.held_out_predictions(real, [], k=2, cache=tmp_path)
    assert len(list(tmp_path.glob("fold-*.skops"))) == 2 and not list(tmp_path.glob("*.npz"))

    def no_training(*args, **kwargs):
        raise AssertionError("a cached fold was trained again")

    monkeypatch.setattr(classifier, "train", no_training)
    again = ev.held_out_predictions(real, [], k=2, cache=tmp_path)
    assert [round(p["score"], 9) for p in again.scores] == [round(p["score"], 9) for p in first.scores]

    monkeypatch.undo()
    real[0].relevant = not real[0].relevant  # one fold's training set changes, the other's not
    ev.held_out_predictions(real, [], k=2, cache=tmp_path)
    assert len(list(tmp_path.glob("fold-*.skops"))) == 3


def test_fold_models_folder_problems_are_one_line_errors(tmp_path):
    """Refused before any PDF is read or model trained."""
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    refs = ROOT / "corpus" / "real_sentences.jsonl"
    proc = run("evaluate", str(refs), "--folds", "2", "--fold-models", str(a_file / "models"))
    assert_one_line_error(proc, a_file / "models", "is not a folder")
    proc = run("evaluate", str(refs), "--fold-models", str(tmp_path / "models"))
    assert_one_line_error(proc, "--fold-models", "give --folds K too")
    assert not (tmp_path / "models").exists()
