"""Classifier inference in plain NumPy, from weights exported out of the skops model.

Importing scikit-learn costs a second, more than scanning a 268-page plan; the trained
model is linear, so scoring needs only the vocabularies, IDF weights and coefficients.
`export` writes them to an ``.npz`` file (loaded with ``allow_pickle=False``); this module
reproduces scikit-learn's TF-IDF analyzers and the three heads exactly, and a test checks
that both give the same probabilities.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np

from ..errors import ModelError

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE = re.compile(r"\s\s+")
_WORD = re.compile(r"\w+")
FORMAT = 1


def strip_accents(s: str) -> str:
    try:
        s.encode("ASCII", errors="strict")
        return s
    except UnicodeEncodeError:
        normalized = unicodedata.normalize("NFKD", s)
        return "".join(c for c in normalized if not unicodedata.combining(c))


def word_ngrams(text: str) -> list[str]:
    tokens = _TOKEN.findall(strip_accents(text.lower()))
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def char_wb_ngrams(text: str, lo: int = 3, hi: int = 5) -> list[str]:
    text = _WHITE.sub(" ", strip_accents(text.lower()))
    grams: list[str] = []
    for w in text.split():
        w = f" {w} "
        size = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            grams.append(w[offset : offset + n])
            while offset + n < size:
                offset += 1
                grams.append(w[offset : offset + n])
            if offset == 0:
                break
    return grams


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class LinearModel:
    """Relevance, themes and stage from exported weights; same interface as SentenceModel."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict):
        self.meta = meta
        self.identity = meta["identity"]
        self.themes = list(meta["themes"])
        self.stages = list(meta["stages"])
        self.word_terms = arrays["word_terms"]
        self.word_index = {str(t): i for i, t in enumerate(self.word_terms)}
        self.char_index = {str(t): i for i, t in enumerate(arrays["char_terms"])}
        self.word_idf = arrays["word_idf"]
        self.char_idf = arrays["char_idf"]
        self.rel_coef, self.rel_intercept = arrays["rel_coef"], float(arrays["rel_intercept"])
        self.cal_a, self.cal_b = float(arrays["cal_a"]), float(arrays["cal_b"])
        self.theme_coef, self.theme_intercept = arrays["theme_coef"], arrays["theme_intercept"]
        self.stage_coef, self.stage_intercept = arrays["stage_coef"], arrays["stage_intercept"]
        self.triggers = frozenset(meta["triggers"])
        self.common = frozenset(meta.get("common", []))
        self.theme_threshold = float(meta.get("theme_threshold", 0.4))

    # -- features ------------------------------------------------------------------------
    @staticmethod
    def _tfidf(grams: list[str], index: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for g in grams:
            j = index.get(g)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        values = (1.0 + np.log(tf)) * idf[cols]  # sublinear tf x idf
        return cols, values / np.linalg.norm(values)

    def _features(self, text: str):
        wc, wv = self._tfidf(word_ngrams(text), self.word_index, self.word_idf)
        cc, cv = self._tfidf(char_wb_ngrams(text), self.char_index, self.char_idf)
        return wc, wv, cc, cv

    def _dot(self, coef: np.ndarray, feats) -> np.ndarray:
        wc, wv, cc, cv = feats
        n_words = len(self.word_idf)
        return coef[..., wc] @ wv + coef[..., n_words + cc] @ cv

    # -- scoring ---------------------------------------------------------------------------
    def could_match(self, text: str, lang: str | None = None) -> bool:
        return any(w in self.triggers for w in _WORD.findall(strip_accents(text.lower())))

    def predict(self, texts: list[str]) -> list[dict]:
        out = []
        for text in texts:
            feats = self._features(text)
            decision = self._dot(self.rel_coef, feats) + self.rel_intercept
            score = float(_sigmoid(-(self.cal_a * decision + self.cal_b)))
            theme_prob = _sigmoid(self._dot(self.theme_coef, feats) + self.theme_intercept)
            chosen = [
                self.themes[j] for j in np.argsort(-theme_prob, kind="stable") if theme_prob[j] >= self.theme_threshold
            ][:3]
            if not chosen:
                chosen = [self.themes[int(np.argmax(theme_prob))]]
            stage_logit = self._dot(self.stage_coef, feats) + self.stage_intercept
            stage_prob = np.exp(stage_logit - stage_logit.max())  # softmax, as the multinomial head
            stage_prob /= stage_prob.sum()
            out.append(
                {
                    "score": score,
                    "themes": chosen,
                    "stage": self.stages[int(np.argmax(stage_logit))],
                    "theme_probs": {t: float(p) for t, p in zip(self.themes, theme_prob)},
                    "stage_probs": {str(s): float(p) for s, p in zip(self.stages, stage_prob)},
                    "terms": self._terms(feats),
                }
            )
        return out

    def _terms(self, feats, k: int = 5) -> list[str]:
        wc, wv, _, _ = feats
        if not len(wc):
            return []
        contrib = wv * self.rel_coef[wc]
        terms = []
        for j in sorted(range(len(wc)), key=lambda j: (-contrib[j], str(self.word_terms[wc[j]]))):
            if contrib[j] <= 0:
                break
            term = str(self.word_terms[wc[j]])
            if not all(w in self.common for w in term.split()):
                terms.append(term)
            if len(terms) == k:
                break
        return terms


# A theme no relevant training passage carries gets scikit-learn's constant predictor (always
# 0 or always 1) instead of a fitted head: written as zero weights and a saturated intercept.
SATURATED = 30.0


def _coef(estimator, n_features: int) -> np.ndarray:
    return estimator.coef_[0] if hasattr(estimator, "coef_") else np.zeros(n_features)


def _intercept(estimator) -> float:
    if hasattr(estimator, "intercept_"):
        return float(estimator.intercept_[0])
    return SATURATED if float(np.ravel(estimator.y_)[0]) else -SATURATED


def export(model, path: str | Path) -> None:
    """Write the inference weights of a trained SentenceModel to an .npz file."""
    words, chars = (v for _, v in model.features.transformer_list)
    calibrated = model.relevance.calibrated_classifiers_[0]
    rel = calibrated.estimator
    calibrator = calibrated.calibrators[0]
    word_terms = sorted(words.vocabulary_, key=words.vocabulary_.get)
    char_terms = sorted(chars.vocabulary_, key=chars.vocabulary_.get)
    theme_coef = np.vstack([_coef(e, len(rel.coef_[0])) for e in model.themes.estimators_])
    theme_intercept = np.array([_intercept(e) for e in model.themes.estimators_])
    meta = {
        "format": FORMAT,
        "identity": model.identity,
        "themes": list(model.theme_ids),
        "stages": [str(s) for s in model.stage.classes_],
        "triggers": sorted(model.triggers),
        "common": sorted(model._common),
        "theme_threshold": 0.4,
    }
    np.savez_compressed(
        path,
        word_terms=np.array(word_terms, dtype=str),
        char_terms=np.array(char_terms, dtype=str),
        word_idf=words.idf_,
        char_idf=chars.idf_,
        rel_coef=rel.coef_[0],
        rel_intercept=np.array(rel.intercept_[0]),
        cal_a=np.array(calibrator.a_),
        cal_b=np.array(calibrator.b_),
        theme_coef=theme_coef,
        theme_intercept=theme_intercept,
        stage_coef=model.stage.coef_,
        stage_intercept=model.stage.intercept_,
        meta=np.array(json.dumps(meta)),
    )


def load(path: str | Path) -> LinearModel:
    path = Path(path)
    if not path.exists():
        raise ModelError(str(path), "no such model file")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(str(arrays.pop("meta")))
    except Exception:
        raise ModelError(str(path), "not a policy-scan model (cannot read weights)") from None
    if meta.get("format") != FORMAT:
        raise ModelError(str(path), "not a policy-scan model (unknown format)")
    return LinearModel(arrays, meta)
