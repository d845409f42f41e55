"""The rule engine: pattern syntax, exclusions, requires/unless, validation as file:line."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from policy_scan.detection.matcher import RuleMatcher
from policy_scan.detection.pipeline import pipeline
from policy_scan.errors import RuleError
from policy_scan.ruleset import default_rules_dir, load_ruleset
from policy_scan.ruletest import test_examples as run_examples

THEME_FILE = """\
theme: T3
lang: en
rules:
  - id: T3-en-001
    name: remittances
    message: Remittances sent home
    patterns: ["remittance", "money send|sent home"]
    requires: {window: 10, any: [migrant, worker, abroad, household, family, diaspora]}
    unless: ["tax remittance"]
    examples:
      match: ["Remittances from workers abroad doubled."]
      no_match: ["Remittances of VAT are due monthly."]
  - id: T3-en-002
    name: hundi
    message: Informal transfer channels
    patterns: ["=Hundi|hundi", "informal _? transfer* _? _? abroad"]
    examples:
      match: ["Much money still moves through hundi."]
"""

EXCLUSIONS = """\
lang: en
exclusions:
  - id: FF-en-001
    name: fish
    message: Animals
    patterns: ["fish|bird migration", "migratory bird|fish|species"]
    examples:
      match: ["Fish migration routes are protected."]
      no_match: ["Labour migration grew."]
"""

LABOUR = """\
theme: T2
lang: en
rules:
  - id: T2-en-001
    name: migration
    message: Migration
    patterns: ["migra*"]
    examples:
      match: ["Labour migration grew."]
      no_match: ["Fish migration routes are protected."]
