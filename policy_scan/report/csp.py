"""A Content-Security-Policy for every HTML file we write (report, diff, audit summary).

The files are opened from disk and mailed around, so the policy travels inside them as a
<meta> tag.  It allows only the file's own inline <style> and <script> blocks, by their
sha256 hashes, and images inlined as data: URLs: an injected inline event handler
(onerror=…), a javascript: URL, a script or style block added by anyone else, or a request
to the network is refused by the browser.  Text from PDFs and file names is escaped anyway;
this is the second line of defence.
"""

from __future__ import annotations

import base64
import hashlib
import re

_BLOCK = {tag: re.compile(rf"<{tag}>(.*?)</{tag}>", re.DOTALL) for tag in ("style", "script")}
_CHARSET = '<meta charset="utf-8">'


def _hashes(html: str, tag: str) -> str:
    found = [
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode("ascii") + "'"
        for block in _BLOCK[tag].findall(html)
    ]
    return " ".join(found) or "'none'"


def policy(html: str) -> str:
    return (
        "default-src 'none'; img-src data:; "
        f"style-src {_hashes(html, 'style')}; script-src {_hashes(html, 'script')}; "
        "base-uri 'none'; form-action 'none'"
    )


def with_csp(html: str) -> str:
    """`html` with the policy inserted right after its charset declaration (before any content)."""
    if _CHARSET not in html:
        raise ValueError('the template must declare <meta charset="utf-8">')
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    return html.replace(_CHARSET, _CHARSET + "\n" + meta, 1)
