"""Lookup lemma tables from spacy-lookups-data, read without importing spaCy itself."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path


@cache
def lemma_table(lang: str) -> dict[str, str]:
    """The packaged lookup table as a plain dict ({} for languages without one)."""
    try:
        import spacy_lookups_data
    except ImportError:
        return {}
    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{lang}_lemma_lookup.json.gz"
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    table: dict[str, str] = {}
    for word, lemma in raw.items():
        if isinstance(lemma, list):  # the French table lists candidate lemmas
            if not lemma:
                continue
            lemma = lemma[0]
        table[word] = lemma.lower()
    return table
