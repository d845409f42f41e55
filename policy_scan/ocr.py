"""OCR for pages without a usable text layer: Tesseract on pages rendered by pdfium.

Scanned plans are common in the field.  Pages that have no text layer, or whose text is
garbage (fonts with no unicode mapping), are rendered to grayscale images and read by the
``tesseract`` command in the document's language; its word boxes become ordinary `Line`s,
so layout, segmentation and detection treat OCR'd pages like any other.  Pages read this
way are marked ``ocr`` and so are the findings on them.

Tesseract is called as a program (no Python binding needed), one process per page, as
many at once as there are cores; rendering stays in this thread because pdfium is not
thread-safe.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

from .languages import Languages, load_languages
from .model import Document, Line

OCR_MODES = ("off", "auto", "force")
DPI = 300
MAX_PIXELS = 40_000_000  # a huge page is rendered at a lower resolution instead of exhausting memory
PAGE_TIMEOUT = 180  # seconds of Tesseract per page before the page is given up
STOPPED = "OCR stopped at the time limit (--timeout)"
@dataclass
class OcrReport:
    """What an OCR pass did, for the scan's warnings."""

    read: list[int] = field(default_factory=list)  # pages that got text from OCR
    failed: dict[int, str] = field(default_factory=dict)  # page -> why it was not read
    language: str = ""  # the Tesseract language(s) used
    warnings: list[str] = field(default_factory=list)
    progress: Callable[[int, int], None] | None = field(default=None, repr=False)  # (pages done, to do)
    total: int = 0  # pages to do
    told: int = field(default=-1, repr=False)  # pages done when `progress` was last called

    def tick(self) -> None:
        done = len(self.read) + len(self.failed)
        if self.progress is not None and done != self.told:
            self.told = done
            self.progress(done, self.total)


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


@lru_cache(maxsize=4)
def installed_languages(binary: str) -> frozenset[str]:
    try:
        out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def tesseract_language(
    lang: str | None, available: frozenset[str], languages: Languages | None = None
) -> tuple[str, str | None]:
    """The -l argument for a document language, and a warning when it has to fall back.

    Tesseract's names for our languages are data: `tesseract` in each language file."""
    languages = languages or load_languages()
    if lang is None:  # unknown yet: let Tesseract weigh the rule languages together
        models = (languages.tesseract(code) for code in languages.rule_languages)
        combined = [code for code in models if code and code in available]
        return "+".join(combined) or "eng", None
    wanted = languages.tesseract(lang)
    if wanted and wanted in available:
        return wanted, None
    fallback = "eng" if "eng" in available else next(iter(sorted(available - {"osd"})), "eng")
    package = f"tesseract-ocr-{wanted}" if wanted else "a Tesseract model for it"
    return fallback, f"no Tesseract model for language '{lang}' (install {package}); OCR used '{fallback}'"


def render_for_ocr(pdf, index: int, dpi: int = DPI) -> tuple[bytes, float]:
    """A grayscale PNG of one page and the scale used (pixels per point)."""
    from .extract.pdfium import PDFIUM_LOCK

    with PDFIUM_LOCK:
        return _render_for_ocr(pdf, index, dpi)


def _render_for_ocr(pdf, index: int, dpi: int) -> tuple[bytes, float]:
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = dpi / 72
        pixels = width * height * scale * scale
        if pixels > MAX_PIXELS:
            scale *= (MAX_PIXELS / pixels) ** 0.5
        bitmap = page.render(scale=scale, grayscale=True)
        image = bitmap.to_pil()
    finally:
        page.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue(), scale


def parse_tsv(tsv: str, scale: float) -> list[Line]:
    """Tesseract's TSV (one row per word) -> lines with boxes in PDF points."""
    lines: dict[tuple[int, int, int], list[tuple[str, float, float, float, float]]] = {}
    order: list[tuple[int, int, int]] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text or float(cols[10]) < 0:
            continue
        key = (int(cols[2]), int(cols[3]), int(cols[4]))
        left, top, w, h = (int(c) / scale for c in cols[6:10])
        if key not in lines:
            lines[key] = []
            order.append(key)
        lines[key].append((text, left, top, left + w, top + h))
    out: list[Line] = []
    for key in order:
        words = lines[key]
        box = (
            round(min(w[1] for w in words), 1),
            round(min(w[2] for w in words), 1),
            round(max(w[3] for w in words), 1),
            round(max(w[4] for w in words), 1),
        )
        size = round((box[3] - box[1]) / 1.2 * 2) / 2  # a line box spans ascender to descender, ~1.2 em
        out.append(Line(" ".join(w[0] for w in words), box, size, False))
    return _steady_sizes(out)


def _steady_sizes(lines: list[Line]) -> list[Line]:
    """Give body lines one size: OCR line heights vary with ascenders and descenders, and
    segmentation reads a change of size as a paragraph or heading break."""
    if not lines:
        return lines
    body = statistics.median(ln.font_size for ln in lines)
    for line in lines:
        if abs(line.font_size - body) <= 0.3 * body:
            line.font_size = body
    return lines


