"""CSV a spreadsheet will not run: the scan's findings, one row each, and the writer that
audit exports share.

A cell whose text starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) gets a leading single quote, so a spreadsheet shows it instead of running it
(OWASP's advice on CSV injection).
"""

from __future__ import annotations

import csv
import io
import json

SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading
    single quote (OWASP, CSV injection)."""
    if isinstance(value, str) and value.startswith(SPREADSHEET_FORMULA):
        return "'" + value
    return value


def write_rows(fh, rows: list[dict], fieldnames: list[str] | None = None) -> None:
    """A header and the rows, every cell made spreadsheet-safe."""
    writer = csv.DictWriter(fh, fieldnames=fieldnames or (list(rows[0]) if rows else ["path"]))
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)


FINDING_COLUMNS = [
    "id", "page", "text", "char_start", "char_end", "chapter", "themes", "stage", "score", "source",
    "rule_ids", "matched_terms", "classifier_terms", "gcm", "sdg", "lang", "ocr",
]  # fmt: skip


def finding_rows(result) -> list[dict]:
    """The JSON findings flattened into cells: lists of ids comma-separated (as in an audit's
    findings table), terms as JSON lists, the chapter path joined with ' > '."""
    from .json import finding_dict

    rows = []
    for i, f in enumerate(result.findings):
        d = finding_dict(i, f, result.ruleset.taxonomy)
        row = {k: d[k] for k in FINDING_COLUMNS}
        row["chapter"] = " > ".join(d["chapter"])
        for key in ("themes", "rule_ids", "gcm", "sdg"):
            row[key] = ",".join(str(x) for x in d[key])
        for key in ("matched_terms", "classifier_terms"):
            row[key] = json.dumps(d[key], ensure_ascii=False)
        row["ocr"] = str(d["ocr"]).lower()
        rows.append(row)
    return rows


def render_csv(result, **_) -> str:
    out = io.StringIO(newline="")
    write_rows(out, finding_rows(result), FINDING_COLUMNS)
    return out.getvalue()
