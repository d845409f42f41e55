"""Shared fixtures: the real PDFs in ../shared/pdfs (skipped when absent) and generated PDFs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SHARED_PDFS = Path(os.environ.get("POLICY_SCAN_SHARED", ROOT.parent / "shared")) / "pdfs"


# Fuzzing profiles (tests/test_fuzz.py): a bounded run by default, `--hypothesis-profile=fuzz`
# for a long one.
settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


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
