"""Rules applied to spaCy docs: exclusions first, then theme rules, then stage cues.

One `RuleMatcher` per language holds three spaCy Matchers (exclusions, rules, per-rule
`unless` vetoes) plus the `requires` predicates, all compiled once from a `RuleSet`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from .errors import RuleError
from .nlp import lemma_table, pipeline
from .patterns import PatternError, Requirement, compile_pattern, literal_values, requirements, token_predicate
from .ruleset import LANGS, Rule, RuleSet, StageCue

_WORD = re.compile(r"\w+")

# When several stage cues appear in a sentence, the most specific commitment wins.
STAGE_PRIORITY = ("P3", "P6", "P5", "P4", "P7", "P2", "P1")


@dataclass
class RuleHit:
    rule: Rule
    sentence: Span
    start: int  # token offsets in the doc
    end: int

    @property
    def text(self) -> str:
        return self.sentence.doc[self.start:self.end].text


class RuleMatcher:
    def __init__(self, ruleset: RuleSet, lang: str):
        self.lang = lang
        self.nlp = pipeline(lang)
        rules, exclusions, cues = ruleset.for_lang(lang)
        self.rules = {r.id: r for r in rules}
        self.exclusions = {e.id: e for e in exclusions}
        vocab = self.nlp.vocab
        self.exclusion_matcher = Matcher(vocab)
        self.unless_matcher = Matcher(vocab)
        self.cue_matcher = Matcher(vocab)
        self.requires = {}
        try:
            self._compile(rules, exclusions, cues)
        except PatternError:
            raise compile_problems(ruleset, [lang])[0] from None

    def _compile(self, rules, exclusions, cues) -> None:
        # One spaCy Matcher per rule, run only where a cheap word check says the rule can
        # match: with 170 rules, one big Matcher over every token spent seconds on
        # wildcard states that could never complete.
        self.rule_matchers: dict[str, Matcher] = {}
        self._patterns: list[tuple[str, list[Requirement], Requirement | None]] = []
        self._literals: list[tuple[str, tuple[str, ...], Requirement | None]] = []
        for rule in rules:
            m = Matcher(self.nlp.vocab)
            m.add(rule.id, [p for pat in rule.patterns for p in compile_pattern(pat, self.nlp)])
            self.rule_matchers[rule.id] = m
            if rule.unless:
                self.unless_matcher.add(rule.id, [p for pat in rule.unless for p in compile_pattern(pat, self.nlp)])
            context = None
            if rule.requires_any:
                self.requires[rule.id] = (rule.requires_window, [token_predicate(s, self.nlp) for s in rule.requires_any])
                parts = [requirements(spec, self.nlp) for spec in rule.requires_any]
                # A `requires` term that plain words cannot see ("pré-départ*", "%") makes the
                # context unknowable cheaply: then only the patterns pre-filter this rule.
                if all(parts):
                    flat = [r for part in parts for r in part]
                    context = Requirement(frozenset().union(*(r.norms for r in flat)),
                                          frozenset().union(*(r.words for r in flat)),
                                          tuple(sorted({p for r in flat for p in r.prefixes})))
            for pat in rule.patterns:
                needed = requirements(pat, self.nlp)
                if needed:
                    self._patterns.append((rule.id, needed, context))
                else:  # no plain word in the pattern (e.g. "10.c.1"): look for the literal text
                    self._literals.append((rule.id, tuple(literal_values(pat, self.nlp)), context))
        # Index every pattern by the alternatives of its first word position.
        self._by_norm: dict[str, list[int]] = defaultdict(list)
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._by_stem: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for i, (_, needed, _) in enumerate(self._patterns):
            key = needed[0]
            for norm in key.norms:
                self._by_norm[norm].append(i)
            for word in key.words:
                self._by_word[word].append(i)
            for prefix in key.prefixes:
                self._by_stem[prefix[:3]].append((prefix, i))
        self.lemma_table = lemma_table(self.lang if self.lang in ("en", "es", "fr") else "en")
        for exclusion in exclusions:
            self.exclusion_matcher.add(exclusion.id, [p for pat in exclusion.patterns for p in compile_pattern(pat, self.nlp)])
            if exclusion.unless:
                self.unless_matcher.add(exclusion.id, [p for pat in exclusion.unless for p in compile_pattern(pat, self.nlp)])
        for cue in cues:
            self.cue_matcher.add(cue.stage, [p for pat in cue.patterns for p in compile_pattern(pat, self.nlp)])

    def candidate_rules(self, text: str) -> set[str]:
        """Rules that can match this text, by a safe check on its plain words.

        A pattern matches only if every one of its word positions finds a word in the text
        (and its rule's `requires` finds one too), so rules failing that are skipped.
        """
        words = set(_WORD.findall(text.lower()))
        lemma = self.lemma_table.get
        lemmas = {lemma(w, w) for w in words}
        found: set[int] = set()
        for norm in lemmas:
            found.update(self._by_norm.get(norm, ()))
        for word in words:
            found.update(self._by_word.get(word, ()))
            for prefix, i in self._by_stem.get(word[:3], ()):
                if word.startswith(prefix):
                    found.add(i)
        rules: set[str] = set()
        for i in found:
            rule_id, needed, context = self._patterns[i]
            if rule_id not in rules and all(r.met(words, lemmas) for r in needed[1:]) and (
                    context is None or context.met(words, lemmas)):
                rules.add(rule_id)
        if self._literals:
            low = text.lower()
            for rule_id, values, context in self._literals:
                if any(v in low for v in values) and (context is None or context.met(words, lemmas)):
                    rules.add(rule_id)
        return rules

    def could_match(self, text: str) -> bool:
        """False means no rule can match, and spaCy can be skipped for this text."""
        return bool(self.candidate_rules(text))

    @cached_property
    def _strings(self):
        return self.nlp.vocab.strings

    def _unless(self, doc: Doc) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        if len(self.unless_matcher):
            for key, s, _ in self.unless_matcher(doc):
                found.setdefault(self._strings[key], []).append(s)
        return found

    def vetoes(self, doc: Doc, unless: dict[str, list[int]] | None = None) -> list[tuple[str, int, int]]:
        """Exclusion spans, less those cancelled by the exclusion's own `unless` in the sentence."""
        if not len(self.exclusion_matcher):
            return []
        unless = self._unless(doc) if unless is None else unless
        out = []
        for key, s, e in self.exclusion_matcher(doc):
            name = self._strings[key]
            if name in unless:
                sent = doc[s].sent
                if any(sent.start <= u < sent.end for u in unless[name]):
                    continue
            out.append((name, s, e))
        return out

    def hits(self, doc: Doc, candidates: set[str] | None = None) -> list[RuleHit]:
        """Rule matches that survive exclusions, `unless` and `requires`.

        Only the rules that can match the text (see `candidate_rules`) are run.
        """
        if candidates is None:
            candidates = self.candidate_rules(doc.text)
        matches: list[tuple[str, int, int]] = []
        for rule_id in sorted(candidates):
            for _, start, end in self.rule_matchers[rule_id](doc):
                if doc[start].sent.start == doc[end - 1].sent.start:  # a match never spans sentences
                    matches.append((rule_id, start, end))
        if not matches:
            return []
        unless = self._unless(doc)
        vetoes = self.vetoes(doc, unless)
        hits: list[RuleHit] = []
        for rule_id, start, end in matches:
            if any(s < end and e > start for _, s, e in vetoes):
                continue
            sentence = doc[start].sent
            if rule_id in unless and any(sentence.start <= s < sentence.end for s in unless[rule_id]):
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


def compile_problems(ruleset: RuleSet, only: list[str] | None = None) -> list[RuleError]:
    """Every pattern that does not compile, as file:line problems."""
    problems: list[RuleError] = []
    langs = {r.lang for r in ruleset.rules + ruleset.exclusions} | {c.lang for c in ruleset.cues}
    if only:
        langs &= set(only)
    for lang in (lang for lang in LANGS if lang in langs):
        nlp = pipeline(lang)
        items: list[Rule | StageCue] = [r for r in ruleset.rules + ruleset.exclusions if r.lang == lang]
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
