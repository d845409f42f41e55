"""`policy-scan rules test`: every rule's examples must behave as the rule file says."""

from __future__ import annotations

from dataclasses import dataclass

from .detection.matcher import matcher_for
from .ruleset import RuleSet


@dataclass
class ExampleFailure:
    file: str
    line: int
    rule_id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule_id}: {self.problem}"


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def test_examples(ruleset: RuleSet) -> tuple[int, list[ExampleFailure]]:
    """Number of examples checked, and the ones that failed."""
    checked = 0
    failures: list[ExampleFailure] = []
    langs = sorted({r.lang for r in ruleset.rules + ruleset.exclusions})
    for lang in langs:
        matcher = matcher_for(ruleset, lang)
        nlp = matcher.nlp
        for rule in (r for r in ruleset.rules if r.lang == lang):
            for text, expected in [(t, True) for t in rule.match_examples] + [
                (t, False) for t in rule.no_match_examples
            ]:
                checked += 1
                hits = matcher.hits(nlp(text))
                fired = any(h.rule.id == rule.id for h in hits)
                if fired != expected:
                    why = "expected a match" if expected else "expected no match"
                    vetoed = ""
                    if expected:
                        names = sorted({v for v, _, _ in matcher.vetoes(nlp(text))})
                        vetoed = f" (vetoed by {', '.join(names)})" if names else ""
                    failures.append(
                        ExampleFailure(
                            rule.file,
                            rule.example_lines.get(text, rule.line),
                            rule.id,
                            f'{why}{vetoed}: "{_short(text)}"',
                        )
                    )
        for exclusion in (e for e in ruleset.exclusions if e.lang == lang):
            for text in exclusion.match_examples:
                checked += 1
                doc = nlp(text)
                fired = any(v == exclusion.id for v, _, _ in matcher.vetoes(doc))
                left = [h for h in matcher.hits(doc) if not h.rule.qualifier]  # qualifiers never decide
                if not fired:
                    failures.append(
                        ExampleFailure(
                            exclusion.file,
                            exclusion.example_lines.get(text, exclusion.line),
                            exclusion.id,
                            f'expected the exclusion to fire: "{_short(text)}"',
                        )
                    )
                elif left:
                    ids = ", ".join(sorted({h.rule.id for h in left}))
                    failures.append(
                        ExampleFailure(
                            exclusion.file,
                            exclusion.example_lines.get(text, exclusion.line),
                            exclusion.id,
                            f'rules still match ({ids}): "{_short(text)}"',
                        )
                    )
            for text in exclusion.no_match_examples:
                checked += 1
                if any(v == exclusion.id for v, _, _ in matcher.vetoes(nlp(text))):
                    failures.append(
                        ExampleFailure(
                            exclusion.file,
                            exclusion.example_lines.get(text, exclusion.line),
                            exclusion.id,
                            f'expected the exclusion not to fire: "{_short(text)}"',
                        )
                    )
    return checked, failures
