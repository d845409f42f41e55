"""Language identification from function words, offline and deterministic.

spaCy ships stop-word lists for dozens of languages; the share of a text's words found in
each list is a strong signal for anything longer than a short sentence.  Languages with
rules (en, es, fr) are scanned; the others are reported by name.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

RULE_LANGUAGES = ("en", "es", "fr")
# Candidate languages: those of the programme's countries and their neighbours.
CANDIDATES = ("en", "es", "fr", "pt", "ro", "ru", "sr", "de", "it", "nl", "uk", "ar", "tr", "id", "ky")
NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sr": "Serbian",
    "de": "German",
    "it": "Italian",
    "nl": "Dutch",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "tr": "Turkish",
    "id": "Indonesian",
    "ky": "Kyrgyz",
    "und": "undetermined",
}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
# Words shared by many languages (articles, "a", "de") say little; drop the most ambiguous.
_AMBIGUOUS = {"a", "e", "o", "de", "la", "le", "en", "se", "un", "i", "in", "no", "per", "con", "es", "el", "y"}


@cache
def _stop_words(lang: str) -> frozenset[str]:
    # Read spaCy's stop-word file as text: importing spacy.lang.fr would build the French
    # tokenizer exceptions, which takes seconds, just to get a word list.
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(list(spec.submodule_search_locations)[0]) / "lang" / lang / "stop_words.py"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    words: set[str] = set()
    for block in re.findall(r'"""(.*?)"""', source, flags=re.S):
        words.update(block.split())
    # Single letters ("a", "e", "n", "y") belong to too many languages to vote.
    return frozenset(w.lower() for w in words if len(w) > 1)


def language_shares(text: str) -> dict[str, float]:
    """Share of the text's words that are function words of each candidate language."""
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    if not words:
        return {}
    shares = {}
    for lang in CANDIDATES:
        stops = _stop_words(lang)
        if stops:
            shares[lang] = sum(1 for w in words if w in stops and w not in _AMBIGUOUS) / len(words)
    return shares


def detect_language(text: str, min_words: int = 6) -> tuple[str, float]:
    """Most likely language code and the share of words that voted for it; 'und' if unsure."""
    if len(_WORD.findall(text[:20000])) < min_words:
        return "und", 0.0
    ranked = sorted(language_shares(text).items(), key=lambda kv: -kv[1])
    if not ranked:
        return "und", 0.0
    best, best_share = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best_share < 0.08 or best_share - second < 0.02:
        return "und", best_share
    return best, round(best_share, 3)


def language_name(code: str) -> str:
    return NAMES.get(code, code)


def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for a language, accents kept, lower-cased."""
    return _stop_words(lang)


def assign_languages(passages: list, doc_lang: str) -> None:
    """Per-passage language: long passages that clearly read as another language keep it.

    Short passages, tables and names say too little, so they follow the document.
    """
    for p in passages:
        lang = doc_lang
        if len(p.text) >= 250:
            found, share = detect_language(p.text, min_words=40)
            if found not in ("und", doc_lang) and share >= 0.25 and language_shares(p.text).get(doc_lang, 0) < 0.08:
                lang = found
        p.lang = lang