"""


@pytest.fixture()
def rules_dir(tmp_path: Path) -> Path:
    shutil.copy(default_rules_dir() / "taxonomy.yaml", tmp_path / "taxonomy.yaml")
    shutil.copy(default_rules_dir() / "stages.yaml", tmp_path / "stages.yaml")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "T03_remittances.yaml").write_text(THEME_FILE)
    (tmp_path / "en" / "T02_labour.yaml").write_text(LABOUR)
    (tmp_path / "en" / "exclusions.yaml").write_text(EXCLUSIONS)
    return tmp_path


def hits(ruleset, text: str, lang: str = "en") -> list[str]:
    matcher = RuleMatcher(ruleset, lang)
    return sorted({h.rule.id for h in matcher.hits(pipeline(lang)(text))})


def test_lemmas_match_inflections_and_case(rules_dir):
    ruleset, problems = load_ruleset(rules_dir)
    assert problems == []
    assert hits(ruleset, "REMITTANCES sent by Workers abroad rose.") == ["T3-en-001"]
    assert hits(ruleset, "Families receive money sent home by a son in Dubai.") == ["T3-en-001"]


def test_generic_rules_name_their_theme_only_when_nothing_specific_matched():
    from policy_scan.detection.judge import hit_themes
    from policy_scan.detection.matcher import matcher_for

    ruleset, _ = load_ruleset(strict=True, check_patterns=False)
    matcher, nlp = matcher_for(ruleset, "en"), pipeline("en")

    def themes(text: str) -> list[str]:
        return hit_themes(matcher.hits(nlp(text)))

    assert themes("Banks will offer cheaper remittance services to migrant workers.") == ["T3"]
    assert themes("Migrant workers in the fishing sector earn little.") == ["T2"]  # nothing else: T2 stays


def test_requires_needs_a_person_word_nearby(rules_dir):
    ruleset, _ = load_ruleset(rules_dir)
    assert hits(ruleset, "Remittance of the balance is expected in June.") == []


def test_unless_cancels_the_rule_in_that_sentence_only(rules_dir):
    ruleset, _ = load_ruleset(rules_dir)
    text = "The tax remittance by households is late. Remittances from workers abroad rose."
    matcher = RuleMatcher(ruleset, "en")
    found = matcher.hits(pipeline("en")(text))
    assert [h.sentence.text for h in found] == ["Remittances from workers abroad rose."]


def test_exclusions_veto_overlapping_matches(rules_dir):
    ruleset, _ = load_ruleset(rules_dir)
    assert hits(ruleset, "Migratory birds and fish migration are protected.") == []
    assert hits(ruleset, "Fish migration is protected, and labour migration is rising.") == ["T2-en-001"]


def test_wildcards_and_exact_case(rules_dir):
    ruleset, _ = load_ruleset(rules_dir)
    assert hits(ruleset, "Informal transfers from abroad dominate.") == ["T3-en-002"]
    assert hits(ruleset, "Hundi operators were licensed.") == ["T3-en-002"]


def test_examples_are_checked(rules_dir):
    ruleset, _ = load_ruleset(rules_dir)
    checked, failures = run_examples(ruleset)
    assert checked == 7 and failures == []
    broken = (
        (rules_dir / "en" / "T02_labour.yaml")
        .read_text()
        .replace('["Labour migration grew."]', '["Labour markets grew."]')
    )
    (rules_dir / "en" / "T02_labour.yaml").write_text(broken)
    ruleset, _ = load_ruleset(rules_dir)
    checked, failures = run_examples(ruleset)
    assert [f.rule_id for f in failures] == ["T2-en-001"]
    assert str(failures[0]).startswith(f"{rules_dir / 'en' / 'T02_labour.yaml'}:9: T2-en-001: expected a match")


def test_select_and_ignore_by_prefix(rules_dir):
    ruleset, _ = load_ruleset(rules_dir)
    assert sorted(r.id for r in ruleset.select(["T3"]).rules) == ["T3-en-001", "T3-en-002"]
    assert sorted(r.id for r in ruleset.select(ignore=["T3-en-001"]).rules) == ["T2-en-001", "T3-en-002"]
    assert [r.id for r in ruleset.select(["T1"]).rules] == []  # T1 does not select T10-T16 either


@pytest.mark.parametrize(
    "content, line, problem",
    [
        ("theme: T3\nlang: en\n  bad: indentation\n", 3, "invalid YAML"),
        ("theme: T99\nlang: en\nrules: []\n", 1, "unknown theme id 'T99'"),
        ("theme: T3\nlang: en\nrules:\n  - id: X-1\n    patterns: [remittance]\n", 4, "bad id 'X-1'"),
        (
            'theme: T3\nlang: en\nrules:\n  - id: T3-en-001\n    patterns: ["re*"]\n    examples: {match: [x]}\n',
            4,
            "prefix 're*' is too short",
        ),
        (
            "theme: T3\nlang: en\nrules:\n  - id: T3-en-001\n    patterns: [remittance]\n    colour: red\n"
            "    examples: {match: [x]}\n",
            6,
            "unknown key 'colour'",
        ),
        (
            "theme: T3\nlang: en\nrules:\n  - id: T3-en-001\n    patterns: [remittance]\n    generic: maybe\n"
            "    examples: {match: [x]}\n",
            6,
            "generic must be true or false",
        ),
        (
            "theme: T3\nlang: en\nrules:\n  - id: T3-en-001\n    patterns: [remittance]\n    themes: [T42]\n"
            "    examples: {match: [x]}\n",
            6,
            "unknown theme id 'T42'",
        ),
    ],
)
def test_malformed_rule_files_report_file_and_line(rules_dir, content, line, problem):
    bad = rules_dir / "en" / "T03_remittances.yaml"
    bad.write_text(textwrap.dedent(content))
    _, problems = load_ruleset(rules_dir, strict=False)
    assert problems, "the problem was not reported"
    first = problems[0]
    assert (first.path, first.line) == (str(bad), line)
    assert problem in first.problem
    with pytest.raises(RuleError):
        load_ruleset(rules_dir, strict=True)


def test_duplicate_ids_are_reported(rules_dir):
    (rules_dir / "en" / "T03_more.yaml").write_text(THEME_FILE)
    _, problems = load_ruleset(rules_dir, strict=False)
    assert any("duplicate id 'T3-en-001'" in p.problem for p in problems)


def test_bundled_rules_are_valid_and_their_examples_pass():
    ruleset, problems = load_ruleset()
    assert problems == [], "\n".join(map(str, problems[:20]))
    checked, failures = run_examples(ruleset)
    assert failures == [], "\n".join(map(str, failures[:20]))
    themes = {t for r in ruleset.rules if r.lang == "en" for t in r.themes}
    assert themes == {f"T{i}" for i in range(1, 17)}


@pytest.mark.parametrize(
    "lang, text, sentences",
    [
        ("en", "Workers are protected by Prakas No. 252 on wages. Fees are capped.", 2),
        ("en", "Is it allowed? No. The law forbids it.", 3),
        ("es", "Según el Decreto No. 216 de 2021, los migrantes tienen permiso. Se prorroga.", 2),
        ("es", "La Ley 1955 de 2019, art. 3, protege a los colombianos en el exterior.", 1),
    ],
)
def test_numbered_references_do_not_end_a_sentence(lang, text, sentences):
    assert len(list(pipeline(lang)(text).sents)) == sentences


def test_the_version_changes_with_a_language_file(tmp_path):
    """Heading words change which sentences are read in a migration section, so stored
    results made with other language files must not be taken as done."""
    copy = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), copy)
    before = load_ruleset(copy, strict=True, check_patterns=False)[0].version
    assert before == load_ruleset(default_rules_dir(), strict=True, check_patterns=False)[0].version
    language = copy / "en" / "language.yaml"
    language.write_text(language.read_text().replace("migration: [migra,", "migration: [migra, mobility,"))
    after = load_ruleset(copy, strict=True, check_patterns=False)[0].version
    assert after != before
