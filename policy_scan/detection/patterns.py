"""The rule pattern syntax, compiled to spaCy Matcher token patterns.

    word      lemma equals lemma(word), case-insensitive   (matches on NORM, see pipeline.py)
    word*     lower-cased surface form starts with word    (LOWER + REGEX)
    a|b|c     any of the alternatives
    =Word     exact surface form, case-sensitive           (ORTH)
    _         any one token;   _?  zero or one token

A spec whose alternatives use different attributes is expanded into several Matcher
patterns (one per attribute), since a Matcher token dict cannot OR across attributes.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Token

from ..errors import RuleError
from .pipeline import pipeline

MAX_EXPANSIONS = 64  # Matcher patterns one pattern string may expand to


class PatternError(ValueError):
    """A pattern string that does not follow the syntax."""


@dataclass(frozen=True)
class Alternative:
    attr: str  # NORM | LOWER_PREFIX | ORTH
    value: str


def _parse_alternative(text: str, nlp: Language) -> list[Alternative]:
    """One alternative; a hyphenated or apostrophe word may become several tokens."""
    if not text:
        raise PatternError("empty alternative (check for a stray '|')")
    if text.startswith("="):
        word = text[1:]
        if not word:
            raise PatternError("'=' must be followed by a word")
        return [Alternative("ORTH", t.text) for t in nlp.make_doc(word)]
    if text.endswith("*"):
        stem = text[:-1].lower()
        if len(stem) < 3:
            raise PatternError(f"prefix '{text}' is too short (3 letters at least)")
        if "*" in stem or " " in stem:
            raise PatternError(f"'*' may only end a prefix: '{text}'")
        return [Alternative("LOWER_PREFIX", stem)]
    if "*" in text:
        raise PatternError(f"'*' may only end a prefix: '{text}'")
    lemmatize = nlp.get_pipe("lemma_norm").lemma
    if text.isalpha():  # one plain word is one token: no need to run the tokenizer
        return [Alternative("NORM", lemmatize(text))]
    return [Alternative("NORM", lemmatize(t.text)) for t in nlp.make_doc(text)]


_PARSED: dict[tuple[str, int], list] = {}


def parse(pattern: str, nlp: Language) -> list[list[Alternative] | str]:
    """Pattern string -> positions; each position is a list of alternatives, '_' or '_?'."""
    key = (pattern, id(nlp)) if isinstance(pattern, str) else None
    if key in _PARSED:
        return _PARSED[key]
    positions = _parse(pattern, nlp)
    _PARSED[key] = positions
    return positions


def _parse(pattern: str, nlp: Language) -> list[list[Alternative] | str]:
    if not isinstance(pattern, str) or not pattern.strip():
        raise PatternError("a pattern must be a non-empty string")
    positions: list[list[Alternative] | str] = []
    for spec in pattern.split():
        if spec in ("_", "_?"):
            positions.append(spec)
            continue
        alternatives = spec.split("|")
        parsed = [_parse_alternative(a, nlp) for a in alternatives]
        if len(parsed) == 1:
            positions.extend([alt] for alt in parsed[0])
        else:
            if any(len(p) != 1 for p in parsed):
                raise PatternError(f"alternatives must each be one token: '{spec}'")
            positions.append([p[0] for p in parsed])
    if all(isinstance(p, str) for p in positions):
        raise PatternError("a pattern needs at least one word")
    if isinstance(positions[0], str) or isinstance(positions[-1], str):
        raise PatternError("a pattern may not start or end with '_' or '_?'")
    return positions


def _token_dicts(alternatives: list[Alternative]) -> list[dict]:
    by_attr: dict[str, list[str]] = {}
    for alt in alternatives:
        by_attr.setdefault(alt.attr, []).append(alt.value)
    dicts = []
    for attr, values in by_attr.items():
        values = sorted(set(values))
        if attr == "LOWER_PREFIX":
            regex = "^(?:" + "|".join(re.escape(v) for v in values) + ")"
            dicts.append({"LOWER": {"REGEX": regex}})
        elif len(values) == 1:
            dicts.append({attr: values[0]})
        else:
            dicts.append({attr: {"IN": values}})
    return dicts


def compile_pattern(pattern: str, nlp: Language) -> list[list[dict]]:
    """All Matcher token-pattern lists for one pattern string."""
    options = []
    for position in parse(pattern, nlp):
        if position == "_":
            options.append([{}])
        elif position == "_?":
            options.append([{"OP": "?"}])
        else:
            options.append(_token_dicts(position))
    # Counted before expanding: 30 positions each mixing three kinds would be 3**30 patterns.
    if math.prod(len(o) for o in options) > MAX_EXPANSIONS:
        raise PatternError(f"pattern mixes too many kinds of alternatives (over {MAX_EXPANSIONS} expansions)")
    return [list(c) for c in itertools.product(*options)]


def token_predicate(spec: str, nlp: Language) -> Callable[[Token], bool]:
    """A single-token spec (for `requires`) as a predicate over tokens."""
    positions = parse(spec, nlp)
    if len(positions) != 1 or isinstance(positions[0], str):
        raise PatternError(f"'{spec}' must be a single token spec (no spaces, no '_')")
    norms = {a.value for a in positions[0] if a.attr == "NORM"}
    orths = {a.value for a in positions[0] if a.attr == "ORTH"}
    prefixes = tuple(a.value for a in positions[0] if a.attr == "LOWER_PREFIX")

    def matches(token: Token) -> bool:
        return token.norm_ in norms or token.text in orths or (bool(prefixes) and token.lower_.startswith(prefixes))

    return matches


_WORDLIKE = re.compile(r"^\w+$")


@dataclass(frozen=True)
class Requirement:
    """What one pattern position needs to see among a text's plain words (lower-cased)."""

    norms: frozenset[str]
    words: frozenset[str]
    prefixes: tuple[str, ...]

    def met(self, words: set[str], lemmas: set[str]) -> bool:
        return (
            bool(self.norms & lemmas)
            or bool(self.words & words)
            or (bool(self.prefixes) and any(w.startswith(self.prefixes) for w in words))
        )


