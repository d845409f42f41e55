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
    doc.sha256 = hashlib.sha256(data).hexdigest()
    for page in doc.pages:
        if page.lines and is_garbled(" ".join(line.text for line in page.lines)):
            # Unreadable text is no evidence and would confuse language detection: drop it,
            # and let OCR (if asked for) read the page from its image instead.
            page.garbled, page.lines = True, []
    return doc


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
