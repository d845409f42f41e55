"""A finding's planning stage (P1..P7 as the taxonomy has them).

Rules alone: the stage a rule names wins; else the cue words of the sentence, else those of
its nearest chapter title that has any; of several, the first in the taxonomy's
`stage_precedence`; with none, the shallowest stage (a mention in the analysis).

With the classifier: its stage head (learnt from labelled real sentences) reads what a
sentence does with migration; a stage a rule names and a stage the cue words signal each
add CUE_BONUS to that stage's probability (`blend_stage`).  Neither source alone was as
right on the dev documents (README: stage accuracy).
"""

from __future__ import annotations

from ..ruleset import Taxonomy
from .matcher import RuleHit, RuleMatcher

# Chosen on the dev documents (held-out fold models): accuracy 0.600-0.610 for bonuses of
# 0.2-0.4 per source, against 0.560 for the stage head alone and 0.517 for cues alone.
CUE_BONUS = 0.3


def finding_stage(hits: list[RuleHit], matcher: RuleMatcher, sentence, chapter: list[str] | None) -> str:
    """The stage of a sentence with these rule hits (none for a classifier finding)."""
    return stage_of(hits, cue_stages(matcher, sentence, chapter), matcher.taxonomy)


def blend_stage(
    stage_probs: dict[str, float], hits: list[RuleHit], matcher: RuleMatcher, sentence, chapter: list[str] | None
) -> str:
    """The stage head's most probable stage once rule stages and cue stages are added in."""
    score = dict(stage_probs)
    for stage in {h.rule.stage for h in hits if h.rule.stage}:
        score[stage] = score.get(stage, 0.0) + CUE_BONUS
    for stage in cue_stages(matcher, sentence, chapter):
        score[stage] = score.get(stage, 0.0) + CUE_BONUS
    order = matcher.taxonomy.precedence  # ties go to the more committing stage
    return max(score, key=lambda s: (score[s], -order.index(s) if s in order else -len(order)))


def stage_of(hits: list[RuleHit], cue_stages: set[str], taxonomy: Taxonomy) -> str:
    fixed = {h.rule.stage for h in hits if h.rule.stage}
    for stage in taxonomy.precedence:
        if stage in fixed or stage in cue_stages:
            return stage
    return taxonomy.analysis_stage


def cue_stages(matcher: RuleMatcher, sentence, chapter: list[str] | None = None) -> set[str]:
    """Stage cues in the sentence; failing those, in its nearest chapter title that has any.

    A results-matrix cell ("The Government works with banks to ...") says nothing of its
    stage; the chapter it sits in ("Objectives of the policy") does.
    """
    found = matcher.stages(sentence)
    for title in reversed(chapter or []):
        if found:
            break
        found = matcher.stages(_title_doc(matcher, title)[:])
    return found


_TITLES: dict[tuple[str, str], object] = {}


def _title_doc(matcher: RuleMatcher, title: str):
    key = (matcher.lang, title)
    if key not in _TITLES:
        if len(_TITLES) > 5000:
            _TITLES.clear()
        _TITLES[key] = matcher.nlp(title)
    return _TITLES[key]
