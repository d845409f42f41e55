"""The scan flow as one call: PDF -> Document -> passages -> findings -> assessment."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .extract import extract
from .language import RULE_LANGUAGES, detect_language, language_name
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


def scan(path: str | Path, options: ScanOptions | None = None) -> ScanResult:
    options = options or ScanOptions()
    started = time.perf_counter()
    ruleset = get_ruleset(options.rules_dir)
    if options.select or options.ignore:
        ruleset = ruleset.select(options.select, options.ignore)
    doc = extract(path, engine=options.engine, password=options.password)
    seg = segment(doc)
    from .assess import assess  # spaCy loads here, after the cheap checks on the file
    from .detect import DetectOptions, assign_languages, detect

    warnings = list(doc.warnings)
    blank = [p.number for p in doc.pages if not p.has_text_layer]
    if blank:
        warnings.append(
            f"{len(blank)} of {doc.page_count} pages have no text layer and were not read: "
            f"{_page_ranges(blank)} (scanned? run OCR first)"
        )
    lang = options.lang or document_language(seg)
    if seg.passages:
        assign_languages(seg.passages, lang)
        if options.lang:
            for p in seg.passages:
                p.lang = options.lang
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
    findings = detect(seg.passages, ruleset, classifier, DetectOptions(sensitivity=options.sensitivity))
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
