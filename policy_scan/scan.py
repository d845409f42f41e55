"""The scan flow as one call: PDF -> Document -> passages -> findings -> assessment."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .extract import check_pdf_file, extract
from .language import RULE_LANGUAGES, assign_languages, detect_language, language_name
from .model import Assessment, Document, Finding
from .ruleset import RuleSet, load_ruleset
from .segment import Segmentation, segment


@dataclass
class ScanOptions:
    engine: str = "pdfium"
    password: str | None = None
    rules_dir: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    classifier: bool = True
    model_path: str | None = None
    sensitivity: float = 0.5
    lang: str | None = None  # force the document language instead of detecting it
    page_images: bool = False  # render the pages with findings (for the HTML report)
    parallel: bool = True  # read the PDF in a second process while the NLP side loads


@dataclass
class ScanResult:
    document: Document
    segmentation: Segmentation
    language: str
    findings: list[Finding]
    assessment: Assessment
    ruleset: RuleSet
    warnings: list[str]
    classifier: str | None  # model identity when the classifier took part
    seconds: float
    page_images: list = field(default_factory=list)  # pages.PageImage, when asked for


_RULESETS: dict[str | None, RuleSet] = {}


def get_ruleset(rules_dir: str | None) -> RuleSet:
    if rules_dir not in _RULESETS:
        _RULESETS[rules_dir], _ = load_ruleset(rules_dir, strict=True, check_patterns=False)
    return _RULESETS[rules_dir]


def document_language(seg: Segmentation) -> str:
    sample = " ".join(p.text for p in seg.passages[:400])[:60000]
    lang, _ = detect_language(sample)
    return lang


PARALLEL_DETECT_MIN = 400  # passages; below this a second process costs more than it saves
_SHARED_JOB: tuple | None = None  # what a forked detection worker inherits (nothing is pickled)


def _can_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def _detect_shared_half():
    from .detect import detect

    passages, ruleset, classifier, options = _SHARED_JOB
    return detect(passages, ruleset, classifier, options)


def _detect_in_two(passages, ruleset, classifier, options) -> list[Finding]:
    """Detection on two cores: a forked worker takes every other passage.

    The worker inherits the loaded pipeline, rules and model by fork, so only its findings
    travel back.  Passages are interleaved so both halves get long and short chapters.
    """
    from .detect import detect

    global _SHARED_JOB
    _SHARED_JOB = (passages[1::2], ruleset, classifier, options)
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            other = pool.submit(_detect_shared_half)
            findings = detect(passages[0::2], ruleset, classifier, options) + other.result()
    finally:
        _SHARED_JOB = None
    findings.sort(key=lambda f: f.char_start)
    return findings


def _read(path: str, engine: str, password: str | None, forced_lang: str | None) -> tuple[Document, Segmentation, str]:
    """Extraction, segmentation and language: everything that needs no spaCy."""
    doc = extract(path, engine=engine, password=password)
    seg = segment(doc)
    lang = forced_lang or document_language(seg)
    if seg.passages:
        assign_languages(seg.passages, lang)
        if forced_lang:
            for p in seg.passages:
                p.lang = forced_lang
    return doc, seg, lang


def _warm_up(ruleset: RuleSet, options: ScanOptions) -> None:
    """Load what detection needs for the most likely language (English unless forced)."""
    from .matcher import matcher_for

    matcher_for(ruleset, options.lang or "en")
    if options.classifier:
        from .classify import load_default_classifier

        load_default_classifier(options.model_path)


def scan(path: str | Path, options: ScanOptions | None = None) -> ScanResult:
    options = options or ScanOptions()
    started = time.perf_counter()
    ruleset = get_ruleset(options.rules_dir)
    if options.select or options.ignore:
        ruleset = ruleset.select(options.select, options.ignore)
    check_pdf_file(path)  # missing or non-PDF files fail at once, before anything loads
    if options.parallel and _can_fork():
        # Read the PDF in a forked process while this one loads spaCy, compiles the
        # rules and loads the model: on two cores the two halves of start-up overlap.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            job = pool.submit(_read, str(path), options.engine, options.password, options.lang)
            _warm_up(ruleset, options)
            doc, seg, lang = job.result()
    else:
        doc, seg, lang = _read(str(path), options.engine, options.password, options.lang)
    from .assess import assess
    from .detect import DetectOptions, detect

    warnings = list(doc.warnings)
    blank = [p.number for p in doc.pages if not p.has_text_layer]
    if blank:
        warnings.append(
            f"{len(blank)} of {doc.page_count} pages have no text layer and were not read: "
            f"{_page_ranges(blank)} (scanned? run OCR first)"
        )
    other = sorted({p.lang for p in seg.passages} - set(RULE_LANGUAGES))
    if other:
        names = ", ".join(f"{language_name(x)} ({x})" for x in other)
        warnings.append(
            f"no rules for {names}: those passages were not checked (rules exist for {', '.join(RULE_LANGUAGES)})"
        )
    classifier = None
    if options.classifier:
        from .classify import load_default_classifier

        classifier = load_default_classifier(options.model_path)
    detect_options = DetectOptions(sensitivity=options.sensitivity)
    if options.parallel and _can_fork() and len(seg.passages) >= PARALLEL_DETECT_MIN:
        findings = _detect_in_two(seg.passages, ruleset, classifier, detect_options)
    else:
        findings = detect(seg.passages, ruleset, classifier, detect_options)
    assessment = assess(findings, seg.passages, ruleset.taxonomy)
    images = []
    if options.page_images and findings:
        from .pages import render_pages

        images = render_pages(str(path), [f.page for f in findings], options.password)
    return ScanResult(
        doc,
        seg,
        lang,
        findings,
        assessment,
        ruleset,
        warnings,
        getattr(classifier, "identity", None),
        time.perf_counter() - started,
        images,
    )


def _page_ranges(pages: list[int]) -> str:
    out: list[str] = []
    start = prev = pages[0]
    for p in pages[1:] + [None]:
        if p is not None and p == prev + 1:
            prev = p
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if p is not None:
            start = prev = p
    return ", ".join(out)


__all__ = ["ScanOptions", "ScanResult", "scan", "__version__"]
