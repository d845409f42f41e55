"""spaCy pipelines: blank language + sentencizer + a lower-cased lookup lemma in NORM.

Rules match on ``NORM``, which here holds the lower-cased lookup lemma of each token
(spacy-lookups-data).  spaCy's own lookup lemmatizer is case-sensitive, so "Workers" at the
start of a sentence would not become "worker"; looking up the lower-cased form fixes that.
Everything is offline: blank pipelines and packaged lookup tables, no model downloads.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.tokens import Doc

SUPPORTED = ("en", "es", "fr")


@lru_cache(maxsize=None)
def lemma_table(lang: str):
    """The packaged lookup table (keyed by string hash), or None for languages without one."""
    try:
        return load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")
    except (ValueError, KeyError, OSError):
        return None


class LemmaNorm:
    """Sets ``token.norm_`` to the lower-cased lookup lemma."""

    def __init__(self, lang: str):
        self.table = lemma_table(lang)

    def lemma(self, word: str) -> str:
        low = word.lower()
        if self.table is None:
            return low
        found = self.table.get(low, low)
        if isinstance(found, list):  # the French table lists candidate lemmas
            found = found[0] if found else low
        return found.lower()

    def __call__(self, doc: Doc) -> Doc:
        lemma = self.lemma
        for token in doc:
            token.norm_ = lemma(token.text)
        return doc


@Language.factory("lemma_norm", default_config={"lang": "en"})
def make_lemma_norm(nlp: Language, name: str, lang: str) -> LemmaNorm:
    return LemmaNorm(lang)


@lru_cache(maxsize=None)
def pipeline(lang: str) -> Language:
    """The pipeline for a language; unsupported languages fall back to English tokenisation."""
    code = lang if lang in SUPPORTED else "en"
    nlp = spacy.blank(code)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemma_norm", config={"lang": code})
    nlp.max_length = 5_000_000
    return nlp


def lemma_of(lang: str, word: str) -> str:
    return pipeline(lang).get_pipe("lemma_norm").lemma(word)
