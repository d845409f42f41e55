"""The languages policy-scan knows, read from data (as spaCy's ``lang/xx/``).

A language with rules is a folder of the rules directory holding a ``language.yaml``: its
name, spaCy and Tesseract codes, the stop words that identify it, and the words of its
headings, contents pages and page numbers.  ``languages.yaml`` at the top of the rules
directory lists the languages that are only told apart (reported by name, not checked).
Adding a language is adding data: no module names one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from .bundled import default_rules_dir
from .errors import RuleError

LANGUAGE_FILE = "language.yaml"
IDENTIFY_FILE = "languages.yaml"
_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class LanguageData:
    code: str
    name: str
    rules: bool  # a folder of rules checks this language
    spacy: str = "en"  # spacy.blank() language (and lemma table); English tokenisation if unknown
    tesseract: str | None = None
    stop_words: tuple[str, ...] | str = "spacy"  # "spacy": spaCy's list for the language's spaCy code
    chapter_words: tuple[str, ...] = ()
    numbered_words: tuple[str, ...] = ()
    reference_words: tuple[str, ...] = ()
    bibliography_words: tuple[str, ...] = ()
    caption_starts: tuple[str, ...] = ()
    migration_heading_words: tuple[str, ...] = ()  # word starts of a heading about human mobility
    contents_words: tuple[str, ...] = ()
    page_words: tuple[str, ...] = ()
    of_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Languages:
    """Every known language: those with rules first (alphabetically), then identify-only ones."""

    all: tuple[LanguageData, ...]
    by_code: dict[str, LanguageData] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.by_code.update({lang.code: lang for lang in self.all})

    @property
    def codes(self) -> tuple[str, ...]:
        """Candidates of language identification, in the order ties are broken."""
        return tuple(lang.code for lang in self.all)

    @property
    def rule_languages(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.all if lang.rules)

    def name(self, code: str) -> str:
        if code == "und":
            return "undetermined"
        found = self.by_code.get(code)
        return found.name if found else code

    def spacy_code(self, code: str) -> str:
        """The spaCy pipeline a language's text is read with (English for one without rules)."""
        found = self.by_code.get(code)
        return found.spacy if found and found.rules else "en"

    def tesseract(self, code: str) -> str | None:
        found = self.by_code.get(code)
        return found.tesseract if found else None

    def _words(self, attr: str) -> list[str]:
        return [w for lang in self.all for w in getattr(lang, attr)]

    # Regular expressions over every language's words: a plan's headings may mix languages,
    # and segmentation runs before the document's language is known.
    @cached_property
    def caption_starts(self) -> tuple[str, ...]:
        """How captions begin ("Figure", "Table", "Source"): such a line is never a heading."""
        return tuple(dict.fromkeys(self._words("caption_starts")))

    @cached_property
    def numbered_heading(self) -> re.Pattern:
        words = _alternation(self._words("chapter_words") + self._words("numbered_words"))
        return re.compile(rf"^(?:(?:{words})\s+[\divxlc]+\b|(\d{{1,2}}(?:\.\d{{1,2}}){{0,3}})\.?\s+\S)", re.IGNORECASE)

    @cached_property
    def chapter_heading(self) -> re.Pattern:
        return re.compile(rf"^(?:{_alternation(self._words('chapter_words'))})\s+[\divxlc]+\b", re.IGNORECASE)

    @cached_property
    def reference_heading(self) -> re.Pattern:
        words = _alternation(self._words("reference_words"))
        return re.compile(rf"^(?:[\divxlc]{{1,4}}[.)]?\s+)?(?:{words})\s*:?$", re.IGNORECASE)

    @cached_property
    def bibliography_line(self) -> re.Pattern:
        return re.compile(rf"^(?:{_alternation(self._words('bibliography_words'))})\s*:?$", re.IGNORECASE)

    @cached_property
    def migration_heading(self) -> re.Pattern:
        """A heading that names human mobility: each word matched where a word starts."""
        return re.compile(rf"\b(?:{_alternation(self._words('migration_heading_words'))})", re.IGNORECASE)

    @cached_property
    def contents_title(self) -> re.Pattern:
        return re.compile(rf"^(?:{_alternation(self._words('contents_words'))})\b", re.IGNORECASE)

    @cached_property
    def page_number(self) -> re.Pattern:
        page = _alternation(self._words("page_words"))
        of = _alternation(self._words("of_words") + ["/"])
        return re.compile(
            rf"^(?:[-–—\s]*)(?:{page})?\s*(?:\d{{1,4}}|[ivxlcdm]{{1,7}})(?:\s*(?:{of})\s*\d{{1,4}})?(?:[-–—\s]*)$",
            re.IGNORECASE,
        )


