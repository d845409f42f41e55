"""Themes and languages are data: adding one needs rule files, not Python."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from policy_scan.assess import assess
from policy_scan.detect import judge_sentences
from policy_scan.model import Passage
from policy_scan.ruleset import default_rules_dir, load_ruleset

T17_RULES = """\
theme: T17
lang: en
rules:
  - id: T17-en-001
    name: nomad
    message: Pastoral mobility
    patterns: ["pastoralist|nomad"]
    examples:
      match: ["Nomad herders cross the border each dry season."]
"""


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    return rules


def test_a_theme_is_added_by_taxonomy_and_rules_alone(rules_copy):
    taxonomy = rules_copy / "taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    theme = textwrap.dedent("""\
      - id: T17
        title: "Pastoral and seasonal mobility"
        short: "Pastoral mobility"
        gcm: [5]
        sdg: []
        entry_point: "Plan for pastoral routes."
    """)
    taxonomy.write_text(text.replace("stages:\n", textwrap.indent(theme, "  ") + "stages:\n", 1), encoding="utf-8")
    (rules_copy / "en" / "T17_pastoral.yaml").write_text(T17_RULES, encoding="utf-8")
    ruleset, problems = load_ruleset(rules_copy, strict=False, check_patterns=False)
    assert problems == []
    assert ruleset.taxonomy.theme_ids[-1] == "T17"
    sentence = "Nomad herders and their families will be supported across the region."
    [verdict] = judge_sentences([sentence], ["en"], ruleset)
    assert verdict.relevant and verdict.themes == ["T17"]
    passage = Passage(0, sentence, 1, ["Chapter 1"], lang="en")
    from policy_scan.detect import detect

    assessment = assess(detect([passage], ruleset), [passage], ruleset.taxonomy)
    by_theme = {t.theme: t for t in assessment.themes}
    assert by_theme["T17"].verdict == "partial" and len(by_theme) == 17
