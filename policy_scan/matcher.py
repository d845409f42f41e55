"""Rules applied to spaCy docs: exclusions first, then theme rules, then stage cues.

One `RuleMatcher` per language holds three spaCy Matchers (exclusions, rules, per-rule
`unless` vetoes) plus the `requires` predicates, all compiled once from a `RuleSet`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from .errors import RuleError
from .nlp import lemma_table, pipeline
from .patterns import PatternError, anchor, compile_pattern, token_predicate
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
        self.rule_matcher = Matcher(vocab)
        self.exclusion_matcher = Matcher(vocab)
        self.unless_matcher = Matcher(vocab)
        self.cue_matcher = Matcher(vocab)
        self.requires = {}
        try:
            self._compile(rules, exclusions, cues)
        except PatternError:
            raise compile_problems(ruleset, [lang])[0] from None

    def _compile(self, rules, exclusions, cues) -> None:
        self.anchor_norms: set[str] = set()
        self.anchor_words: set[str] = set()
        prefixes: list[str] = []
        self.always = False  # some pattern has no word to pre-filter on
        for rule in rules:
            for pat in rule.patterns:
                alternatives = anchor(pat, self.nlp)
                if alternatives is None:
                    self.always = True
                    continue
                for alt in alternatives:
                    if alt.attr == "NORM":
                        self.anchor_norms.add(alt.value)
                    elif alt.attr == "ORTH":
                        self.anchor_words.add(alt.value.lower())
                    else:
                        prefixes.append(alt.value)
            self.rule_matcher.add(rule.id, [p for pat in rule.patterns for p in compile_pattern(pat, self.nlp)])
            if rule.unless:
                self.unless_matcher.add(rule.id, [p for pat in rule.unless for p in compile_pattern(pat, self.nlp)])
            if rule.requires_any:
                self.requires[rule.id] = (rule.requires_window, [token_predicate(s, self.nlp) for s in rule.requires_any])
        self.anchor_prefixes = tuple(sorted(set(prefixes)))
        self.lemma_table = lemma_table(self.lang if self.lang in ("en", "es", "fr") else "en")
        for exclusion in exclusions:
            self.exclusion_matcher.add(exclusion.id, [p for pat in exclusion.patterns for p in compile_pattern(pat, self.nlp)])
        for cue in cues:
            self.cue_matcher.add(cue.stage, [p for pat in cue.patterns for p in compile_pattern(pat, self.nlp)])

    def could_match(self, text: str) -> bool:
        """Cheap test: can any rule match this text?  False means spaCy can be skipped."""
        if self.always:
            return True
        words = set(_WORD.findall(text.lower()))
        if words & self.anchor_words:
            return True
        lemma = self.lemma_table.get
        if any(lemma(w, w) in self.anchor_norms for w in words):
            return True
        return bool(self.anchor_prefixes) and any(w.startswith(self.anchor_prefixes) for w in words)

    @cached_property
    def _strings(self):
        return self.nlp.vocab.strings

    def vetoes(self, doc: Doc) -> list[tuple[str, int, int]]:
        if not len(self.exclusion_matcher):
            return []
        return [(self._strings[k], s, e) for k, s, e in self.exclusion_matcher(doc)]

    def hits(self, doc: Doc) -> list[RuleHit]:
        """Rule matches that survive exclusions, `unless` and `requires`."""
        if not len(self.rule_matcher):
            return []
        matches = self.rule_matcher(doc)
        if not matches:
            return []
        vetoes = self.vetoes(doc)
        unless = {}
        if len(self.unless_matcher):
            for key, s, e in self.unless_matcher(doc):
                unless.setdefault(self._strings[key], []).append(s)
        hits: list[RuleHit] = []
        for key, start, end in matches:
            rule_id = self._strings[key]
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