def _alternation(words: list[str]) -> str:
    """Words as regex alternatives, longest first, each matched literally."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in unique) or "(?!)"


def _raw_words(value, path: Path, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise RuleError(str(path), f"{what} must be a list of words")
    return tuple(value)


def _words(value, path: Path, what: str) -> tuple[str, ...]:
    return tuple(w.lower().strip() for w in _raw_words(value, path, what))


def _stop_words(value, path: Path) -> tuple[str, ...] | str:
    if value in (None, "spacy"):
        return "spacy"
    return _words(value, path, "stop_words")


def _language(data, path: Path, code: str, rules: bool) -> LanguageData:
    if not isinstance(data, dict):
        raise RuleError(str(path), "a language file must be a mapping (code, name, spacy, ...)")
    if data.get("code", code) != code:
        raise RuleError(str(path), f"code '{data.get('code')}' does not match the folder '{code}'")
    headings = data.get("headings") or {}
    pages = data.get("page_numbers") or {}
    if not isinstance(headings, dict) or not isinstance(pages, dict):
        raise RuleError(str(path), "headings and page_numbers must be mappings")
    tesseract = data.get("tesseract")
    return LanguageData(
        code=code,
        name=str(data.get("name") or code),
        rules=rules,
        spacy=str(data.get("spacy") or code),
        tesseract=str(tesseract) if tesseract else None,
        stop_words=_stop_words(data.get("stop_words"), path),
        chapter_words=_words(headings.get("chapter"), path, "headings.chapter"),
        numbered_words=_words(headings.get("numbered"), path, "headings.numbered"),
        reference_words=_words(headings.get("references"), path, "headings.references"),
        bibliography_words=_words(headings.get("bibliography"), path, "headings.bibliography"),
        caption_starts=tuple(w.lower() for w in _raw_words(headings.get("captions"), path, "headings.captions")),
        migration_heading_words=_words(headings.get("migration"), path, "headings.migration"),
        contents_words=_words(data.get("contents"), path, "contents"),
        page_words=_words(pages.get("page"), path, "page_numbers.page"),
        of_words=_words(pages.get("of"), path, "page_numbers.of"),
    )


def language_files(rules_dir: Path) -> list[Path]:
    """The language.yaml of each language folder, in the folders' alphabetical order."""
    return sorted(p for p in rules_dir.glob(f"*/{LANGUAGE_FILE}") if _CODE.match(p.parent.name))


def load_languages(rules_dir: str | Path | None = None) -> Languages:
    """The languages of a rules directory (default: the bundled rules), read once.

    A rules directory with no language file at all (one written before they existed) has
    the bundled languages.
    """
    return _load(str(languages_dir(rules_dir).resolve()))


def languages_dir(rules_dir: str | Path | None = None) -> Path:
    """The folder whose language files a rules directory uses (itself, or the bundled rules)."""
    if rules_dir is None or not language_files(Path(rules_dir)):
        return default_rules_dir()
    return Path(rules_dir)


def language_sources(rules_dir: str | Path | None = None) -> list[Path]:
    """Every file the languages of a rules directory are read from."""
    root = languages_dir(rules_dir)
    return [*language_files(root), *[p for p in [root / IDENTIFY_FILE] if p.is_file()]]


@cache
def _load(rules_dir: str) -> Languages:
    from .yamlio import load_yaml

    root = Path(rules_dir)
    found: dict[str, LanguageData] = {}
    for path in language_files(root):
        found[path.parent.name] = _language(load_yaml(path, RuleError), path, path.parent.name, True)
    identify = root / IDENTIFY_FILE
    if identify.is_file():
        data = load_yaml(identify, RuleError)
        entries = data.get("identify") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            raise RuleError(str(identify), "must have an 'identify' mapping: code -> {name, tesseract, stop_words}")
        for code, entry in entries.items():
            if code not in found and _CODE.match(str(code)):
                found[code] = _language(entry, identify, str(code), False)
    return Languages(tuple(found.values()))