def literal_values(pattern: str, nlp: Language) -> list[str]:
    """Lower-cased alternatives of a pattern's first position (for patterns with no words)."""
    for position in parse(pattern, nlp):
        if not isinstance(position, str):
            return [a.value.lower() for a in position]
    return []


def requirements(pattern: str, nlp: Language) -> list[Requirement]:
    """One requirement per word-like position: a text lacking any of them cannot match.

    Positions made of punctuation (the hyphen in "pre-departure") and wildcards are left
    out, since plain-word splitting does not see them.
    """
    out = []
    for position in parse(pattern, nlp):
        if isinstance(position, str) or not all(_WORDLIKE.match(a.value) for a in position):
            continue
        out.append(
            Requirement(
                frozenset(a.value for a in position if a.attr == "NORM"),
                frozenset(a.value.lower() for a in position if a.attr == "ORTH"),
                tuple(sorted(a.value for a in position if a.attr == "LOWER_PREFIX")),
            )
        )
    return out


def compile_problems(ruleset, only: list[str] | None = None) -> list[RuleError]:
    """Every pattern of a rule set (a loaded `ruleset.RuleSet`) that does not compile, as
    file:line problems.

    Here, with the syntax, rather than in matcher.py: ruleset.py calls it to validate rule
    files, and matcher.py imports ruleset.py, so keeping it there made an import cycle.  This
    module names no type of ruleset.py either (not even for annotations), so that the two
    stay apart: ruleset.py -> patterns.py is the only arrow between them.
    """
    problems: list[RuleError] = []
    langs = {r.lang for r in ruleset.rules + ruleset.exclusions} | {c.lang for c in ruleset.cues}
    if only:
        langs &= set(only)
    for lang in (lang for lang in ruleset.langs if lang in langs):
        nlp = pipeline(ruleset.spacy_code(lang))
        items: list = [r for r in ruleset.rules + ruleset.exclusions if r.lang == lang]
        items += [c for c in ruleset.cues if c.lang == lang]
        for item in items:
            label = getattr(item, "id", item.stage)
            specs = list(item.patterns) + list(getattr(item, "unless", []))
            for pattern in specs:
                try:
                    compile_pattern(pattern, nlp)
                except PatternError as exc:
                    problems.append(RuleError(item.file, f"{label}: pattern '{pattern}': {exc}", item.line))
            for spec in getattr(item, "requires_any", []):
                try:
                    token_predicate(spec, nlp)
                except PatternError as exc:
                    problems.append(RuleError(item.file, f"{label}: requires '{spec}': {exc}", item.line))
    return problems
