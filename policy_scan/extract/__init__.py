"""PDF -> Document: text lines with boxes and fonts, page by page, plus bookmarks.

Two engines produce the same `Document`: ``pdfium`` (pypdfium2, the default, fast) and
``pdfplumber`` (slower, pdfminer layout analysis).  Both check the file the same way first,
so bad input fails with the same message whichever engine runs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from ..fsio import not_regular
from ..model import Document, Page

ENGINES = ("pdfium", "pdfplumber")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_pdf_file(path: str | Path) -> None:
    """Fail early, with one clear line, on files no engine can read."""
    p = Path(path)
    if p.is_dir():
        raise InputError(str(path), "is a directory, not a PDF")
    problem = not_regular(p)  # "no such file", or the true reason: a symbolic link loop, a FIFO…
    if problem:
        raise InputError(str(path), problem)
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise InputError(str(path), f"cannot read file ({exc.strerror})") from None
    if size == 0 and head:  # /proc, /sys: files the kernel writes as they are read
        raise InputError(str(path), "a virtual file (size 0 on disk, as in /proc or /sys), not a PDF")
    if size == 0:
        raise InputError(str(path), "empty file")
    if b"%PDF-" not in head:
        raise InputError(str(path), "not a PDF (no %PDF- header)")


def extract(
    path: str | Path,
    engine: str = "pdfium",
    password: str | None = None,
    max_pages: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Document:
    """The PDF's pages as lines with boxes; `progress(pages_read, pages_to_read)` after each page."""
    check_pdf_file(path)
    if engine == "pdfium":
        from .pdfium import extract_pdfium as run
    elif engine == "pdfplumber":
        from .plumber import extract_pdfplumber as run
    else:
        raise InputError(str(path), f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    try:
        # Read once: the hash is of the very bytes parsed, even if the file changes meanwhile.
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    doc = run(str(path), password=password, max_pages=max_pages, data=data, progress=progress)
    if not doc.pages:
        raise InputError(str(path), "the PDF has no pages")
    if engine == "pdfium":
        reread_empty_pages(doc, data, password)
    doc.sha256 = hashlib.sha256(data).hexdigest()
    for page in doc.pages:
        if page.lines and is_garbled(" ".join(line.text for line in page.lines)):
            # Unreadable text is no evidence and would confuse language detection: drop it,
            # and let OCR (if asked for) read the page from its image instead.
            page.garbled, page.lines = True, []
    return doc


REREAD_PAGES = 20  # pages without text that pdfplumber reads again, at most
REREAD_GIVE_UP = 3  # ... and none after this many in a row gave nothing (a scanned plan)


def reread_empty_pages(doc: Document, data: bytes, password: str | None = None) -> None:
    """Read again with pdfplumber the pages where pdfium found no text.

    pdfium stops drawing form XObjects nested deeper than its limit (about 50), so text a
    generator wrapped in many forms comes out as an empty page; pdfminer (and poppler) read
    it.  A page pdfplumber finds words on gets them, and the document a warning naming it.
    Scanned pages have no words for either: after a few empty answers in a row, stop.
    """
    candidates = [p for p in doc.pages if not p.has_text_layer and not p.damaged and not p.garbled]
    if not candidates:
        return
    import io

    import pdfplumber

    from .plumber import _lines_from_words

    found, empty_in_a_row = [], 0
    try:
        pdf = pdfplumber.open(io.BytesIO(data), password=password or "")
    except Exception:  # noqa: BLE001 - pdfium read the file; pdfminer's failure changes nothing
        return
    try:
        for page in candidates[:REREAD_PAGES]:
            lines = _lines_from_words(pdf.pages[page.number - 1].extract_words(extra_attrs=["size", "fontname"]))
            if not lines:
                empty_in_a_row += 1
                if empty_in_a_row >= REREAD_GIVE_UP and not found:
                    break
                continue
            empty_in_a_row = 0
            page.lines, page.has_text_layer = lines, True
            found.append(page.number)
    except Exception:  # noqa: BLE001 - pdfminer's errors have no common base; pdfium's reading stands
        pass
    finally:
        try:
            pdf.close()  # pdfminer may fail again while closing a damaged file
        except Exception:  # noqa: BLE001
            pass
    if found:
        doc.warnings.append(
            f"pdfium found no text on page(s) {', '.join(map(str, found))} (forms nested too deep?); "
            "read them with pdfplumber"
        )


# pdfminer writes glyphs it cannot map as "(cid:123)".
_CID = re.compile(r"\(cid:\d+\)")
# Private use, unassigned, control and surrogate code points: what unmapped glyphs come out as.
_SUSPECT_CATEGORIES = frozenset({"Co", "Cn", "Cc", "Cs"})
GARBLED_SHARE = 0.3


def is_garbled(text: str) -> bool:
    """True when most of a page's text is glyphs without a unicode meaning.

    A few private-use bullets (U+F0B7) are normal in real plans; a page where about a third
    of the characters are such glyphs was written with fonts that carry no unicode mapping.
    """
    cids = len(_CID.findall(text))
    rest = _CID.sub("", text)
    chars = [c for c in rest if not c.isspace()]
    total = len(chars) + cids
    if total < 20:
        return False
    suspect = cids + sum(1 for c in chars if c == "\ufffd" or unicodedata.category(c) in _SUSPECT_CATEGORIES)
    return suspect / total >= GARBLED_SHARE


def pages_to_ocr(doc: Document, mode: str) -> list[int]:
    """Pages OCR should read: none (off), unreadable ones (auto), or all (force)."""
    if mode == "force":
        return [p.number for p in doc.pages if not p.damaged]
    if mode == "auto":
        return [p.number for p in doc.pages if needs_ocr(p)]
    return []


def needs_ocr(page: Page) -> bool:
    return not page.damaged and (page.garbled or not page.has_text_layer)
