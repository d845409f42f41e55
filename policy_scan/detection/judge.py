"""Passages -> findings: sentences flagged by rules and by the classifier.

A finding is one sentence: the smallest unit a reviewer can check.  Rule hits in the same
sentence merge into one finding carrying every rule id and matched term; the classifier
scores the sentences of candidate passages in one batch and adds findings the rules miss
(source "classifier") or confirms theirs (source "both").  Under a heading about migration
("Managed migration", "Trafficking in persons") a sentence often speaks of it only through
that context ("the victim", "these workers"); there a far lower classifier score makes a
finding (source "section").
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from ..languages import Languages, load_languages
from ..model import Finding, Passage
from ..ruleset import RuleSet, theme_order
from .matcher import RuleHit, RuleMatcher, matcher_for
from .stages import blend_stage, finding_stage

MIN_CLASSIFIER_WORDS = 6  # fragments (table cells, broken lines) are too short to judge
RULE_SCORE = 0.8  # confidence of a finding backed by one rule; each further rule adds 0.05

# A heading that names human mobility (the `headings.migration` words of each language file,
# which leave out words with a common other sense: border, mobility, travel).  Gate and
# length were chosen on the dev documents (README: Measured quality); both are recall-first.
# The gate fell from 0.10 to 0.02 when the classifier was retrained on every sentence of the
# corpus: with 38,000 real ordinary sentences its probabilities sit lower (dev F1 0.903 at
# 0.10, 0.908 at 0.01-0.02, 0.899 at 0).  The heading does most of the work; the model only
# turns away sentences it is sure are about something else.
SECTION_THRESHOLD = 0.02  # classifier probability a sentence under such a heading needs
SECTION_MIN_WORDS = 10  # shorter lines there are mostly table cells and list stubs
_WORD = re.compile(r"\w+")

# A finding's themes with the classifier: each theme's probability, plus RULE_THEME_BONUS for
# a theme a rule names; themes reaching THEME_KEEP are kept (at most 3, at least the best).
# So a rule's theme needs the model to give it 0.1, a theme no rule names needs 0.6: the word
# a rule matched is not enough when the sentence is about something else.  Chosen on the dev
# documents: theme micro-F1 0.756-0.767 for bonuses 0.3-0.6 and keeps 0.5-0.7 (0.731 before).
RULE_THEME_BONUS = 0.5
THEME_KEEP = 0.6


def in_migration_section(chapter: list[str] | None, languages: Languages | None = None) -> bool:
    """Is the innermost heading above a passage about migration (in any known language)?"""
    if not chapter:
        return False
    return (languages or load_languages()).migration_heading.search(chapter[-1]) is not None


def section_sentence(text: str) -> bool:
    return len(_WORD.findall(text)) >= SECTION_MIN_WORDS


class SentenceClassifier(Protocol):
    identity: str

    def could_match(self, text: str, lang: str | None = None) -> bool:
        """False when the text has no word the model treats as evidence."""

    def predict(self, texts: list[str]) -> list[dict]:
        """Per text: score (relevance probability), themes, stage, terms, and theme_probs and
        stage_probs (dicts), which the scan blends with the rules' themes and cues."""


@dataclass
class DetectOptions:
    sensitivity: float = 0.5  # 0 = rules only, 1 = most sensitive classifier threshold
    batch_size: int = 128


def classifier_threshold(sensitivity: float) -> float:
    """Probability a sentence needs to become a finding on the classifier's word alone.

    Real plans are far from the authored corpus, so a classifier-only finding needs high
    confidence: 0.9 at the default sensitivity 0.5 (chosen on the dev half of the real
    sentences, see README), 0.6 at 1.0; at 0.0 only rules count.
    """
    return round(0.6 + 0.6 * (1.0 - sensitivity), 3)


def _base(passage: Passage, sentence, lang: str) -> dict:
    page, boxes = passage.locate(sentence.start_char, sentence.end_char)
    return {
        "page": page,
        "text": sentence.text,
        "char_start": passage.offset + sentence.start_char,
        "char_end": passage.offset + sentence.end_char,
        "chapter": passage.chapter,
        "boxes": boxes,
        "lang": lang,
        "ocr": passage.ocr,
    }


