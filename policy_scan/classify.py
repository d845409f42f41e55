"""The sentence classifier (placeholder until the trained model ships)."""

from __future__ import annotations


def load_default_classifier(model_path: str | None = None):
    return None
