"""Loading and validating rule files: taxonomy, stage cues, theme rules, exclusions.

Validation collects every problem as ``file:line: problem`` instead of stopping at the
first, the way a linter reports all of a file's errors at once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .bundled import default_rules_dir
from .errors import RuleError
from .languages import LANGUAGE_FILE, Languages, language_sources, load_languages
from .yamlio import LineDict, load_yaml

# Ids only have a form here: which themes, stages and languages exist is the data's to say
# (taxonomy.yaml, and a language.yaml in each language's folder).
_RULE_ID = re.compile(r"^T[1-9]\d*-[a-z]{2,3}-\d{3}$")
_EXCLUSION_ID = re.compile(r"^FF-[a-z]{2,3}-\d{3}$")
_THEME_ID = re.compile(r"^T[1-9]\d*$")
_STAGE_ID = re.compile(r"^P[1-9]\d*$")
RULE_KEYS = {
    *("id", "name", "message", "patterns", "themes", "stage", "requires", "unless", "examples"),
    *("generic", "net", "qualifier"),
}
EXCLUSION_KEYS = {"id", "name", "message", "patterns", "unless", "examples"}


@dataclass
class Theme:
    id: str
    title: str
    short: str
    gcm: list[int]
    sdg: list[str]
    entry_point: str
    labels: dict[str, str] = field(default_factory=dict)  # title per language


@dataclass
class Stage:
    id: str
    title: str
    depth: int
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Taxonomy:
    """The themes and planning stages: the one place that says which exist (taxonomy.yaml)."""

    themes: dict[str, Theme]
    stages: dict[str, Stage]
    gcm_titles: dict[int, str]
    # When stage cues of several stages meet in a sentence, the first of these wins.
    precedence: list[str] = field(default_factory=list)

    @property
    def theme_ids(self) -> list[str]:
        return list(self.themes)

    @property
    def stage_ids(self) -> list[str]:
        return list(self.stages)

    @property
    def analysis_stage(self) -> str:
        """The shallowest stage (a mention in the analysis): a finding's stage when nothing says more."""
        return min(self.stages.values(), key=lambda s: (s.depth, s.id)).id


def theme_order(theme_id: str) -> int:
    """Sort key of a theme id (T2 before T10)."""
    return int(theme_id[1:])


def default_taxonomy() -> Taxonomy:
    """The bundled taxonomy, for code that has no rule set at hand (a model, an audit export)."""
    return _taxonomy_at(str(default_rules_dir()))


@cache
def _taxonomy_at(rules_dir: str) -> Taxonomy:
    problems = _Problems()
    taxonomy = load_taxonomy(Path(rules_dir) / "taxonomy.yaml", problems)
    if problems.errors:
        raise problems.errors[0]
    return taxonomy


@dataclass
class Rule:
    id: str
    name: str
    message: str
    lang: str
    themes: list[str]
    patterns: list[str]
    stage: str | None = None
    requires_window: int = 0
    requires_any: list[str] = field(default_factory=list)
    unless: list[str] = field(default_factory=list)
    match_examples: list[str] = field(default_factory=list)
    no_match_examples: list[str] = field(default_factory=list)
    file: str = ""
    line: int = 0
    example_lines: dict[str, int] = field(default_factory=dict)  # example text -> its line
    # A generic rule (a population word such as "migrant workers") makes a sentence relevant
    # but names its themes only when no specific rule matched the sentence too.
    generic: bool = False
    # A net rule (the wide net of mobility words) makes a sentence a candidate; its themes are
    # a last resort, after specific rules, generic rules and the classifier's view.
    net: bool = False
    # A qualifier (women and children, for T9) adds its themes to a sentence that other
    # rules or the classifier found relevant; it never makes a sentence relevant itself.
    qualifier: bool = False


@dataclass
class StageCue:
    stage: str
    lang: str
    patterns: list[str]
    file: str
    line: int


@dataclass
class RuleSet:
    taxonomy: Taxonomy
    rules: list[Rule]
    exclusions: list[Rule]  # exclusions reuse Rule: id, patterns, examples
    cues: list[StageCue]
    version: str  # digest of every rule file: a change invalidates stored results
    languages: Languages | None = None  # the languages of the rules folder (languages.py)

    @property
    def langs(self) -> tuple[str, ...]:
        """The languages with rules."""
        return (self.languages or load_languages()).rule_languages

    def spacy_code(self, lang: str) -> str:
        """The spaCy pipeline a language is read with (languages.py)."""
        return (self.languages or load_languages()).spacy_code(lang)

    def for_lang(self, lang: str) -> tuple[list[Rule], list[Rule], list[StageCue]]:
        return (
            [r for r in self.rules if r.lang == lang],
            [e for e in self.exclusions if e.lang == lang],
            [c for c in self.cues if c.lang == lang],
        )

    def select(self, select: list[str] | None = None, ignore: list[str] | None = None) -> RuleSet:
        """Keep rules whose id starts with a --select prefix and with no --ignore prefix."""

        def keep(rule_id: str) -> bool:
            ok = not select or any(_prefix_match(rule_id, s) for s in select)
            return ok and not any(_prefix_match(rule_id, i) for i in ignore or [])

        rules = [r for r in self.rules if keep(r.id)]
        return RuleSet(self.taxonomy, rules, self.exclusions, self.cues, self.version, self.languages)


