"""PDF -> Document: text lines with boxes and fonts, page by page, plus bookmarks.

Two engines produce the same `Document`: ``pdfium`` (pypdfium2, the default, fast) and
``pdfplumber`` (slower, pdfminer layout analysis).  Both check the file the same way first,
so bad input fails with the same message whichever engine runs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputError
from ..model import Document

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
    if not p.exists():
        raise InputError(str(path), "no such file")
    if p.is_dir():
        raise InputError(str(path), "is a directory, not a PDF")
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise InputError(str(path), f"cannot read file ({exc.strerror})") from None
    if size == 0:
        raise InputError(str(path), "empty file")
    if b"%PDF-" not in head:
        raise InputError(str(path), "not a PDF (no %PDF- header)")


def extract(
    path: str | Path, engine: str = "pdfium", password: str | None = None, max_pages: int | None = None
) -> Document:
    check_pdf_file(path)
    if engine == "pdfium":
        from .pdfium import extract_pdfium as run
    elif engine == "pdfplumber":
        from .plumber import extract_pdfplumber as run
    else:
        raise InputError(str(path), f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    doc = run(str(path), password=password, max_pages=max_pages)
    doc.sha256 = file_sha256(path)
    return doc
