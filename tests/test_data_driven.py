"""Themes and languages are data: adding one needs rule files, not Python."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from policy_scan.assess import assess
from policy_scan.detection.judge import judge_sentences
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
    from policy_scan.detection.judge import detect

    assessment = assess(detect([passage], ruleset), [passage], ruleset.taxonomy)
    by_theme = {t.theme: t for t in assessment.themes}
    assert by_theme["T17"].verdict == "partial" and len(by_theme) == 17


# A language is a folder with a language.yaml and rule files: Italian, which the bundled rules
# do not have, added from data alone (spaCy has Italian; spacy-lookups-data its lemmas).
ITALIAN = """\
code: it
name: Italian (toy)
spacy: it
tesseract: ita
stop_words: [il, lo, gli, di, del, della, delle, dei, che, per, con, sono, una, nel, nella, anche, non,
             come, questo, questa, loro, alle, dalle, molte, intende, ricevono]
headings:
  chapter: [capitolo]
contents: [sommario]
"""

ITALIAN_RULES = """\
theme: T3
lang: it
rules:
  - id: T3-it-001
    name: rimesse
    message: Rimesse dei lavoratori emigrati
    patterns: ["rimess*"]
    examples:
      match: ["Le rimesse dei lavoratori emigrati sono cresciute."]
      no_match: ["Il governo costruisce nuove strade."]
"""

ITALIAN_TEXT = (
    "Il governo sostiene le famiglie che ricevono le rimesse dei lavoratori emigrati all'estero. "
    "Le rimesse sono una fonte di reddito per molte famiglie delle zone rurali, e il piano prevede anche "
    "servizi finanziari per loro. Questo capitolo descrive come il governo intende ridurre il costo "
    "delle rimesse nel periodo del piano, con le banche e con gli uffici postali."
)


@pytest.fixture
def italian_rules(rules_copy) -> Path:
    (rules_copy / "it").mkdir()
    (rules_copy / "it" / "language.yaml").write_text(ITALIAN, encoding="utf-8")
    (rules_copy / "it" / "T03_rimesse.yaml").write_text(ITALIAN_RULES, encoding="utf-8")
    return rules_copy


def test_a_language_is_added_by_data_alone(italian_rules, tmp_path):
    import json
    import subprocess
    import sys

    from fpdf import FPDF

    from policy_scan.language import detect_language
    from policy_scan.languages import load_languages

    languages = load_languages(italian_rules)
    assert languages.rule_languages == ("en", "es", "fr", "it")
    assert languages.name("it") == "Italian (toy)" and languages.tesseract("it") == "ita"
    assert detect_language(ITALIAN_TEXT, languages=languages)[0] == "it"
    assert languages.chapter_heading.match("Capitolo 2 Migrazione")

    def policy_scan(*args):
        return subprocess.run([sys.executable, "-m", "policy_scan", *args], capture_output=True, text=True,
                              timeout=300)

    validate = policy_scan("rules", "validate", "--rules", str(italian_rules))
    assert validate.returncode == 0 and "(en, es, fr, it)" in validate.stdout, validate.stdout + validate.stderr

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, "Capitolo 2 Migrazione e sviluppo", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(0, 6, ITALIAN_TEXT, new_x="LMARGIN", new_y="NEXT")
    plan = tmp_path / "piano.pdf"
    pdf.output(str(plan))
    run = policy_scan("scan", str(plan), "--rules", str(italian_rules), "--no-classifier", "--format", "json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["document"]["language"] == "it" and result["document"]["language_name"] == "Italian (toy)"
    assert [o["title"] for o in result["outline"] if o["level"] == 1] == ["Capitolo 2 Migrazione e sviluppo"]
    assert {f["lang"] for f in result["findings"]} == {"it"}
    assert {r for f in result["findings"] for r in f["rule_ids"]} == {"T3-it-001"}
    assert not any("no rules for" in w for w in result["warnings"])
    # Without the Italian folder the same plan is identified as Italian and left unchecked.
    bundled = policy_scan("scan", str(plan), "--no-classifier", "--format", "json")
    assert json.loads(bundled.stdout)["findings"] == []
    assert policy_scan("scan", str(plan), "--lang", "it").returncode == 2