def _prefix_match(rule_id: str, prefix: str) -> bool:
    # Like ruff's --select: a prefix selects every id it begins, but "T1" stops at the
    # theme boundary and so does not select T10..T16.
    if rule_id == prefix:
        return True
    if "-" not in prefix.rstrip("-"):
        return rule_id.startswith(prefix.rstrip("-") + "-")
    return rule_id.startswith(prefix)


class _Problems:
    def __init__(self) -> None:
        self.errors: list[RuleError] = []

    def add(self, path: Path | str, line: int | None, problem: str) -> None:
        self.errors.append(RuleError(str(path), problem, line))


def _line(obj, key=None, default: int = 0) -> int:
    if isinstance(obj, LineDict) and key is not None and key in obj.key_lines:
        return obj.key_lines[key]
    return getattr(obj, "line", default)


def _str_list(value, path, line, what, problems: _Problems) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(path, line, f"{what} must be a list of non-empty strings")
        return []
    return list(value)


def load_taxonomy(path: Path, problems: _Problems) -> Taxonomy:
    data = load_yaml(path, RuleError)
    if not isinstance(data, dict):
        problems.add(path, 1, "taxonomy must be a mapping with 'themes' and 'stages'")
        return Taxonomy({}, {}, {}, [])
    themes: dict[str, Theme] = {}
    for item in data.get("themes") or []:
        line = _line(item)
        if not isinstance(item, dict) or not _THEME_ID.match(str(item.get("id", ""))):
            problems.add(path, line, "theme needs an id T<number>, e.g. T1")
            continue
        themes[item["id"]] = Theme(
            item["id"],
            str(item.get("title", "")),
            str(item.get("short", item.get("title", ""))),
            [int(g) for g in item.get("gcm") or []],
            [str(s) for s in item.get("sdg") or []],
            str(item.get("entry_point", "")).strip(),
            dict(item.get("labels") or {}),
        )
    stages: dict[str, Stage] = {}
    for item in data.get("stages") or []:
        line = _line(item)
        if not isinstance(item, dict) or not _STAGE_ID.match(str(item.get("id", ""))):
            problems.add(path, line, "stage needs an id P<number>, e.g. P1")
            continue
        stages[item["id"]] = Stage(
            item["id"], str(item.get("title", "")), int(item.get("depth", 1)), dict(item.get("labels") or {})
        )
    if not themes or not stages:
        problems.add(path, 1, "taxonomy needs at least one theme and one stage")
    precedence = _str_list(data.get("stage_precedence"), path, _line(data, "stage_precedence", 1), "stage_precedence",
                           problems)
    if sorted(precedence) != sorted(stages):
        problems.add(path, _line(data, "stage_precedence", 1), "stage_precedence must list every stage once")
        precedence = sorted(stages, key=lambda s: -stages[s].depth)
    gcm = {int(k): str(v) for k, v in (data.get("gcm_objectives") or {}).items()}
    return Taxonomy(themes, stages, gcm, precedence)


def load_stage_cues(
    path: Path, taxonomy: Taxonomy, problems: _Problems, langs: tuple[str, ...] | None = None
) -> list[StageCue]:
    langs = langs or load_languages().rule_languages
    data = load_yaml(path, RuleError)
    cues: list[StageCue] = []
    if not isinstance(data, dict) or not isinstance(data.get("cues"), dict):
        problems.add(path, 1, "stages file must have a 'cues' mapping: stage -> language -> patterns")
        return cues
    for stage, by_lang in data["cues"].items():
        line = _line(data["cues"], stage)
        if stage not in taxonomy.stages:
            problems.add(path, line, f"unknown stage '{stage}'")
            continue
        if not isinstance(by_lang, dict):
            problems.add(path, line, f"cues for {stage} must map language -> list of patterns")
            continue
        for lang, patterns in by_lang.items():
            if lang not in langs:
                problems.add(path, _line(by_lang, lang), f"unknown language '{lang}'")
                continue
            cues.append(
                StageCue(
                    stage,
                    lang,
                    _str_list(patterns, path, _line(by_lang, lang), "cues", problems),
                    str(path),
                    _line(by_lang, lang),
                )
            )
    return cues


