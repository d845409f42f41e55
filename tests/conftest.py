"""Shared fixtures: the real PDFs in ../shared/pdfs (skipped when absent) and generated PDFs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_PDFS = Path(os.environ.get("POLICY_SCAN_SHARED", ROOT.parent / "shared")) / "pdfs"


def shared_pdf(name: str) -> Path:
    path = SHARED_PDFS / name
    if not path.exists():
        pytest.skip(f"real PDF not available: {path}")
    return path


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    """A folder of generated PDFs exercising layout features and bad input."""
    from pdfgen import build_all

    folder = tmp_path_factory.mktemp("pdfs")
    build_all(folder)
    return folder


@pytest.fixture(scope="session")
def example_plan() -> Path:
    return ROOT / "examples" / "draft_plan.pdf"
