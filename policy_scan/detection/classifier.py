"""The sentence classifier: relevance, themes (multi-label) and stage, from labelled text.

One shared feature extractor (word 1-2-gram and character 3-5-gram TF-IDF, accents
folded, so English, Spanish and French share one model) feeds three linear heads:
  relevance  logistic regression with sigmoid-calibrated probabilities (CalibratedClassifierCV)
  themes     one-vs-rest logistic regression over the taxonomy's themes, trained on relevant passages
  stage      multinomial logistic regression over its stages, trained on relevant passages
Models are saved with skops (no pickle) and loaded only if every type in the file is one
this module expects.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..bundled import default_model_path
from ..errors import ModelError
from ..ruleset import default_taxonomy

THEME_THRESHOLD = 0.4
_WORD = re.compile(r"\w+")
MODEL_FORMAT = 1


def fold(text: str) -> str:
    """Lower-case and strip accents, as the vectorizers do."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def build_features():
    """Word 1-2-grams (named, for explanations) + character 3-5-grams within words (robust to
    inflection and spelling), both capped so the saved model stays a few megabytes."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        max_features=25_000,
        strip_accents="unicode",
        lowercase=True,
        token_pattern=r"(?u)\b\w\w+\b",
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=3,
        sublinear_tf=True,
        strip_accents="unicode",
        lowercase=True,
        max_features=20_000,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


@dataclass
class TrainReport:
    passages: int
    relevant: int
    per_lang: dict[str, int] = field(default_factory=dict)


class SentenceModel:
    """Trained heads plus what scanning needs: trigger words and an identity."""

    def __init__(self, parts: dict):
        self.parts = parts
        self.features = parts["features"]
        self.relevance = parts["relevance"]
        self.themes = parts["themes"]
        self.stage = parts["stage"]
        self.triggers = frozenset(parts["triggers"])
        self.identity = parts["meta"]["identity"]
        # The theme of each column of the themes head; a model saved before it was recorded
        # was trained on the bundled taxonomy's themes, in order.
        self.theme_ids = list(parts["meta"].get("themes") or default_taxonomy().theme_ids)
        self._coef = self._relevance_coefficients()
        self._names = self.features.transformer_list[0][1].get_feature_names_out()
        from ..language import rule_stop_words

        self._common = rule_stop_words()

    def _relevance_coefficients(self) -> np.ndarray:
        coefs = [c.estimator.coef_[0] for c in self.relevance.calibrated_classifiers_]
        return np.mean(coefs, axis=0)

    # -- scoring -----------------------------------------------------------------------
    def could_match(self, text: str, lang: str | None = None) -> bool:
        """Cheap pre-filter: does the text contain a word the model counts as evidence?"""
        return any(w in self.triggers for w in _WORD.findall(fold(text)))

    def predict(self, texts: list[str]) -> list[dict]:
        if not texts:
            return []
        X = self.features.transform(texts)
        relevance = self.relevance.predict_proba(X)[:, 1]
        theme_prob = self.themes.predict_proba(X)
        stage_prob = self.stage.predict_proba(X)
        stage_labels = list(self.stage.classes_)
        out = []
        for i in range(len(texts)):
            probs = theme_prob[i]
            themes = self.theme_ids
            chosen = [themes[j] for j in np.argsort(-probs) if probs[j] >= THEME_THRESHOLD][:3]
            if not chosen:
                chosen = [themes[int(np.argmax(probs))]]
            out.append(
                {
                    "score": float(relevance[i]),
                    "themes": chosen,
                    "stage": str(stage_labels[int(np.argmax(stage_prob[i]))]),
                    "theme_probs": {t: float(p) for t, p in zip(themes, probs)},
                    "stage_probs": {str(s): float(p) for s, p in zip(stage_labels, stage_prob[i])},
                    "terms": self._terms(X[i]),
                }
            )
        return out

    def _terms(self, row, k: int = 5) -> list[str]:
        """The word features that pushed this text most towards 'relevant'."""
        n_words = len(self._names)
        idx = [(j, v) for j, v in zip(row.indices, row.data) if j < n_words]  # words come first in the union
        if not idx:
            return []
        scored = sorted(((-(v * self._coef[j]), str(self._names[j])) for j, v in idx))
        terms = []
        for neg, term in scored:
            if neg >= 0:
                break
            if not all(w in self._common for w in term.split()):
                terms.append(term)
            if len(terms) == k:
                break
        return terms


def train(items, seed: int = 0, theme_ids: list[str] | None = None) -> tuple[SentenceModel, TrainReport]:
    """Fit the three heads; the themes head has one column per theme of the taxonomy."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer

    texts = [i.text for i in items]
    y_rel = np.array([int(i.relevant) for i in items])
    features = build_features()
    X = features.fit_transform(texts)
    for _, vectorizer in features.transformer_list:
        # The pruned-terms set is only for introspection and dwarfs the model on disk.
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_
    relevance = CalibratedClassifierCV(
        LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced"), method="sigmoid", cv=5, ensemble=False
    )
    relevance.fit(X, y_rel)
    rel_idx = np.flatnonzero(y_rel)
    theme_ids = list(theme_ids or default_taxonomy().theme_ids)
    binarizer = MultiLabelBinarizer(classes=theme_ids)
    Y_themes = binarizer.fit_transform([items[i].themes for i in rel_idx])
    themes = OneVsRestClassifier(LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced"))
    themes.fit(X[rel_idx], Y_themes)
    staged = [i for i in rel_idx if items[i].stage]
    stage = LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced")
    stage.fit(X[staged], [items[i].stage for i in staged])
    digest = hashlib.sha256("\n".join(f"{i.relevant}|{i.themes}|{i.stage}|{i.text}" for i in items).encode())
    parts = {
        "features": features,
        "relevance": relevance,
        "themes": themes,
        "stage": stage,
        "triggers": [],
        "meta": {
            "format": MODEL_FORMAT,
            "identity": f"corpus-{digest.hexdigest()[:12]}",
            "themes": theme_ids,
            "passages": len(items),
            "seed": seed,
        },
    }
    parts["triggers"] = trigger_words(items)
    model = SentenceModel(parts)
    per_lang: dict[str, int] = {}
    for i in items:
        per_lang[i.lang] = per_lang.get(i.lang, 0) + 1
    return model, TrainReport(len(items), int(y_rel.sum()), per_lang)


def trigger_words(items, min_count: int = 5, min_ratio: float = 15.0) -> list[str]:
    """Words far more frequent in relevant passages than in the others.

    A passage with none of them is not shown to the classifier at scan time: this keeps a
    268-page plan to a few hundred candidate sentences.  Function words and numbers never
    qualify.
    """
    from collections import Counter

    from ..language import rule_stop_words

    common = rule_stop_words()
    pos: Counter[str] = Counter()
    neg: Counter[str] = Counter()
    for item in items:
        (pos if item.relevant else neg).update(set(_WORD.findall(fold(item.text))))
    n_pos = max(1, sum(1 for i in items if i.relevant))
    n_neg = max(1, len(items) - n_pos)
    words = [
        w
        for w, c in pos.items()
        if c >= min_count
        and w not in common
        and not w.isdigit()
        and len(w) > 2
        and (c / n_pos) / ((neg[w] + 1) / n_neg) >= min_ratio
    ]
    return sorted(words)


# -- persistence ---------------------------------------------------------------------------
# The types a policy-scan model holds beyond those skops itself trusts (skops lists them with
# get_untrusted_types).  An explicit list: a prefix such as "builtins." would also trust
# builtins.exec, and a model file could then run code when loaded.
TRUSTED_MODEL_TYPES = frozenset(
    {
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.multiclass._ConstantPredictor",  # a theme no relevant training passage carries
    }
)


def _vectorizers(parts: dict):
    return [v for _, v in parts["features"].transformer_list]


def save(model: SentenceModel, path: str | Path) -> None:
    """Write the model with skops.  Vocabularies go in as string arrays: skops stores a
    dict entry by entry, which made a 45,000-term vocabulary take seconds to load."""
    from zipfile import ZIP_DEFLATED

    import skops.io as sio

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    saved = []
    for vectorizer in _vectorizers(model.parts):
        vocab = vectorizer.vocabulary_
        saved.append(vocab)
        terms = sorted(vocab, key=vocab.get)
        vectorizer.vocabulary_ = {}
        model.parts.setdefault("vocabularies", []).append(np.array(terms, dtype=str))
    try:
        sio.dump(model.parts, str(path), compression=ZIP_DEFLATED, compresslevel=9)
    finally:
        for vectorizer, vocab in zip(_vectorizers(model.parts), saved):
            vectorizer.vocabulary_ = vocab
        model.parts.pop("vocabularies", None)
    from .linear import export

    export(model, weights_path(path))


def weights_path(path: str | Path) -> Path:
    """The NumPy weights exported beside a .skops model, used for fast scoring."""
    return Path(path).with_suffix(".npz")


def load(path: str | Path) -> SentenceModel:
    import skops.io as sio

    path = Path(path)
    if not path.exists():
        raise ModelError(str(path), "no such model file (train one with `policy-scan train`)")
    try:
        untrusted = sio.get_untrusted_types(file=str(path))
    except Exception:
        raise ModelError(str(path), "not a policy-scan model (not a skops file)") from None
    unexpected = sorted(set(untrusted) - TRUSTED_MODEL_TYPES)
    if unexpected:
        raise ModelError(str(path), f"refusing to load a model with untrusted types: {', '.join(unexpected)}")
    try:
        parts = sio.load(str(path), trusted=untrusted)
    except Exception as exc:
        raise ModelError(str(path), f"cannot load model ({type(exc).__name__})") from None
    if not isinstance(parts, dict) or parts.get("meta", {}).get("format") != MODEL_FORMAT:
        raise ModelError(str(path), "not a policy-scan model (unknown format)")
    for vectorizer, terms in zip(_vectorizers(parts), parts.pop("vocabularies", [])):
        vectorizer.vocabulary_ = {str(t): i for i, t in enumerate(terms)}
    return SentenceModel(parts)


@lru_cache(maxsize=4)
def _load_cached(path: str):
    from . import linear

    if path.endswith(".npz"):
        return linear.load(path)
    weights = weights_path(path)
    if weights.exists():
        # Same predictions as the skops model (tested), without importing scikit-learn.
        fast = linear.load(weights)
        return fast
    return load(path)


def load_default_classifier(model_path: str | None = None):
    """The model to scan with: an explicit file (errors if bad), else the bundled one if present.

    A .skops model with its exported .npz weights beside it is scored from the weights.
    """
    if model_path:
        path = Path(model_path).resolve()
        if path.suffix == ".skops" and not weights_path(path).exists():
            return load(path)
        return _load_cached(str(path))
    default = default_model_path()
    return _load_cached(str(default)) if default.exists() else None
