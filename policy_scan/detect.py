"""Passages -> findings: sentences flagged by rules (and, when given, the classifier).

A finding is one sentence: the smallest unit a reviewer can check.  Rule hits in the same
sentence merge into one finding carrying every rule id and matched term.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from .language import RULE_LANGUAGES, detect_language
from .matcher import STAGE_PRIORITY, RuleHit, matcher_for
from .model import Finding, Passage
from .nlp import pipeline
from .ruleset import RuleSet

RULE_SCORE = 0.8  # confidence of a finding backed by one rule; more rules add to it


class SentenceClassifier(Protocol):
    def score_sentences(self, texts: list[str], lang: str) -> list[tuple[float, list[str], str | None, list[str]]]:
        """Per text: relevance probability, themes, stage, strongest terms."""


@dataclass
class DetectOptions:
    sensitivity: float = 0.5  # 0 = precise, 1 = sensitive: shifts the classifier threshold
    batch_size: int = 128


def assign_languages(passages: list[Passage], doc_lang: str) -> None:
    """Per-passage language: long passages that clearly read as another language keep it.

    Short passages, tables and names say too little, so they follow the document.
    """
    for p in passages:
        lang = doc_lang
        if len(p.text) >= 250:
            found, share = detect_language(p.text, min_words=40)
            if found != "und" and found != doc_lang and share >= 0.25:
                lang = found
        p.lang = lang


def _stage(hits: list[RuleHit], cue_stages: set[str]) -> str:
    fixed = {h.rule.stage for h in hits if h.rule.stage}
    for stage in STAGE_PRIORITY:
        if stage in fixed or stage in cue_stages:
            return stage
    return "P1"


def detect(passages: list[Passage], ruleset: RuleSet, classifier: SentenceClassifier | None = None,
           options: DetectOptions | None = None) -> list[Finding]:
    options = options or DetectOptions()
    findings: list[Finding] = []
    by_lang: dict[str, list[Passage]] = defaultdict(list)
    for p in passages:
        by_lang[p.lang].append(p)
    for lang, group in by_lang.items():
        if lang not in RULE_LANGUAGES:
            continue  # reported as a warning by the scan; no rules to apply
        nlp = pipeline(lang)
        matcher = matcher_for(ruleset, lang)
        if classifier is None:
            group = [p for p in group if matcher.could_match(p.text)]
        else:
            group = [p for p in group if matcher.could_match(p.text) or classifier.could_match(p.text, lang)]
        docs = nlp.pipe((p.text for p in group), batch_size=options.batch_size)
        for passage, doc in zip(group, docs):
            hits = matcher.hits(doc)
            by_sentence: dict[int, list[RuleHit]] = defaultdict(list)
            for hit in hits:
                by_sentence[hit.sentence.start].append(hit)
            if classifier is not None:
                findings.extend(_classifier_findings(passage, doc, by_sentence, classifier, lang, options, matcher))
                continue
            for hits_here in by_sentence.values():
                sentence = hits_here[0].sentence
                findings.append(_finding(passage, sentence, hits_here, matcher, lang))
    findings.sort(key=lambda f: f.char_start)
    return findings


def _cue_stages(matcher, sentence) -> set[str]:
    return {matcher.nlp.vocab.strings[k] for k, s, e in matcher.cue_matcher(sentence)}


def _finding(passage: Passage, sentence, hits: list[RuleHit], matcher, lang: str) -> Finding:
    rule_ids = sorted({h.rule.id for h in hits})
    themes = sorted({t for h in hits for t in h.rule.themes}, key=lambda t: int(t[1:]))
    terms = list(dict.fromkeys(h.text for h in sorted(hits, key=lambda h: h.start)))
    page, boxes = passage.locate(sentence.start_char, sentence.end_char)
    score = min(0.99, RULE_SCORE + 0.05 * (len(rule_ids) - 1))
    return Finding(page=page, text=sentence.text, char_start=passage.offset + sentence.start_char,
                   char_end=passage.offset + sentence.end_char, chapter=passage.chapter, themes=themes,
                   stage=_stage(hits, _cue_stages(matcher, sentence)), score=round(score, 3), source="rule",
                   rule_ids=rule_ids, matched_terms=terms, boxes=boxes, lang=lang, ocr=passage.ocr)


def _classifier_findings(passage, doc, by_sentence, classifier, lang, options, matcher) -> list[Finding]:
    sentences = list(doc.sents)
    scored = classifier.score_sentences([s.text for s in sentences], lang)
    threshold = 0.5 + 0.35 * (0.5 - options.sensitivity)  # sensitivity 0 -> 0.675, 1 -> 0.325
    out: list[Finding] = []
    for sentence, (prob, themes, stage, terms) in zip(sentences, scored):
        hits = by_sentence.get(sentence.start, [])
        if hits:
            finding = _finding(passage, sentence, hits, matcher, lang)
            if prob >= threshold:
                finding.source = "both"
                finding.score = round(max(finding.score, prob), 3)
                finding.classifier_terms = terms
            out.append(finding)
        elif prob >= threshold and themes:
            page, boxes = passage.locate(sentence.start_char, sentence.end_char)
            cue = _stage([], _cue_stages(matcher, sentence))
            out.append(Finding(page=page, text=sentence.text, char_start=passage.offset + sentence.start_char,
                               char_end=passage.offset + sentence.end_char, chapter=passage.chapter,
                               themes=themes, stage=stage or cue, score=round(prob, 3), source="classifier",
                               classifier_terms=terms, boxes=boxes, lang=lang, ocr=passage.ocr))
    return out
