"""The scan flow as one call: PDF -> Document -> passages -> findings -> assessment."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .errors import InputError
from .extract import check_pdf_file, extract, pages_to_ocr
from .guard import Deadline, GuardedJob, can_fork, memory_limit, start_guarded, time_limit, to_parent
from .language import detect_language, language_name, passage_languages
from .languages import Languages, load_languages
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
    parallel: bool = True  # read the PDF while the NLP side loads, and detect on two cores
    isolate: bool = True  # read the PDF in a child process under the limits (a crash costs one document)
    ocr: str = "off"  # off | auto (pages without usable text) | force (every page)
    timeout: float | None = None  # seconds for the whole document
    max_memory_mb: int | None = None  # what reading the PDF, and then checking its text, may allocate
    max_pages: int | None = None  # read at most this many pages


@dataclass
class ScanResult:
    """What a scan found: `document`, `findings`, `assessment` and `warnings` (dataclasses
    of `policy_scan.model`), with what the reports need besides."""

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
    settings: str | None = None  # the settings file the command ran with, if any

    def to_dict(self) -> dict:
        """The JSON contract (schema_version 1.x) as Python data."""
        from .report.json import result_dict

        return result_dict(self)

    def to_json(self) -> str:
        """The JSON contract, exactly as `policy-scan scan --format json` writes it."""
        return self.render("json")

    def render(self, fmt: str = "text", **options) -> str:
        """The report in one of scan's formats (text, json, csv, html); options as for the
        renderers: evidence=2 (text), ui_lang='en'."""
        from .report import render

        return render(self, fmt, **options)

    def findings_frame(self):
        """The findings as a pandas DataFrame, one row per finding, the JSON's fields as
        columns (lists stay lists).  Needs pandas, which policy-scan does not install."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "ScanResult.findings_frame() needs pandas, which policy-scan does not install: "
                "pip install pandas (or use result.to_dict()['findings'], a list of dicts)"
            ) from None
        from .report.json import FINDING_FIELDS, finding_dict

        rows = [finding_dict(i, f, self.ruleset.taxonomy) for i, f in enumerate(self.findings)]
        return pd.DataFrame(rows, columns=FINDING_FIELDS)


@dataclass(frozen=True)
class ScanProgress:
    """How far a scan is: `done` of `total` pages, in a phase: "read" (text extraction) or
    "ocr" (pages read by Tesseract).  Passed to the `progress` callback of a scan."""

    phase: str
    done: int
    total: int


PROGRESS_INTERVAL = 0.1  # seconds between two progress events of one phase (the last always goes)


class _Throttled:
    """Passes (phase, done, total) on at most every PROGRESS_INTERVAL seconds per phase, and
    always a phase's first and last event: a reading child must not flood its pipe."""

    def __init__(self, send: Callable[..., None]):
        self.send, self.last, self.phase = send, 0.0, None

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.phase and done < total and now - self.last < PROGRESS_INTERVAL:
            return
        self.phase, self.last = phase, now
        self.send(phase, done, total)


_RULESETS: dict[str | None, RuleSet] = {}


def get_ruleset(rules_dir: str | None) -> RuleSet:
    if rules_dir not in _RULESETS:
        _RULESETS[rules_dir], _ = load_ruleset(rules_dir, strict=True, check_patterns=False)
    return _RULESETS[rules_dir]


def document_language(seg: Segmentation, languages: Languages | None = None) -> str:
    sample = " ".join(p.text for p in seg.passages[:400])[:60000]
    lang, _ = detect_language(sample, languages=languages)
    return lang


SHORT_TEXT_WORDS = 200  # below this an undetermined language is read as English, with a warning
PARALLEL_DETECT_MIN = 400  # passages; below this a second process costs more than it saves
_SHARED_JOB: tuple | None = None  # what a forked detection worker inherits (nothing is pickled)


def _can_fork() -> bool:
    """Whether a second detection process can run beside this one."""
    return (os.cpu_count() or 1) > 1 and can_fork()


def _detect_shared_half():
    from .detection.judge import detect

    passages, ruleset, classifier, options = _SHARED_JOB
    return detect(passages, ruleset, classifier, options)


def _detect_in_two(passages, ruleset, classifier, options, path: str) -> list[Finding]:
    """Detection on two cores: a forked worker takes every other passage.

    The worker inherits the loaded pipeline, rules and model by fork, so only its findings
    travel back.  Passages are interleaved so both halves get long and short chapters.
    """
    from .detection.judge import detect

    global _SHARED_JOB
    _SHARED_JOB = (passages[1::2], ruleset, classifier, options)
    try:
        other = GuardedJob(_detect_shared_half, (), path, what="checking the text")
    finally:
        _SHARED_JOB = None
    try:
        findings = detect(passages[0::2], ruleset, classifier, options)
    except BaseException:
        other.close()
        raise
    findings += other.result()
    findings.sort(key=lambda f: f.char_start)
    return findings


