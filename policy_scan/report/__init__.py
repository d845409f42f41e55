"""Renderers: one module per output format, all reading a `ScanResult` only."""

FORMATS = ("text", "json", "csv", "html")


def render(result, fmt: str, **options) -> str:
    if fmt == "json":
        from .json import render_json as run
    elif fmt == "csv":
        from .csv import render_csv as run
    elif fmt == "html":
        from .html import render_html as run
    else:
        from .text import render_text as run
    return run(result, **options)
