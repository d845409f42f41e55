"""spaCy pipelines: blank language + sentencizer + a lower-cased lookup lemma in NORM.

Rules match on ``NORM``, which here holds the lower-cased lookup lemma of each word
(spacy-lookups-data).  spaCy's own lookup lemmatizer is case-sensitive, so "Workers" at the
start of a sentence would not become "worker"; looking up the lower-cased form fixes that.
The lemma is stored on the vocabulary's lexemes, once per distinct word, so tokens inherit
it without a Python loop over every token.  Everything is offline: blank pipelines and
packaged lookup tables, no model downloads.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import lemma_table


class LemmaNorm:
    """Sets each lexeme's NORM to its lower-cased lookup lemma."""

    def __init__(self, vocab, lang: str):
        self.vocab = vocab
        self.table = lemma_table(lang)
        self.done: set[int] = set()

    def lemma(self, word: str) -> str:
        low = word.lower()
        return self.table.get(low, low)

    def __call__(self, doc: Doc) -> Doc:
        done, vocab, lemma = self.done, self.vocab, self.lemma
        for orth in set(doc.to_array(ORTH).tolist()) - done:
            lex = vocab[orth]
            lex.norm_ = lemma(lex.orth_)
            done.add(orth)
        return doc


@Language.factory("lemma_norm", default_config={"lang": "en"})
def make_lemma_norm(nlp: Language, name: str, lang: str) -> LemmaNorm:
    return LemmaNorm(nlp.vocab, lang)


# Abbreviations that stand before a number in plans' references to laws, articles and
# figures ("Prakas No. 252", "art. 3", "Fig. 2"); the sentencizer would end a sentence there.
_BEFORE_NUMBER = frozenset(
    {"no", "nos", "nº", "n°", "núm", "num", "art", "arts", "fig", "figs", "para", "paras", "sec", "vol", "p", "pp"}
)


@Language.component("number_abbreviations")
def keep_numbered_references(doc: Doc) -> Doc:
    """Undo sentence starts right after "No." (and the like) when a number follows."""
    for i in range(1, len(doc) - 1):
        token, after = doc[i], doc[i + 1]
        if not after.is_sent_start or not (after.like_num or after.text[:1].isdigit()):
            continue
        if token.text == "." and doc[i - 1].lower_ in _BEFORE_NUMBER:
            after.is_sent_start = False
        elif token.text.endswith(".") and token.lower_[:-1] in _BEFORE_NUMBER:
            after.is_sent_start = False
    return doc


@cache
def pipeline(code: str) -> Language:
    """The pipeline for a spaCy language code (a language's `spacy` in its language.yaml:
    `Languages.spacy_code` gives it, English for a language without rules)."""
    nlp = spacy.blank(code)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("number_abbreviations")
    nlp.add_pipe("lemma_norm", config={"lang": code})
    nlp.max_length = 5_000_000
    return nlp
