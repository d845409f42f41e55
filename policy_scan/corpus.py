"""Labelled passages: loading and checking the JSON Lines files under corpus/."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError, PolicyScanError
from .ruleset import default_taxonomy


@dataclass
class Labelled:
    text: str
    lang: str
    relevant: bool
    themes: list[str]
    stage: str | None
    source: str = ""
    id: str = ""
    false_friend: bool = False
    doc: str = ""  # for real sentences: the document they come from (folds are grouped by it)
    sampling: str = ""  # full | net | random | legacy: how the sentence was drawn for labelling
    chapter: list[str] = field(default_factory=list)  # heading path, as the scan sees it
    split: str = ""  # dev | test: the document's side of the held-out split (corpus/documents.tsv)
    in_references: bool = False  # under a References/Bibliography heading, where scan finds nothing
    labelled_twice: bool = False  # carries an independent second labelling (agreement is measured on these)


def default_corpus_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "corpus" / "passages"


def default_real_sentences() -> Path:
    return Path(__file__).resolve().parent.parent / "corpus" / "real_sentences.jsonl"


def corpus_files(path: str | Path) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise CorpusError(str(path), "no .jsonl files in this folder")
        return files
    if not path.exists():
        raise CorpusError(str(path), "no such file or folder")
    return [path]


def check_labels(record: dict, where: str, line: int) -> None:
    relevant = record.get("relevant")
    if not isinstance(relevant, bool):
        raise CorpusError(where, "'relevant' must be true or false", line)
    taxonomy = default_taxonomy()
    themes = record.get("themes", [])
    if not isinstance(themes, list) or any(not isinstance(t, str) or t not in taxonomy.themes for t in themes):
        ids = taxonomy.theme_ids
        raise CorpusError(where, f"'themes' must be a list of theme ids {ids[0]}..{ids[-1]}, got {themes!r}", line)
    stage = record.get("stage")
    if stage is not None and (not isinstance(stage, str) or stage not in taxonomy.stages):
        ids = taxonomy.stage_ids
        raise CorpusError(where, f"'stage' must be {ids[0]}..{ids[-1]} or null, got {stage!r}", line)
    if relevant and not themes:
        raise CorpusError(where, "a relevant passage needs at least one theme", line)
    if not relevant and (themes or stage):
        raise CorpusError(where, "a passage that is not relevant has no themes and no stage", line)


MAX_LINE = 1_000_000  # characters in one JSON Lines record (a passage; spaCy's own limit per text)
MAX_DEPTH = 100  # nesting of arrays and objects in one JSON value
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON (use null or a number)")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False


def parse_json(text: str, name: str, error: type[PolicyScanError] = CorpusError, line: int | None = None):
    """One JSON value, strictly: refused with a one-line `error` naming file (and line) when it
    is invalid, nested over MAX_DEPTH deep, holds NaN or Infinity (not JSON, and not writable as
    JSON), a number too long to convert, or a lone surrogate escape (not text)."""
    if _too_deep(text):
        raise error(name, f"JSON nested more than {MAX_DEPTH} deep", line)
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise error(name, f"invalid JSON ({exc.msg})", line) from None
    except RecursionError:
        raise error(name, f"JSON nested more than {MAX_DEPTH} deep", line) from None
    except ValueError as exc:  # NaN/Infinity, or an integer over sys.get_int_max_str_digits()
        problem = str(exc)
        if "digits" in problem:
            problem = "a number with too many digits"
        raise error(name, problem, line) from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise error(name, "a lone surrogate escape (such as \\ud800) is not text", line) from None
    return value


def parse_jsonl(lines, name: str, error: type[PolicyScanError] = CorpusError) -> list[tuple[int, dict]]:
    """(line number, object) for each non-blank line; a bad line raises `error` naming it."""
    records = []
    number = 0
    try:
        for number, raw in enumerate(lines, 1):
            if len(raw) > MAX_LINE and len(raw.rstrip("\r\n")) > MAX_LINE:
                raise error(name, f"line longer than {MAX_LINE:,} characters", number)
            if not raw.strip():
                continue
            record = parse_json(raw, name, error, number)
            if not isinstance(record, dict):
                raise error(name, "each line must be a JSON object", number)
            records.append((number, record))
    except UnicodeDecodeError:
        raise error(name, f"not UTF-8 text (after line {number})" if number else "not UTF-8 text") from None
    return records


def bounded_lines(stream, limit: int = MAX_LINE):
    """The lines of a text stream, none read whole beyond `limit` characters (a longer one is
    yielded cut at limit + 1, for parse_jsonl to refuse)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        yield line
        if len(line) > limit and not line.endswith("\n"):
            return


def read_jsonl(path: Path) -> list[tuple[int, dict]]:
    from .fsio import not_regular

    problem = not_regular(path)
    if problem:
        raise CorpusError(str(path), problem)
    try:
        with open(path, encoding="utf-8") as stream:
            return parse_jsonl(bounded_lines(stream), str(path))
    except OSError as exc:
        raise CorpusError(str(path), f"cannot read ({exc.strerror or exc})") from None


def load_corpus(path: str | Path | None = None) -> list[Labelled]:
    """Every labelled passage in a file or folder, checked; errors name file and line."""
    items: list[Labelled] = []
    for file in corpus_files(path or default_corpus_dir()):
        for number, record in read_jsonl(file):
            text = record.get("text")
            if not isinstance(text, str) or not text.strip():
                raise CorpusError(str(file), "'text' must be a non-empty string", number)
            check_labels(record, str(file), number)
            items.append(
                Labelled(
                    text,
                    str(record.get("lang", "en")),
                    record["relevant"],
                    list(record.get("themes", [])),
                    record.get("stage"),
                    str(record.get("source", "")),
                    str(record.get("id", "")),
                    bool(record.get("false_friend", False)),
                )
            )
    if not items:
        raise CorpusError(str(path), "no labelled passages")
    return items