def _text_language(doc: Document, languages: Languages) -> str | None:
    """The language of the pages that have text, when there is enough of it to tell."""
    sample = " ".join(line.text for page in doc.pages for line in page.lines)[:60000]
    lang, _ = detect_language(sample, languages=languages)
    return None if lang == "und" else lang


OCR_SHARE_OF_TIMEOUT = 0.8  # OCR stops starting pages here, leaving time to check what it read


def _ocr_deadline(deadline: Deadline) -> float | None:
    """When OCR stops starting pages (a time.monotonic() value, shared with forked children)."""
    if not deadline.seconds:
        return None
    return deadline.end - (1 - OCR_SHARE_OF_TIMEOUT) * deadline.seconds


def _read(
    path: str, options: ScanOptions, ocr_deadline: float | None = None, progress: Callable | None = None
) -> tuple[Document, Segmentation, str]:
    """Extraction, OCR, segmentation and language: everything that needs no spaCy.

    `ocr_deadline` is counted from when the caller's budget started, not from this call.
    `progress(phase, done, total)` hears of pages read and OCR'd.
    """
    tell = _Throttled(progress) if progress is not None else None
    languages = load_languages(options.rules_dir)
    doc = extract(
        path,
        engine=options.engine,
        password=options.password,
        max_pages=options.max_pages,
        progress=(lambda done, total: tell("read", done, total)) if tell else None,
    )
    garbled = [p.number for p in doc.pages if p.garbled]
    todo = pages_to_ocr(doc, options.ocr)
    if todo:
        from .ocr import ocr_document

        report = ocr_document(
            doc,
            todo,
            options.lang or _text_language(doc, languages),
            options.password,
            deadline=ocr_deadline,
            progress=(lambda done, total: tell("ocr", done, total)) if tell else None,
            languages=languages,
        )
        doc.warnings.extend(report.warnings)
        if report.read:
            doc.warnings.append(
                f"{_pages(len(report.read), 'was', 'were')} read by OCR (Tesseract '{report.language}'): "
                f"{_page_ranges(report.read)}; findings there are marked ocr, check them against the page"
            )
        for reason in sorted(set(report.failed.values())):
            pages = sorted(n for n, why in report.failed.items() if why == reason)
            hint = " (apt-get install tesseract-ocr)" if "not installed" in reason else ""
            doc.warnings.append(f"{_pages(len(pages), 'was', 'were')} not read: {_page_ranges(pages)}: {reason}{hint}")
    garbled = [n for n in garbled if doc.pages[n - 1].garbled]
    if garbled:
        doc.warnings.append(
            f"{_pages(len(garbled), 'has', 'have')} garbled text (fonts without a unicode mapping), not read: "
            f"{_page_ranges(garbled)} (try --ocr)"
        )
    blank = [p.number for p in doc.pages if not (p.has_text_layer or p.ocr or p.damaged) and p.number not in todo]
    if blank:
        doc.warnings.append(
            f"{len(blank)} of {doc.page_count} pages {'has' if len(blank) == 1 else 'have'} no text layer, not read: "
            f"{_page_ranges(blank)} (scanned? run with --ocr)"
        )
    seg = segment(doc, languages)
    lang = options.lang or document_language(seg, languages)
    if lang == "und" and seg.passages:
        words = len(seg.text.split())
        if words < SHORT_TEXT_WORDS:
            # Too few words to vote: read it with the default rules rather than not at all.
            lang = "en"
            doc.warnings.append(
                f"too little text to tell the language ({words} words); read as English (set it with --lang)"
            )
    if seg.passages:
        if options.lang:
            langs = [options.lang] * len(seg.passages)
        else:
            langs = passage_languages(seg.passages, lang, languages)
        seg = replace(seg, passages=[replace(p, lang=code) for p, code in zip(seg.passages, langs)])
    return doc, seg, lang


def _start_reading(path: str, options: ScanOptions, deadline: Deadline, progress) -> tuple[GuardedJob, Callable | None]:
    """The guarded child reading the PDF, and what turns its events into ScanProgress."""
    args = (path, options, _ocr_deadline(deadline), to_parent if progress else None)
    job = start_guarded(_read, args, path, options.max_memory_mb)
    return job, _relay(progress)


def _relay(progress: Callable[[ScanProgress], None] | None) -> Callable | None:
    if progress is None:
        return None
    return lambda phase, done, total: progress(ScanProgress(phase, done, total))


def read(
    path: str, options: ScanOptions, progress: Callable[[ScanProgress], None] | None = None
) -> tuple[Document, Segmentation, str]:
    """Read a PDF into passages under the options' limits (in a guarded child if possible)."""
    deadline = Deadline(options.timeout)
    if options.parallel or options.isolate:
        job, relay = _start_reading(path, options, deadline, progress)
        return job.result(deadline.remaining(), options.timeout, progress=relay)
    with time_limit(deadline, path, "reading the PDF"):
        return _read(path, options, _ocr_deadline(deadline), _relay(progress))


