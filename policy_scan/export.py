"""Exports of an audit store: CSV, JSON, Parquet tables and an HTML corpus summary."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from .audit import report_name
from .errors import PolicyScanError
from .fsio import atomic_open, printable, write_text_atomic
from .report.csp import with_csp
from .report.csv import SPREADSHEET_FORMULA, spreadsheet_safe, write_rows  # noqa: F401 - re-exported
from .ruleset import default_taxonomy


def tables(store) -> tuple[list[dict], list[dict]]:
    """The document × theme matrix (one row per document) and the findings table."""
    verdicts = store.verdicts()
    matrix = []
    for doc in store.documents():
        row = {k: doc[k] for k in ("path", "sha256", "pages", "language", "status", "error", "score")}
        row["path"] = printable(doc["path"])  # a name that is not UTF-8 is shown with \xNN escapes
        for theme in default_taxonomy().theme_ids:
            v = verdicts.get(doc["id"], {}).get(theme)
            row[theme] = v["verdict"] if v else ""
            row[f"{theme}_stage"] = (v or {}).get("deepest_stage") or ""
        # Deleted or renamed since it was scanned: the row describes a file no longer there.
        row["file_exists"] = os.path.lexists(doc["path"])
        row["settings"] = doc.get("settings") or ""  # the options that shaped the result
        row["warnings"] = "; ".join(json.loads(doc["warnings"])) if doc.get("warnings") else ""
        matrix.append(row)
    findings = [{k: v for k, v in f.items() if k != "document_id"} for f in store.findings()]
    for f in findings:
        f["path"] = printable(f["path"])
    return matrix, findings


def export(store, fmt: str, output: str, reports_dir: str | None = None) -> list[str]:
    """Write an audit in one of audit-export's formats (the registry in report/__init__.py)."""
    from .report import REGISTRY

    if fmt not in REGISTRY["audit-export"]:
        raise PolicyScanError(output, f"unknown format {fmt!r}")
    return REGISTRY["audit-export"][fmt].load()(store, output, reports_dir)


def export_json(store, output: str, reports_dir: str | None = None) -> list[str]:
    matrix, findings = tables(store)
    write_text_atomic(output, json.dumps({"documents": matrix, "findings": findings}, ensure_ascii=False, indent=1))
    return [str(output)]


def export_csv(store, output: str, reports_dir: str | None = None) -> list[str]:
    """matrix.csv and findings.csv in the folder `output`, every cell spreadsheet-safe."""
    written = []
    for name, rows in _named_tables(store, output):
        target = Path(output) / f"{name}.csv"
        with atomic_open(target, "w", newline="", encoding="utf-8") as fh:
            write_rows(fh, rows)
        written.append(str(target))
    return written


def export_parquet(store, output: str, reports_dir: str | None = None) -> list[str]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise PolicyScanError(output, "Parquet export needs pyarrow (pip install pyarrow)") from None
    written = []
    for name, rows in _named_tables(store, output):
        target = Path(output) / f"{name}.parquet"
        with atomic_open(target, "wb") as fh:
            pq.write_table(pa.Table.from_pylist(rows), fh)
        written.append(str(target))
    return written


def export_html(store, output: str, reports_dir: str | None = None) -> list[str]:
    matrix, _ = tables(store)
    out = Path(output)
    write_text_atomic(out, summary_html(store, matrix, out.parent, reports_dir))
    return [str(out)]


def _named_tables(store, output: str) -> list[tuple[str, list[dict]]]:
    matrix, findings = tables(store)
    Path(output).mkdir(parents=True, exist_ok=True)
    return [("matrix", matrix), ("findings", findings)]


def summary_html(store, matrix: list[dict], where: Path, reports_dir: str | None = None) -> str:
    env = Environment(loader=PackageLoader("policy_scan.report", "templates"), autoescape=select_autoescape(["j2"]))
    for row, doc in zip(matrix, store.documents()):
        report = None
        if reports_dir and row["sha256"]:
            candidate = Path(reports_dir) / report_name(doc["path"], row["sha256"])
            if candidate.exists():
                report = relative_url(os.path.relpath(candidate, where))
        row["report"] = report
        row["name"] = Path(row["path"]).name
    db = printable(Path(store.path).name)  # the file's name, not the folders it sits in
    themes = default_taxonomy().theme_ids
    return with_csp(env.get_template("audit.html.j2").render(rows=matrix, themes=themes, db=db))


def relative_url(path: str) -> str:
    """A relative path as a URL: every component percent-encoded (its bytes, so any name).

    A file name is never read as a scheme ("javascript:…", "Plan:2024"), a fragment ("#2")
    or a query ("?v=2").
    """
    return "/".join(quote(os.fsencode(part), safe="") for part in Path(path).parts)