def hit_themes(hits: list[RuleHit]) -> list[str]:
    """The themes a sentence's rule hits name.

    "Remittance services for migrant workers" is about remittances: the population word
    behind a generic rule adds its theme only when nothing more specific matched.
    """
    specific = [h for h in hits if not h.rule.generic]
    population = [h for h in hits if h.rule.generic and not h.rule.net]
    themes = {t for h in (specific or population or hits) for t in h.rule.themes}
    return sorted(themes, key=theme_order)


def merge_themes(themes: list[str], more: list[str]) -> list[str]:
    return sorted(set(themes) | set(more), key=theme_order)


def blend_themes(theme_probs: dict[str, float], rule_themes: list[str]) -> list[str]:
    score = dict(theme_probs)
    for theme in rule_themes:
        score[theme] = score.get(theme, 0.0) + RULE_THEME_BONUS
    ranked = sorted(score, key=lambda t: (-score[t], theme_order(t)))
    kept = [t for t in ranked if score[t] >= THEME_KEEP][:3] or ranked[:1]
    return sorted(kept, key=theme_order)


def deciding(hits: list[RuleHit]) -> list[RuleHit]:
    """The hits that make a sentence relevant: all but qualifiers."""
    return [h for h in hits if not h.rule.qualifier]


def qualified_themes(themes: list[str], hits: list[RuleHit]) -> list[str]:
    return merge_themes(themes, [t for h in hits if h.rule.qualifier for t in h.rule.themes])


def rule_finding(passage: Passage, sentence, hits: list[RuleHit], matcher: RuleMatcher, lang: str) -> Finding:
    rule_ids = sorted({h.rule.id for h in hits})
    themes = qualified_themes(hit_themes(deciding(hits)), hits)
    terms = list(dict.fromkeys(h.text for h in sorted(hits, key=lambda h: h.start)))
    score = min(0.99, RULE_SCORE + 0.05 * (len(rule_ids) - 1))
    return Finding(
        **_base(passage, sentence, lang),
        themes=themes,
        stage=finding_stage(hits, matcher, sentence, passage.chapter),
        score=round(score, 3),
        source="rule",
        rule_ids=rule_ids,
        matched_terms=terms,
    )


def detect(
    passages: list[Passage],
    ruleset: RuleSet,
    classifier: SentenceClassifier | None = None,
    options: DetectOptions | None = None,
) -> list[Finding]:
    options = options or DetectOptions()
    use_classifier = classifier is not None and options.sensitivity > 0
    threshold = classifier_threshold(options.sensitivity)
    findings: list[Finding] = []
    by_lang: dict[str, list[Passage]] = defaultdict(list)
    for p in passages:
        if not p.reference_list:  # citations name migration; they do not address it
            by_lang[p.lang].append(p)
    for lang, group in by_lang.items():
        if lang not in ruleset.langs:
            continue  # reported as a warning by the scan; no rules to apply
        matcher = matcher_for(ruleset, lang)
        nlp = matcher.nlp
        for_rules = [matcher.candidate_rules(p.text) for p in group]
        for_model = [use_classifier and classifier.could_match(p.text, lang) for p in group]
        in_section = [use_classifier and in_migration_section(p.chapter, ruleset.languages) for p in group]
        chosen = [(p, r, m or c) for p, r, m, c in zip(group, for_rules, for_model, in_section) if r or m or c]
        docs = nlp.pipe((p.text for p, _, _ in chosen), batch_size=options.batch_size)
        pending: list[tuple[Passage, object, list[RuleHit]]] = []  # sentences the model scores
        for (passage, try_rules, try_model), doc in zip(chosen, docs):
            section = use_classifier and in_migration_section(passage.chapter, ruleset.languages)
            by_sentence: dict[int, list[RuleHit]] = defaultdict(list)
            if try_rules:
                for hit in matcher.hits(doc, try_rules):
                    by_sentence[hit.sentence.start].append(hit)
            if use_classifier:
                for sentence in doc.sents:
                    hits = by_sentence.get(sentence.start, [])
                    if (
                        deciding(hits)
                        or (section and section_sentence(sentence.text))
                        or (try_model and classifier.could_match(sentence.text, lang))
                    ):
                        pending.append((passage, sentence, hits))
            else:
                findings.extend(
                    rule_finding(passage, hs[0].sentence, hs, matcher, lang)
                    for hs in by_sentence.values()
                    if deciding(hs)
                )
        if pending:
            scores = classifier.predict([s.text for _, s, _ in pending])
            for (passage, sentence, hits), scored in zip(pending, scores):
                prob, themes, terms = scored["score"], scored["themes"], scored["terms"]
                theme_probs, stage_probs = scored["theme_probs"], scored["stage_probs"]
                if deciding(hits):
                    finding = rule_finding(passage, sentence, hits, matcher, lang)
                    finding.stage = blend_stage(stage_probs, deciding(hits), matcher, sentence, passage.chapter)
                    finding.themes = blend_themes(theme_probs, finding.themes)
                    if prob >= 0.5:
                        finding.source = "both"
                        finding.score = round(max(finding.score, prob), 3)
                        finding.classifier_terms = terms
                    findings.append(finding)
                elif themes and (
                    (prob >= threshold and sum(t.is_alpha for t in sentence) >= MIN_CLASSIFIER_WORDS)
                    or (
                        prob >= SECTION_THRESHOLD
                        and in_migration_section(passage.chapter, ruleset.languages)
                        and section_sentence(sentence.text)
                    )
                ):
                    findings.append(
                        Finding(
                            **_base(passage, sentence, lang),
                            themes=blend_themes(theme_probs, qualified_themes([], hits)),
                            stage=blend_stage(stage_probs, [], matcher, sentence, passage.chapter),
                            score=round(prob, 3),
                            source="classifier" if prob >= threshold else "section",
                            classifier_terms=terms,
                        )
                    )
    findings.sort(key=lambda f: f.char_start)
    return findings