def _parse_rule(
    item, path: Path, file_theme: str | None, lang: str, taxonomy: Taxonomy, problems: _Problems, exclusion: bool
) -> Rule | None:
    line = _line(item)
    if not isinstance(item, dict):
        problems.add(path, line, "each entry must be a mapping with id, patterns, examples")
        return None
    allowed = EXCLUSION_KEYS if exclusion else RULE_KEYS
    for key in item:
        if key not in allowed:
            problems.add(path, _line(item, key), f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")
    rule_id = str(item.get("id", ""))
    id_re = _EXCLUSION_ID if exclusion else _RULE_ID
    if not id_re.match(rule_id):
        form = "FF-{lang}-NNN" if exclusion else "{theme}-{lang}-NNN, e.g. T3-en-001"
        problems.add(path, _line(item, "id", line), f"bad id '{rule_id}': expected {form}")
        return None
    if not rule_id.startswith(f"{file_theme}-") and not exclusion:
        problems.add(
            path, _line(item, "id", line), f"id '{rule_id}' does not belong to theme {file_theme} of this file"
        )
    if f"-{lang}-" not in rule_id:
        problems.add(path, _line(item, "id", line), f"id '{rule_id}' does not match the file's language '{lang}'")
    patterns = _str_list(item.get("patterns"), path, _line(item, "patterns", line), "patterns", problems)
    if not patterns:
        problems.add(path, _line(item, "patterns", line), f"{rule_id}: at least one pattern is required")
    themes = [file_theme] if file_theme else []
    if "themes" in item:
        extra = _str_list(item["themes"], path, _line(item, "themes", line), "themes", problems)
        for t in extra:
            if t not in taxonomy.themes:
                problems.add(path, _line(item, "themes", line), f"{rule_id}: unknown theme id '{t}'")
        themes = list(dict.fromkeys(themes + [t for t in extra if t in taxonomy.themes]))
    stage = item.get("stage")
    if stage is not None and (not isinstance(stage, str) or stage not in taxonomy.stages):
        problems.add(path, _line(item, "stage", line), f"{rule_id}: unknown stage '{stage}'")
        stage = None
    window, requires_any = 0, []
    if "requires" in item:
        req = item["requires"]
        rline = _line(item, "requires", line)
        if not isinstance(req, dict) or "any" not in req:
            problems.add(path, rline, f"{rule_id}: requires needs 'any' (and optionally 'window')")
        else:
            window = req.get("window", 8)
            if not isinstance(window, int) or not 1 <= window <= 50:
                problems.add(path, rline, f"{rule_id}: requires.window must be a whole number from 1 to 50")
                window = 8
            requires_any = _str_list(req.get("any"), path, rline, "requires.any", problems)
    unless = _str_list(item.get("unless"), path, _line(item, "unless", line), "unless", problems)
    generic = item.get("generic", False)
    if not isinstance(generic, bool):
        problems.add(path, _line(item, "generic", line), f"{rule_id}: generic must be true or false")
        generic = False
    net = item.get("net", False)
    if not isinstance(net, bool):
        problems.add(path, _line(item, "net", line), f"{rule_id}: net must be true or false")
        net = False
    qualifier = item.get("qualifier", False)
    if not isinstance(qualifier, bool):
        problems.add(path, _line(item, "qualifier", line), f"{rule_id}: qualifier must be true or false")
        qualifier = False
    examples = item.get("examples") or {}
    eline = _line(item, "examples", line)
    if not isinstance(examples, dict):
        problems.add(path, eline, f"{rule_id}: examples must map 'match' and 'no_match' to lists")
        examples = {}
    for key in examples:
        if key not in ("match", "no_match"):
            problems.add(path, eline, f"{rule_id}: unknown examples key '{key}' (use match, no_match)")
    match = _str_list(examples.get("match"), path, eline, "examples.match", problems)
    no_match = _str_list(examples.get("no_match"), path, eline, "examples.no_match", problems)
    if not match:
        problems.add(path, eline, f"{rule_id}: at least one 'match' example is required")
    example_lines = {}
    for key in ("match", "no_match"):
        items = examples.get(key)
        for text, item_line in zip(items or [], getattr(items, "item_lines", [])):
            if isinstance(text, str):
                example_lines[text] = item_line
    return Rule(
        rule_id,
        str(item.get("name", "")),
        str(item.get("message", "")).strip(),
        lang,
        themes,
        patterns,
        stage,
        window,
        requires_any,
        unless,
        match,
        no_match,
        str(path),
        line,
        example_lines,
        generic or net,
        net,
        qualifier,
    )


def load_rule_file(
    path: Path, taxonomy: Taxonomy, problems: _Problems, langs: tuple[str, ...] | None = None
) -> tuple[list[Rule], list[Rule]]:
    langs = langs or load_languages().rule_languages
    data = load_yaml(path, RuleError)
    if not isinstance(data, dict):
        problems.add(path, 1, "a rule file must be a mapping with 'lang' and 'rules' (or 'exclusions')")
        return [], []
    lang = data.get("lang")
    if lang not in langs:
        problems.add(path, _line(data, "lang", 1), f"lang must be one of {', '.join(langs)}")
        return [], []
    if "exclusions" in data:
        items = data["exclusions"]
        if not isinstance(items, list):
            problems.add(path, _line(data, "exclusions", 1), "'exclusions' must be a list")
            return [], []
        parsed = [_parse_rule(i, path, None, lang, taxonomy, problems, True) for i in items]
        return [], [r for r in parsed if r]
    theme = data.get("theme")
    if not isinstance(theme, str) or theme not in taxonomy.themes:  # a list or mapping is no id either
        known = _id_range(taxonomy.themes)
        problems.add(path, _line(data, "theme", 1), f"unknown theme id '{theme}' (taxonomy.yaml has {known})")
        return [], []
    items = data.get("rules")
    if not isinstance(items, list):
        problems.add(path, _line(data, "rules", 1), "'rules' must be a list")
        return [], []
    parsed = [_parse_rule(i, path, theme, lang, taxonomy, problems, False) for i in items]
    return [r for r in parsed if r], []


def _id_range(ids) -> str:
    ids = list(ids)
    return f"{ids[0]}..{ids[-1]}" if ids else "none"


def rule_files(rules_dir: Path, langs: tuple[str, ...] | None = None) -> list[Path]:
    """The rule files of every language folder (its language.yaml is data, not rules)."""
    langs = langs if langs is not None else load_languages(rules_dir).rule_languages
    return sorted(p for lang in langs for p in (rules_dir / lang).glob("*.yaml") if p.name != LANGUAGE_FILE)


def load_ruleset(
    rules_dir: str | Path | None = None, strict: bool = True, check_patterns: bool = True
) -> tuple[RuleSet, list[RuleError]]:
    """Load and validate every rule file; with strict, raise the first problem found.

    check_patterns compiles every pattern of every language, which loads all three spaCy
    languages (seconds); a scan skips it and compiles only its document's language.
    """
    rules_dir = Path(rules_dir) if rules_dir else default_rules_dir()
    problems = _Problems()
    taxonomy_path = rules_dir / "taxonomy.yaml"
    if not taxonomy_path.exists():
        raise RuleError(str(rules_dir), "not a rules folder (no taxonomy.yaml)")
    digest = hashlib.sha256()
    try:
        languages = load_languages(rules_dir)
    except RuleError as exc:
        if strict:
            raise
        problems.errors.append(exc)
        languages = load_languages()
    langs = languages.rule_languages
    taxonomy = load_taxonomy(taxonomy_path, problems)
    cues = load_stage_cues(rules_dir / "stages.yaml", taxonomy, problems, langs)
    rules: list[Rule] = []
    exclusions: list[Rule] = []
    # Language files are in the digest too: their heading words decide which sentences are
    # read under a migration heading and which are citations, so they change the findings.
    for path in language_sources(rules_dir):
        digest.update(f"{path.parent.name}/{path.name}".encode() + path.read_bytes())
    files = [taxonomy_path, rules_dir / "stages.yaml", *rule_files(rules_dir, langs)]
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
        if path.parent == rules_dir:
            continue
        try:
            r, e = load_rule_file(path, taxonomy, problems, langs)
        except RuleError as exc:
            problems.errors.append(exc)
            continue
        rules += r
        exclusions += e
    seen: dict[str, Rule] = {}
    for rule in rules + exclusions:
        if rule.id in seen:
            problems.add(
                rule.file, rule.line, f"duplicate id '{rule.id}' (first at {seen[rule.id].file}:{seen[rule.id].line})"
            )
        seen[rule.id] = rule
    ruleset = RuleSet(taxonomy, rules, exclusions, cues, digest.hexdigest()[:16], languages)
    if check_patterns:
        from .detection.patterns import compile_problems  # pattern syntax needs the language pipelines

        problems.errors += compile_problems(ruleset)
    if strict and problems.errors:
        raise problems.errors[0]
    return ruleset, problems.errors
