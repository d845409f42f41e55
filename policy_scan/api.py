"""The Python API: what `policy-scan scan` and `policy-scan classify` do, as calls returning data.

    import policy_scan
    result = policy_scan.scan("plan.pdf", ocr="auto")       # -> ScanResult
    verdicts = policy_scan.classify(["Remittances pay school fees."])

The command line is a thin layer over these two functions: it parses options, calls them
and writes what they return.  Expected failures raise `policy_scan.errors.PolicyScanError`
(one line: the file and the problem); the command line prints it and exits with code 2.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PolicyScanError
from .scan import ScanOptions, ScanProgress, ScanResult

if TYPE_CHECKING:  # detection/judge.py loads spaCy: imported when classify() runs, not before
    from .detection.judge import SentenceVerdict

# The command line's defaults for the per-document limits, which the API shares.
DEFAULT_LIMITS = {"timeout": 600.0, "max_memory_mb": 4096, "max_pages": 10000}
CLASSIFY_METHODS = ("hybrid", "rules", "classifier")


def scan_options(**options) -> ScanOptions:
    """ScanOptions from keyword options, with the command line's limits as defaults.

    `select` and `ignore` take a list of rule-id prefixes or one comma-separated string.
    """
    known = {f.name for f in dataclasses.fields(ScanOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"unknown scan option(s) {', '.join(unknown)}; options are: {', '.join(sorted(known))}")
    for key in ("select", "ignore"):
        value = options.get(key)
        if isinstance(value, str):
            value = [value]
        if value is not None:
            options[key] = [v.strip() for item in value for v in item.split(",") if v.strip()]
    return ScanOptions(**{**DEFAULT_LIMITS, **options})


def scan(
    path: str | Path, *, progress: Callable[[ScanProgress], None] | None = None, **options
) -> ScanResult:
    """Scan one plan (PDF): its findings, the per-theme assessment, and warnings.

    Options are the fields of `ScanOptions` (engine, password, rules_dir, select, ignore,
    classifier, model_path, sensitivity, lang, page_images, ocr, timeout, max_memory_mb,
    max_pages, ...), with the command line's defaults; `progress`, if given, is called with
    a `ScanProgress(phase, done, total)` as pages are read ("read") and OCR'd ("ocr").
    """
    from .scan import scan as run_scan

    return run_scan(path, scan_options(**options), progress=progress)


def classify(
    texts: str | Iterable[str],
    lang: str | Sequence[str | None] | None = None,
    *,
    method: str = "hybrid",
    sensitivity: float = 0.5,
    threshold: float = 0.5,
    model_path: str | None = None,
    chapters: Sequence[Sequence[str] | None] | None = None,
) -> list[SentenceVerdict]:
    """Judge each text as `scan` would judge a sentence: what `policy-scan classify` returns.

    One `SentenceVerdict` (relevant, score, themes, stage, source) per text; a single string
    is one text.  `lang`: None or "auto" detects each text's language (too short to tell:
    English), one code applies to every text, or a list gives one per text (None or "auto"
    in it: detect).  `method`: "hybrid" (rules, vetoes and classifier: the scan's verdict),
    "rules", or "classifier" alone (at `threshold`).  `sensitivity` is scan's.  `chapters`:
    per text, the heading path above it (outermost first), as scan would see it; a heading
    about migration lets the hybrid find context sentences (source "section").
    """
    from .language import detect_language
    from .languages import load_languages

    if method not in CLASSIFY_METHODS:
        raise ValueError(f"method must be one of {', '.join(CLASSIFY_METHODS)}, not {method!r}")
    texts = [texts] if isinstance(texts, str) else list(texts)
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("classify() takes strings (one text, or a list of them)")
    if lang is None or isinstance(lang, str):
        wanted = [lang] * len(texts)
    else:
        wanted = list(lang)
        if len(wanted) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(wanted)} languages")
    langs = []
    for text, code in zip(texts, wanted):
        code = code or "auto"
        if code == "auto":
            code, _ = detect_language(text, min_words=4)
            code = "en" if code == "und" else code  # too short to tell: read as English, as scan does
        if not isinstance(code, str) or (code not in load_languages().rule_languages and method == "classifier"):
            code = "en"  # the classifier is one model for every language
        langs.append(code)
    model = None
    if method != "rules":
        from .detection.classifier import load_default_classifier

        model = load_default_classifier(model_path)
        if model is None:
            raise PolicyScanError("model", "no classifier model: run `policy-scan train` first")
    ruleset = None
    if method != "classifier":
        from .scan import get_ruleset

        ruleset = get_ruleset(None)
    from .detection.judge import DetectOptions, judge_sentences

    if chapters is not None:
        chapters = [list(c or []) for c in chapters]
        if len(chapters) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(chapters)} chapter paths")
        if not all(isinstance(h, str) for c in chapters for h in c):
            raise TypeError("a chapter path is a list of heading strings")
    options = DetectOptions(sensitivity=sensitivity if method == "hybrid" else 0.0)
    return judge_sentences(texts, langs, ruleset, model, options, chapters, threshold=threshold)
