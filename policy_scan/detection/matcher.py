"""Rules applied to spaCy docs: exclusions first, then theme rules, then stage cues.

One `RuleMatcher` per language holds gated matchers for rules, exclusions, `unless` vetoes
and stage cues, plus the `requires` predicates, all compiled once from a `RuleSet`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from ..ruleset import Rule, RuleSet
from .lexicon import lemma_table
from .patterns import (
    PatternError,
    Requirement,
    compile_pattern,
    compile_problems,  # moved there (ruleset.py needs it: import cycle); still importable here
    literal_values,
    requirements,
    token_predicate,
)
from .pipeline import pipeline

_WORD = re.compile(r"\w+")


@dataclass
class RuleHit:
    rule: Rule
    sentence: Span
    start: int  # token offsets in the doc
    end: int

    @property
    def text(self) -> str:
        return self.sentence.doc[self.start : self.end].text


_WORDS_CACHE: dict[tuple[str, int], tuple[set[str], set[str]]] = {}


def _plain_words(text: str, table: dict[str, str]) -> tuple[set[str], set[str]]:
    """Lower-cased words of a text and their lemmas (cached: the rule, exclusion, veto and
    cue matchers all ask about the same sentences)."""
    key = (text, id(table))
    found = _WORDS_CACHE.get(key)
    if found is None:
        if len(_WORDS_CACHE) > 20000:
            _WORDS_CACHE.clear()
        words = set(_WORD.findall(text.lower()))
        get = table.get
        found = _WORDS_CACHE[key] = (words, {get(w, w) for w in words})
    return found


class GatedMatcher:
    """Named groups of patterns, each with its own spaCy Matcher behind a word check.

    One big Matcher over every token spent seconds of a 268-page scan on wildcard states
    that could never complete.  Here a group runs only on text whose plain words can satisfy
    every word position of one of its patterns (and its `context`, when given): a safe
    test, since a match needs those words.
    """

    def __init__(self, nlp, table: dict[str, str]):
        self.nlp = nlp
        self.table = table
        self.matchers: dict[str, Matcher] = {}
        self._patterns: list[tuple[str, list[Requirement], Requirement | None]] = []
        self._literals: list[tuple[str, tuple[str, ...], Requirement | None]] = []
        self._by_norm: dict[str, list[int]] = defaultdict(list)
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._by_stem: dict[str, list[tuple[str, int]]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self.matchers)

    def add(self, key: str, patterns: list[str], context: Requirement | None = None) -> None:
        matcher = Matcher(self.nlp.vocab)
        matcher.add(key, [p for pat in patterns for p in compile_pattern(pat, self.nlp)])
        self.matchers[key] = matcher
        for pat in patterns:
            needed = requirements(pat, self.nlp)
            if not needed:  # no plain word in the pattern (e.g. "10.c.1"): look for the literal text
                self._literals.append((key, tuple(literal_values(pat, self.nlp)), context))
                continue
            i = len(self._patterns)
            self._patterns.append((key, needed, context))
            first = needed[0]
            for norm in first.norms:
                self._by_norm[norm].append(i)
            for word in first.words:
                self._by_word[word].append(i)
            for prefix in first.prefixes:
                self._by_stem[prefix[:3]].append((prefix, i))

    def candidates(self, text: str) -> set[str]:
        """Groups that can match this text, judged by its plain words."""
        words, lemmas = _plain_words(text, self.table)
        found: set[int] = set()
        for norm in lemmas:
            found.update(self._by_norm.get(norm, ()))
        for word in words:
            found.update(self._by_word.get(word, ()))
            for prefix, i in self._by_stem.get(word[:3], ()):
                if word.startswith(prefix):
                    found.add(i)
        keys: set[str] = set()
        for i in found:
            key, needed, context = self._patterns[i]
            if (
                key not in keys
                and all(r.met(words, lemmas) for r in needed[1:])
                and (context is None or context.met(words, lemmas))
            ):
                keys.add(key)
        if self._literals:
            low = text.lower()
            for key, values, context in self._literals:
                if (
                    key not in keys
                    and any(v in low for v in values)
                    and (context is None or context.met(words, lemmas))
                ):
                    keys.add(key)
        return keys

    def __call__(self, doclike: Doc | Span, keys: set[str] | None = None) -> list[tuple[str, int, int]]:
        """(key, start, end) with token offsets in the doc; `keys` restricts the groups tried."""
        wanted = self.candidates(doclike.text) if keys is None else keys
        if not wanted:
            return []
        if isinstance(doclike, Doc) and len(wanted) > 1 and doclike.has_annotation("SENT_START"):
            # Several groups: narrow each to the sentences that can hold it, since a spaCy
            # Matcher walks every token of what it is given.
            out = []
            for sentence in doclike.sents:
                here = wanted & self.candidates(sentence.text)
                if here:
                    out.extend(self(sentence, here))
            return out
        offset = doclike.start if isinstance(doclike, Span) else 0
        out = []
        for key in sorted(wanted):
            for _, start, end in self.matchers[key](doclike):
                out.append((key, offset + start, offset + end))
        return out


def _context(specs: list[str], nlp) -> Requirement | None:
    """The words a rule's `requires` needs nearby, or None if plain words cannot show them."""
    parts = [requirements(spec, nlp) for spec in specs]
    if not specs or not all(parts):  # e.g. "pré-départ*" or "%": no cheap test, so no gate
        return None
    flat = [r for part in parts for r in part]
    return Requirement(
        frozenset().union(*(r.norms for r in flat)),
        frozenset().union(*(r.words for r in flat)),
        tuple(sorted({p for r in flat for p in r.prefixes})),
    )


