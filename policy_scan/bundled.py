"""Where the data shipped with the package lives: the rules folder and the classifier model."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def default_rules_dir() -> Path:
    """The rules shipped in the package (a wheel), else the checkout's top-level rules/."""
    packaged = PACKAGE / "rules"
    return packaged if (packaged / "taxonomy.yaml").is_file() else PACKAGE.parent / "rules"


def default_model_path() -> Path:
    """The bundled classifier (its .npz weights lie beside it)."""
    return PACKAGE / "models" / "default.skops"