# How Tesseract, Leptonica and libgomp say that an allocation failed.
_OUT_OF_MEMORY = ("bad_alloc", "Cannot allocate", "malloc fail", "Thread creation failed")


def run_tesseract(binary: str, png: bytes, language: str, timeout: float = PAGE_TIMEOUT) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page; pages run side by side
    proc = subprocess.run(
        [binary, "stdin", "stdout", "-l", language, "--psm", "3", "tsv"],
        input=png,
        capture_output=True,
        timeout=timeout,
        env=env,
    )
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace")
        if any(sign in stderr for sign in _OUT_OF_MEMORY):
            # Tesseract inherits the reading process's address-space cap (--max-memory).
            capped = resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY
            raise RuntimeError("Tesseract ran out of memory" + (" (raise --max-memory)" if capped else ""))
        message = stderr.strip().splitlines()
        raise RuntimeError(message[-1] if message else f"tesseract exited with {proc.returncode}")
    return proc.stdout.decode("utf-8", "replace")


def ocr_document(
    doc: Document,
    pages: list[int],
    lang: str | None,
    password: str | None = None,
    jobs: int | None = None,
    deadline: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    languages: Languages | None = None,
) -> OcrReport:
    """OCR the given pages of `doc` in place; `lang` is the document language if known.

    When no page of the document has text to tell its language, the first page is read
    with every rule language together, its language detected, and the rest read
    in that language.  Pages not started by `deadline` (a time.monotonic() value) are left
    unread and reported, so a long scan under --timeout still yields what was read.
    `progress(pages_done, pages_to_do)` is called as pages are read (or given up).
    """
    from .extract.pdfium import PDFIUM_LOCK, open_pdf
    from .language import detect_language

    report = OcrReport(progress=progress, total=len(pages))
    binary = tesseract_path()
    if binary is None:
        for number in pages:
            report.failed[number] = "Tesseract is not installed"
        return report
    available = installed_languages(binary)
    language, warning = tesseract_language(lang, available, languages)
    if warning:
        report.warnings.append(warning)
    jobs = max(1, jobs or os.cpu_count() or 1)
    by_number = {p.number: p for p in doc.pages}
    with PDFIUM_LOCK:
        pdf = open_pdf(doc.path, password)
    try:
        todo = list(pages)
        if lang is None and todo:
            # Read one page with all rule languages to learn the document's language.
            first = todo.pop(0)
            _read_pages(pdf, [first], language, binary, by_number, report, 1, deadline)
            text = " ".join(ln.text for ln in by_number[first].lines)
            detected, confidence = detect_language(text, languages=languages)
            if detected != "und" and confidence > 0:
                language, warning = tesseract_language(detected, available, languages)
                if warning:
                    report.warnings.append(warning)
        _read_pages(pdf, todo, language, binary, by_number, report, jobs, deadline)
        report.tick()  # pages given up at the deadline count as done
    finally:
        with PDFIUM_LOCK:
            pdf.close()
    report.language = language
    report.read.sort()
    return report


def _read_pages(pdf, numbers, language, binary, by_number, report: OcrReport, jobs: int, deadline=None) -> None:
    def work(item):
        number, png, scale = item
        limit = PAGE_TIMEOUT
        if deadline is not None and time.monotonic() >= deadline:
            raise RuntimeError(STOPPED)  # queued before the deadline, due after it
        if deadline is not None:  # a page still running at the deadline is given up
            limit = max(0.5, min(PAGE_TIMEOUT, deadline - time.monotonic()))
        try:
            return number, parse_tsv(run_tesseract(binary, png, language, limit), scale)
        except subprocess.TimeoutExpired:
            if limit < PAGE_TIMEOUT:
                raise RuntimeError(STOPPED) from None
            raise RuntimeError(f"OCR took longer than {PAGE_TIMEOUT} s") from None

    def rendered():
        for number in numbers:
            if deadline is not None and time.monotonic() > deadline:
                report.failed[number] = STOPPED
                continue
            try:
                png, scale = render_for_ocr(pdf, number - 1)
            except Exception as exc:  # noqa: BLE001 - one unrenderable page must not stop the others
                report.failed[number] = f"cannot render page ({exc})"
                continue
            yield number, png, scale

    with ThreadPoolExecutor(jobs) as pool:
        pending = []
        for item in rendered():
            pending.append((item[0], pool.submit(work, item)))
            # Keep at most two pages per worker in memory.
            while len(pending) > 2 * jobs:
                _collect(*pending.pop(0), by_number, report)
                report.tick()
        for number, future in pending:
            _collect(number, future, by_number, report)
            report.tick()


def _collect(number, future, by_number, report: OcrReport) -> None:
    try:
        _, lines = future.result()
    except RuntimeError as exc:
        message = str(exc)
        report.failed[number] = message if message.startswith("OCR ") else f"OCR failed ({message})"
        return
    except (OSError, ValueError) as exc:
        report.failed[number] = f"OCR failed ({exc})"
        return
    page = by_number[number]
    page.lines = lines
    page.ocr = True
    page.has_text_layer = bool(lines)
    page.garbled = False
    if lines:
        report.read.append(number)
    else:
        report.failed[number] = "OCR found no text"