class RuleMatcher:
    """A language's rules, exclusions, `unless` vetoes and stage cues, compiled once."""

    def __init__(self, ruleset: RuleSet, lang: str):
        self.lang = lang
        self.taxonomy = ruleset.taxonomy
        self.nlp = pipeline(ruleset.spacy_code(lang))
        rules, exclusions, cues = ruleset.for_lang(lang)
        self.rules = {r.id: r for r in rules}
        self.exclusions = {e.id: e for e in exclusions}
        table = lemma_table(ruleset.spacy_code(lang))
        self.rule_matcher = GatedMatcher(self.nlp, table)
        self.exclusion_matcher = GatedMatcher(self.nlp, table)
        self.unless_matcher = GatedMatcher(self.nlp, table)
        self.cue_matcher = GatedMatcher(self.nlp, table)
        self.requires = {}
        try:
            for rule in rules:
                self.rule_matcher.add(rule.id, rule.patterns, _context(rule.requires_any, self.nlp))
                if rule.unless:
                    self.unless_matcher.add(rule.id, rule.unless)
                if rule.requires_any:
                    self.requires[rule.id] = (
                        rule.requires_window,
                        [token_predicate(s, self.nlp) for s in rule.requires_any],
                    )
            for exclusion in exclusions:
                self.exclusion_matcher.add(exclusion.id, exclusion.patterns)
                if exclusion.unless:
                    self.unless_matcher.add(exclusion.id, exclusion.unless)
            for cue in cues:
                self.cue_matcher.add(f"{cue.stage}:{len(self.cue_matcher)}", cue.patterns)
        except PatternError:
            raise compile_problems(ruleset, [lang])[0] from None

    def candidate_rules(self, text: str) -> set[str]:
        return self.rule_matcher.candidates(text)

    def stages(self, sentence: Span) -> set[str]:
        """Stages whose cues appear in the sentence."""
        return {key.split(":")[0] for key, _, _ in self.cue_matcher(sentence)}

    def _unless(self, sentence: Span) -> set[str]:
        return {key for key, _, _ in self.unless_matcher(sentence)}

    def vetoes(self, doclike: Doc | Span) -> list[tuple[str, int, int]]:
        """Exclusion spans, less those cancelled by the exclusion's own `unless` in the sentence."""
        found = self.exclusion_matcher(doclike)
        if not found:
            return []
        out = []
        for key, s, e in found:
            sentence = doclike.doc[s].sent
            if key in self._unless(sentence):
                continue
            out.append((key, s, e))
        return out

    def hits(self, doc: Doc, candidates: set[str] | None = None) -> list[RuleHit]:
        """Rule matches that survive exclusions, `unless` and `requires`.

        Only the rules that can match the text (see `candidate_rules`) are run, and the
        vetoes only on the sentences that have a match.
        """
        matches = self.rule_matcher(doc, candidates)
        by_sentence: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
        for key, start, end in matches:
            sentence = doc[start].sent
            if sentence.end >= end:  # a match never spans sentences
                by_sentence[sentence.start].append((key, start, end))
        hits: list[RuleHit] = []
        for found in by_sentence.values():
            sentence = doc[found[0][1]].sent
            vetoes = self.vetoes(sentence)
            cancelled = self._unless(sentence)
            for rule_id, start, end in found:
                if rule_id in cancelled or any(s < end and e > start for _, s, e in vetoes):
                    continue
                if rule_id in self.requires:
                    window, predicates = self.requires[rule_id]
                    lo, hi = max(sentence.start, start - window), min(sentence.end, end + window)
                    context = [t for t in doc[lo:hi] if not start <= t.i < end]
                    if not any(pred(t) for t in context for pred in predicates):
                        continue
                hits.append(RuleHit(self.rules[rule_id], sentence, start, end))
        return hits


_CACHE: dict[tuple[int, str], RuleMatcher] = {}


def matcher_for(ruleset: RuleSet, lang: str) -> RuleMatcher:
    key = (id(ruleset), lang)
    if key not in _CACHE:
        _CACHE[key] = RuleMatcher(ruleset, lang)
    return _CACHE[key]