def _warm_up(ruleset: RuleSet, options: ScanOptions) -> None:
    """Load what detection needs for the most likely language (English unless forced)."""
    from .detection.matcher import matcher_for

    matcher_for(ruleset, options.lang or "en")
    if options.classifier:
        from .detection.classifier import load_default_classifier

        load_default_classifier(options.model_path)


def _page_evidence(path: str, findings: list, options: ScanOptions, deadline: Deadline, warnings: list[str]) -> list:
    """Measure the findings' boxes on the page's characters (the same in every output) and
    draw their pages for the report.  pdfium opens the PDF again for this, so it runs in a
    guarded child as the reading did: a crash, the memory cap or the deadline there leave the
    findings with the extractor's line boxes and the report without page images, and say so."""
    from .pages import page_evidence

    if not findings:
        return []
    args = (path, findings, options.password, options.page_images)
    what = "measuring the evidence on the pages"
    if options.parallel or options.isolate:
        job = start_guarded(page_evidence, args, path, options.max_memory_mb, what)
        try:
            boxes, images, problems = job.result(deadline.remaining(), options.timeout)
        except InputError as exc:
            warnings.append(
                f"evidence not measured on the pages ({exc.problem}): findings keep the text extractor's "
                "line boxes and the report has no page images"
            )
            return []
        for finding, measured in zip(findings, boxes):
            finding.boxes = [tuple(b) for b in measured]
    else:
        with time_limit(deadline, path, what), memory_limit(path, options.max_memory_mb, what):
            _, images, problems = page_evidence(*args)
    for reason in sorted({why for _, why in problems}):
        numbers = [n for n, why in problems if why == reason]
        warnings.append(
            f"{_pages(len(numbers), 'was', 'were')} not drawn in the report ({reason}): "
            f"{_page_ranges(numbers)}; their findings are listed without the page image"
        )
    return images


def scan(
    path: str | Path, options: ScanOptions | None = None, progress: Callable[[ScanProgress], None] | None = None
) -> ScanResult:
    """Scan one PDF; `progress`, if given, is called with a ScanProgress as pages are read
    and OCR'd (in this thread, while it waits for the reading child)."""
    options = options or ScanOptions()
    started = time.perf_counter()
    deadline = Deadline(options.timeout)
    ruleset = get_ruleset(options.rules_dir)
    if options.select or options.ignore:
        ruleset = ruleset.select(options.select, options.ignore)
    path = str(path)
    check_pdf_file(path)  # missing or non-PDF files fail at once, before anything loads
    if options.parallel or options.isolate:
        # Read the PDF in a child process, under the memory cap and the deadline, while this
        # process loads spaCy, compiles the rules and loads the model: on two cores the two
        # halves of start-up overlap, and a hostile PDF can only take the child down.  The
        # child is forked, or, in a daemonic process (a Dask worker), a fresh interpreter.
        job, relay = _start_reading(path, options, deadline, progress)
        try:
            _warm_up(ruleset, options)  # fixed start-up cost, not the document's: outside the limit
        except BaseException:
            job.close()
            raise
        doc, seg, lang = job.result(deadline.remaining(), options.timeout, progress=relay)
    else:
        with time_limit(deadline, path, "reading the PDF"):
            doc, seg, lang = _read(path, options, _ocr_deadline(deadline), _relay(progress))
    from .assess import assess
    from .detection.judge import DetectOptions, detect

    warnings = list(doc.warnings)
    other = sorted({p.lang for p in seg.passages} - set(ruleset.langs))
    if other:
        names = ", ".join(f"{language_name(x, ruleset.languages)} ({x})" for x in other)
        warnings.append(
            f"no rules for {names}: those passages were not checked (rules exist for {', '.join(ruleset.langs)})"
        )
    classifier = None
    if options.classifier:
        from .detection.classifier import load_default_classifier

        classifier = load_default_classifier(options.model_path)  # the program's, not the document's
    with (
        time_limit(deadline, path, "checking the text"),
        memory_limit(path, options.max_memory_mb, "checking the text"),
    ):
        detect_options = DetectOptions(sensitivity=options.sensitivity)
        if options.parallel and _can_fork() and len(seg.passages) >= PARALLEL_DETECT_MIN:
            findings = _detect_in_two(seg.passages, ruleset, classifier, detect_options, path)
        else:
            findings = detect(seg.passages, ruleset, classifier, detect_options)
        assessment = assess(findings, seg.passages, ruleset.taxonomy)
    images = _page_evidence(path, findings, options, deadline, warnings)
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


def _pages(count: int, singular: str, plural: str) -> str:
    """'1 page was' / '3 pages were': warnings read as sentences."""
    return f"1 page {singular}" if count == 1 else f"{count} pages {plural}"


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


__all__ = ["ScanOptions", "ScanProgress", "ScanResult", "scan", "__version__"]
