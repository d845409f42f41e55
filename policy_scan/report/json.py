"""The JSON contract (schema_version 1.x): see the README's "JSON output" section.

Additive changes bump the minor version; removing or renaming a field bumps the major.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from .. import __version__
from ..fsio import printable
from ..language import language_name

SCHEMA_VERSION = "1.3"  # 1.1: document.garbled_pages; 1.2: tool.settings; 1.3: source "section"


def outline_with_ranges(result) -> list[dict]:
    entries = result.segmentation.outline
    last_page = result.document.page_count
    out = []
    for i, e in enumerate(entries):
        end = last_page
        for later in entries[i + 1 :]:
            if later.level <= e.level:
                # a heading near the top of its page closes the previous section on the page before
                end = max(e.page, later.page - 1 if later.top < 120 else later.page)
                break
        out.append({"title": e.title, "level": e.level, "page_start": e.page, "page_end": end})
    return out


def sdg_order(target: str) -> tuple:
    """'10.7' < '10.c' < '17.3': numbers before letters, part by part."""
    return tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in target.split("."))


FINDING_FIELDS = [
    "id", "page", "text", "char_start", "char_end", "boxes", "chapter", "themes", "stage", "score", "source",
    "rule_ids", "matched_terms", "classifier_terms", "gcm", "sdg", "lang", "ocr",
]  # fmt: skip


def finding_dict(index: int, f, taxonomy) -> dict:
    gcm = sorted({g for t in f.themes for g in taxonomy.themes[t].gcm})
    sdg = sorted({s for t in f.themes for s in taxonomy.themes[t].sdg}, key=sdg_order)
    return {
        "id": f"F{index + 1}",
        "page": f.page,
        "text": f.text,
        "char_start": f.char_start,
        "char_end": f.char_end,
        "boxes": [list(b) for b in f.boxes],
        "chapter": f.chapter,
        "themes": f.themes,
        "stage": f.stage,
        "score": f.score,
        "source": f.source,
        "rule_ids": f.rule_ids,
        "matched_terms": f.matched_terms,
        "classifier_terms": f.classifier_terms,
        "gcm": gcm,
        "sdg": sdg,
        "lang": f.lang,
        "ocr": f.ocr,
    }


def result_dict(result) -> dict:
    doc = result.document
    a = result.assessment
    taxonomy = result.ruleset.taxonomy
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "name": "policy-scan",
            "version": __version__,
            "rules_version": result.ruleset.version,
            "classifier": result.classifier,
            "settings": getattr(result, "settings", None),
        },
        "document": {
            "path": printable(doc.path),
            "sha256": doc.sha256,
            "pages": doc.page_count,
            "language": result.language,
            "language_name": language_name(result.language, result.ruleset.languages),
            "engine": doc.engine,
            "passages": len(result.segmentation.passages),
            "toc_pages": result.segmentation.toc_pages,
            "pages_without_text": [p.number for p in doc.pages if not p.has_text_layer],
            "ocr_pages": [p.number for p in doc.pages if p.ocr],
            "garbled_pages": [p.number for p in doc.pages if p.garbled],
        },
        "outline": outline_with_ranges(result),
        "findings": [finding_dict(i, f, taxonomy) for i, f in enumerate(result.findings)],
        "assessment": {
            "score": a.score,
            "counts": {"addressed": a.addressed, "partial": a.partial, "absent": a.absent},
            "themes": [asdict(t) for t in a.themes],
            "chapters": [
                {
                    "title": c.title,
                    "page_start": c.pages[0],
                    "page_end": c.pages[1],
                    "themes": c.themes,
                    "silent": not c.themes,
                }
                for c in a.chapters
            ],
        },
        "warnings": result.warnings,
    }


def render_json(result, **_) -> str:
    return json.dumps(result_dict(result), ensure_ascii=False, indent=2) + "\n"
