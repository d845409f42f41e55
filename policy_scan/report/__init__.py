"""Output formats: one registry for every command that writes one.

Each command (`scan`, `diff`, `audit-export`) offers exactly the formats registered for it
here: its `--format` choices are read from this table, and a renderer is found only
through it, so a format that is offered exists (tests render every one).  Renderers are
named by module and function and imported only when used, so the command line's `--help`
loads none of them.

    scan          fn(result: ScanResult, **options) -> str
    diff          fn(diff: DraftDiff, **options) -> str
    audit-export  fn(store, output, reports_dir=None) -> list[str]  (the files written)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    module: str  # where the renderer lives (relative to policy_scan)
    function: str
    help: str

    def load(self) -> Callable:
        return getattr(importlib.import_module(self.module, "policy_scan"), self.function)


REGISTRY: dict[str, dict[str, Format]] = {
    "scan": {
        f.name: f
        for f in (
            Format("text", ".report.text", "render_text", "checklist for the terminal"),
            Format("json", ".report.json", "render_json", "the JSON contract (schema_version 1.x)"),
            Format("csv", ".report.csv", "render_csv", "one row per finding (spreadsheet-safe)"),
            Format("html", ".report.html", "render_html", "the reviewer's report, one offline file"),
        )
    },
    "diff": {
        f.name: f
        for f in (
            Format("text", ".diff", "render_diff_text", "per theme before and after, evidence added and removed"),
            Format("json", ".diff", "render_diff_json", "the same as JSON"),
            Format("html", ".diff", "render_diff_html", "side by side, one offline file"),
        )
    },
    "audit-export": {
        f.name: f
        for f in (
            Format("csv", ".export", "export_csv", "matrix.csv and findings.csv in the folder OUT (spreadsheet-safe)"),
            Format("json", ".export", "export_json", "documents and findings in one file"),
            Format("parquet", ".export", "export_parquet", "matrix.parquet and findings.parquet in OUT (pyarrow)"),
            Format("html", ".export", "export_html", "the corpus heat map, linking to reports"),
        )
    },
}

FORMATS = tuple(REGISTRY["scan"])  # scan's formats (kept for callers of the old name)


def format_names(command: str) -> list[str]:
    """The `--format` choices of a command."""
    return list(REGISTRY[command])


def renderer(command: str, fmt: str) -> Callable:
    try:
        entry = REGISTRY[command][fmt]
    except KeyError:
        choices = ", ".join(REGISTRY.get(command, {}))
        raise ValueError(f"{command}: unknown format {fmt!r} (choose from {choices})") from None
    return entry.load()


def render(result, fmt: str, **options) -> str:
    """A scan result in one of scan's formats."""
    return renderer("scan", fmt)(result, **options)