@dataclass
class SentenceVerdict:
    relevant: bool
    themes: list[str]
    stage: str | None
    score: float
    source: str | None  # rule | classifier | both, as for a finding; None when not relevant


def judge_sentences(
    texts: list[str],
    langs: list[str],
    ruleset: RuleSet | None,
    classifier: SentenceClassifier | None = None,
    options: DetectOptions | None = None,
    chapters: list[list[str]] | None = None,
    threshold: float | None = None,
    reference_list: list[bool] | None = None,
) -> list[SentenceVerdict]:
    """What `scan` decides for each text, read as a passage of its own (for `classify` and `evaluate`).

    Runs `detect` itself, so the verdicts are the scan's: rules, vetoes and the classifier's
    gates. Without a rule set the classifier alone decides, at `threshold` (default: the
    scan's threshold for the sensitivity).
    """
    options = options or DetectOptions()
    if ruleset is None:
        threshold = classifier_threshold(options.sensitivity) if threshold is None else threshold
        out = []
        for p in classifier.predict(texts):
            relevant = p["score"] >= threshold
            out.append(
                SentenceVerdict(
                    relevant,
                    p["themes"] if relevant else [],
                    p["stage"] if relevant else None,
                    round(p["score"], 4),
                    "classifier" if relevant else None,
                )
            )
        return out
    passages, offset = [], 0
    for i, (text, lang) in enumerate(zip(texts, langs)):
        chapter = chapters[i] if chapters else []
        in_references = bool(reference_list[i]) if reference_list else False
        passages.append(Passage(i, text, 1, list(chapter), offset=offset, lang=lang, reference_list=in_references))
        offset += len(text) + 2
    starts = [p.offset for p in passages]
    found: dict[int, list[Finding]] = defaultdict(list)
    for f in detect(passages, ruleset, classifier, options):
        found[bisect.bisect_right(starts, f.char_start) - 1].append(f)
    verdicts = []
    for i in range(len(texts)):
        fs = found.get(i)
        if not fs:
            verdicts.append(SentenceVerdict(False, [], None, 0.0, None))
            continue
        best = max(fs, key=lambda f: f.score)
        themes = sorted({t for f in fs for t in f.themes}, key=theme_order)
        verdicts.append(SentenceVerdict(True, themes, best.stage, best.score, best.source))
    return verdicts
