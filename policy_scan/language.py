"""Language identification from function words, offline and deterministic.

spaCy ships stop-word lists for dozens of languages; the share of a text's words found in
each list is a strong signal for anything longer than a short sentence.  The candidates
and their word lists are data (languages.py): languages with rules are scanned; the others
are reported by name.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

from .languages import Languages, load_languages

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
# Words shared by many languages (articles, "a", "de") say little; drop the most ambiguous.
_AMBIGUOUS = {"a", "e", "o", "de", "la", "le", "en", "se", "un", "i", "in", "no", "per", "con", "es", "el", "y"}


@cache
def _spacy_stop_words(lang: str) -> frozenset[str]:
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


def language_stop_words(lang: str, languages: Languages | None = None) -> frozenset[str]:
    """A language's stop words: its data file's list, or spaCy's for its spaCy code."""
    data = (languages or load_languages()).by_code.get(lang)
    if data is None:
        return frozenset()
    if data.stop_words == "spacy":
        return _spacy_stop_words(data.spacy)
    return frozenset(w for w in data.stop_words if len(w) > 1)


def language_shares(text: str, languages: Languages | None = None) -> dict[str, float]:
    """Share of the text's words that are function words of each candidate language."""
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    if not words:
        return {}
    languages = languages or load_languages()
    shares = {}
    for lang in languages.codes:
        stops = language_stop_words(lang, languages)
        if stops:
            shares[lang] = sum(1 for w in words if w in stops and w not in _AMBIGUOUS) / len(words)
    return shares


def detect_language(text: str, min_words: int = 6, languages: Languages | None = None) -> tuple[str, float]:
    """Most likely language code and the share of words that voted for it; 'und' if unsure."""
    if len(_WORD.findall(text[:20000])) < min_words:
        return "und", 0.0
    ranked = sorted(language_shares(text, languages).items(), key=lambda kv: -kv[1])
    if not ranked:
        return "und", 0.0
    best, best_share = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best_share < 0.08 or best_share - second < 0.02:
        return "und", best_share
    return best, round(best_share, 3)


def language_name(code: str, languages: Languages | None = None) -> str:
    return (languages or load_languages()).name(code)


def stop_words(lang: str) -> frozenset[str]:
    """A language's stop words (see language_stop_words), accents kept, lower-cased."""
    return language_stop_words(lang)


def rule_stop_words(languages: Languages | None = None) -> frozenset[str]:
    """The stop words of every language with rules: words that are evidence in none."""
    languages = languages or load_languages()
    return frozenset().union(*(language_stop_words(code, languages) for code in languages.rule_languages))


def passage_languages(passages: list, doc_lang: str, languages: Languages | None = None) -> list[str]:
    """Per-passage language: long passages that clearly read as another language keep it.

    Short passages, tables and names say too little, so they follow the document.  The
    passages are left as they are: the caller makes new ones with these languages.
    """
    out = []
    for p in passages:
        lang = doc_lang
        if len(p.text) >= 250:
            found, share = detect_language(p.text, min_words=40, languages=languages)
            shares = language_shares(p.text, languages)
            if found not in ("und", doc_lang) and share >= 0.25 and shares.get(doc_lang, 0) < 0.08:
                lang = found
        out.append(lang)
    return out
