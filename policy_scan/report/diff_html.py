"""The diff as one offline HTML file: the evidence each draft lost and gained, grouped by
theme, with filters (theme, kind, text) so hundreds of changes stay readable.

File names only (never the folders the drafts came from); everything from the PDFs goes
through Jinja2's autoescaping and the script reads it with textContent.
"""

from __future__ import annotations

import os

from jinja2 import Environment, PackageLoader, select_autoescape

from ..fsio import printable
from .csp import with_csp
from .html import theme_colour
from .labels import label

OPEN_GROUP = 25  # a theme's group starts folded when it holds more changes than this


def _item(kind: str, f: dict, before: dict | None = None) -> dict:
    return {
        "kind": kind,
        "page": f.get("page"),
        "page_before": before.get("page") if before else None,
        "text": f.get("text", ""),
        "text_before": before.get("text", "") if before else "",
        "themes": list(f.get("themes") or []),
        "stage": f.get("stage") or "",
        "chapter": f.get("chapter") or "",
        "lang": f.get("lang") if f.get("lang") in ("en", "es", "fr") else "",
    }


def diff_view(d, titles: dict[str, str]) -> dict:
    """Groups of changes by theme (a finding sits under its first theme; filters match any)."""
    items = (
        [_item("removed", f) for f in d.removed]
        + [_item("added", f) for f in d.added]
        + [_item("edited", b, a) for a, b in d.edited]
    )
    groups: dict[str, list[dict]] = {}
    for i, item in enumerate(items):
        item["id"] = f"c{i + 1}"
        groups.setdefault(item["themes"][0] if item["themes"] else "", []).append(item)
    order = [c.theme for c in d.themes] + sorted(set(groups) - {c.theme for c in d.themes})
    out = []
    for theme in order:
        if theme not in groups:
            continue
        members = sorted(groups[theme], key=lambda x: (("removed", "edited", "added").index(x["kind"]), x["page"] or 0))
        counts = {k: sum(1 for x in members if x["kind"] == k) for k in ("removed", "edited", "added")}
        out.append(
            {"theme": theme, "title": titles.get(theme, ""), "members": members, "counts": counts,
             "open": len(members) <= OPEN_GROUP}
        )  # fmt: skip
    return {"groups": out, "total": len(items)}


def render_diff_html(d, data: dict, ui_lang: str = "en", titles: dict | None = None, **_) -> str:
    """`d` a diff.DraftDiff, `data` its diff.diff_dict (this module does not import diff);
    labels in `ui_lang`, theme titles from `titles` (theme -> title) where given."""
    env = Environment(
        loader=PackageLoader("policy_scan.report", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    names = {
        side: printable(os.path.basename(str(getattr(d, side)["document"]["path"]).replace("\\", "/")))
        for side in ("old", "new")
    }
    titles = {c.theme: (titles or {}).get(c.theme, c.title) for c in d.themes}
    view = diff_view(d, titles)
    themes = [{"theme": c.theme, "title": titles[c.theme], "colour": theme_colour(c.theme)} for c in d.themes]
    per_theme = {g["theme"]: g["counts"] for g in view["groups"]}
    return with_csp(
        env.get_template("diff.html.j2").render(
            data=data,
            names=names,
            view=view,
            themes=themes,
            per_theme=per_theme,
            titles=titles,
            ui=ui_lang,
            L=lambda key: label(key, ui_lang),
        )
    )
