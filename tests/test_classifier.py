"""The classifier: reproducible training, safe loading, NumPy weights equal to the skops model."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, SHARED_PDFS
from policy_scan.corpus import load_corpus
from policy_scan.detection import linear
from policy_scan.detection.classifier import default_model_path, load, train, weights_path
from policy_scan.errors import CorpusError, ModelError


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def training_set(corpus):
    """What the bundled model is trained on: the authored passages and the real sentences."""
    from policy_scan.corpus import default_real_sentences
    from policy_scan.evaluate import resolve_references

    if not SHARED_PDFS.is_dir():
        pytest.skip("the real sentences are read from ../shared/pdfs")
    resolved = resolve_references(default_real_sentences(), SHARED_PDFS)
    assert not resolved.missing_docs and not resolved.mismatched
    return corpus + resolved.items


@pytest.fixture(scope="module")
def shipped():
    return load(default_model_path())


def test_retraining_from_the_corpus_reproduces_the_shipped_model(training_set, shipped):
    model, report = train(training_set)
    assert model.identity == shipped.identity
    texts = [i.text for i in training_set[::50]]
    new, old = model.predict(texts), shipped.predict(texts)
    assert np.allclose([p["score"] for p in new], [p["score"] for p in old], atol=1e-9)
    assert [(p["themes"], p["stage"]) for p in new] == [(p["themes"], p["stage"]) for p in old]
    assert report.passages == len(training_set) >= 9000
    assert report.per_lang["es"] >= 1000 and report.per_lang["fr"] >= 1000


def test_numpy_weights_score_exactly_like_the_skops_model(corpus, shipped):
    fast = linear.load(weights_path(default_model_path()))
    assert fast.identity == shipped.identity
    texts = [i.text for i in corpus[::7]] + ["", "12 34", "Travailleurs migrants à l'étranger."]
    a, b = shipped.predict(texts), fast.predict(texts)
    assert np.allclose([p["score"] for p in a], [p["score"] for p in b], atol=1e-9)
    assert [(p["themes"], p["stage"], p["terms"]) for p in a] == [(p["themes"], p["stage"], p["terms"]) for p in b]
    for key in ("theme_probs", "stage_probs"):  # the scan blends these with the rules' themes and cues
        for x, y in zip(a, b):
            assert x[key].keys() == y[key].keys()
            assert np.allclose(list(x[key].values()), [y[key][k] for k in x[key]], atol=1e-9)


def test_a_model_trained_without_some_theme_saves_loads_and_scores_alike(corpus, tmp_path):
    """A small corpus need not carry every theme: the missing ones are never given, and the
    saved model loads (skops and NumPy weights) and scores as trained."""
    from policy_scan.detection.classifier import save

    relevant = [i for i in corpus if i.relevant and "T16" not in i.themes][:150]
    items = relevant + [i for i in corpus if not i.relevant][:150]
    model, _ = train(items)
    path = tmp_path / "small.skops"
    save(model, path)
    texts = [i.text for i in corpus[::40]]
    a, b, c = model.predict(texts), load(path).predict(texts), linear.load(weights_path(path)).predict(texts)
    for other in (b, c):
        assert np.allclose([p["score"] for p in a], [p["score"] for p in other], atol=1e-9)
        assert np.allclose([p["theme_probs"]["T16"] for p in other], 0.0, atol=1e-9)
        assert [(p["themes"], p["stage"]) for p in a] == [(p["themes"], p["stage"]) for p in other]


def test_the_model_separates_migration_from_false_friends(shipped):
    relevant = [
        "Nepali workers in Qatar sent money home to their families.",
        "Las remesas de los connacionales en el exterior crecieron un 12 por ciento.",
        "Les Marocains résidant à l'étranger ont transféré 9 milliards de dirhams.",
    ]
    traps = [
        "The ministry completed the migration of payroll data to the new cloud platform.",
        "Customs seized 40 kilograms of heroin in a drug trafficking operation.",
        "Los gastos de desplazamiento del personal se reembolsarán mensualmente.",
    ]
    assert all(p["score"] > 0.5 for p in shipped.predict(relevant))
    assert all(p["score"] < 0.5 for p in shipped.predict(traps))


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    for name, content in [("fake.skops", b"not a zip"), ("fake.npz", b"not numpy")]:
        path = tmp_path / name
        path.write_bytes(content)
        loader = load if name.endswith(".skops") else linear.load
        with pytest.raises(ModelError, match="not a policy-scan model"):
            loader(path)


def test_malformed_corpus_lines_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"text": "ok", "relevant": True, "themes": ["T2"], "stage": "P1"})
        + "\n"
        + json.dumps({"text": "x", "relevant": False, "themes": ["T2"], "stage": None})
        + "\n"
    )
    with pytest.raises(CorpusError) as info:
        load_corpus(bad)
    assert str(info.value).startswith(f"{bad}:2: ")


def test_evaluate_reads_real_sentences_in_place():
    if not SHARED_PDFS.exists():
        pytest.skip("../shared/pdfs not available")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "policy_scan",
            "evaluate",
            "corpus/real_sentences.jsonl",
            "--pdfs",
            str(SHARED_PDFS),
            "--method",
            "keywords",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["keywords"]["n"] >= 400
    # every reference still reads (none skipped or mismatched): the notes are only the labellers'
    # agreement and the warning that the bundled classifier learnt from these sentences
    kinds = [n.split(" on ")[0] for n in data["notes"]]
    assert kinds[0] == "two labellers", data["notes"]
    assert all(k == "two labellers" or k.startswith("the bundled classifier was trained") for k in kinds), kinds


def test_evaluate_skips_cleanly_without_the_pdfs(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "policy_scan",
            "evaluate",
            "corpus/real_sentences.jsonl",
            "--pdfs",
            str(tmp_path),
            "--method",
            "keywords",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0 and "nothing to score" in proc.stderr


def test_agreement_between_two_labellers(tmp_path):
    from policy_scan.evaluate import agreement

    def ref(n, first, second):
        rel1, rel2 = bool(first), bool(second)
        return {
            "doc": "d.pdf",
            "page": 1,
            "char_start": n,
            "char_end": n + 1,
            "sha1": f"{n:012x}",
            "split": "test",
            "relevant": rel1,
            "themes": first,
            "stage": None,
            "second": {"relevant": rel2, "themes": second},
        }

    records = [
        ref(0, ["T2"], ["T2"]),  # same
        ref(1, ["T3", "T9"], ["T3"]),  # the second misses a theme
        ref(2, [], ["T10"]),  # the second finds it relevant
        ref(3, [], []),
    ]
    path = tmp_path / "refs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = agreement(path)
    assert result["sentences"] == 4 and result["relevance_agreement"] == 0.75
    # relevance: first 2/4, second 3/4 relevant -> chance 0.5*0.75 + 0.5*0.25 = 0.5 -> kappa 0.5
    assert result["relevance_kappa"] == 0.5
    assert result["themes_counts"] == {"tp": 2, "fp": 1, "fn": 1} and result["themes_micro_f1"] == round(4 / 6, 3)
    assert agreement(path, "dev") == {"sentences": 0}
