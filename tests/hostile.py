"""Generators of hostile and odd PDFs, written byte by byte.

Batch corpora of national plans are scraped from many ministry sites, so they contain files that are broken or
hostile: empty page trees, outlines that loop or nest thousands deep, pages tens of metres wide, fonts
whose text extracts as garbage, embedded JavaScript, decompression bombs, wrong cross-reference tables, thousands
of pages, or random bytes behind a PDF header. Each generator below writes one such kind, so tests can check that
a scan survives it (bounded time and memory, no crash) and still gets out the text that is readable. Most of these
cannot be made with fpdf2, so every file is written by `_write`, which lays out numbered objects, a cross-reference
table with the real byte offsets, and the trailer.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable
from pathlib import Path

SENTENCE = "Returning migrant workers receive reintegration support."

# Object layout shared by every generator that has pages (see `_document`): 1 catalog, 2 page tree, 3 Helvetica,
# then one (page, content) pair per page from 4 on, then the generator's extra objects.
CATALOG, PAGES, HELVETICA, FIRST_PAGE = 1, 2, 3, 4
_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def _bytes(body: bytes | str) -> bytes:
    return body if isinstance(body, bytes) else body.encode("latin-1")


def _write(path: Path, objects: Iterable[bytes | str], *, xref_shift: int = 0, trailer: str = "") -> Path:
    """Write objects 1..N (bodies without `obj`/`endobj`) with a correct xref, unless `xref_shift` skews it."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, _bytes(body))
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % (offset + xref_shift) for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (len(offsets) + 1, CATALOG, _bytes(trailer))
    out += b"startxref\n%d\n%%%%EOF\n" % start
    path.write_bytes(out)
    return path


def _stream(data: bytes, entries: str = "") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), _bytes(entries), data)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _text(lines: Iterable[str], font: str = "F1", size: float = 12, x: float = 72, y: float = 720) -> bytes:
    """A BT..ET block drawing one line per string, top down."""
    shows = " T* ".join(f"({_escape(line)}) Tj" for line in lines)
    return f"BT /{font} {size:g} Tf {size * 1.3:g} TL {x:g} {y:g} Td {shows} ET".encode("latin-1")


def _document(
    path: Path,
    contents: list[bytes],
    *,
    catalog: str = "",
    page: str = "",
    fonts: str = "",
    extra: Iterable[bytes | str] = (),
    **write,
) -> Path:
    """Pages of uncompressed content sharing one Helvetica /F1 (inherited resources); extras follow the pages."""
    kids = " ".join(f"{FIRST_PAGE + 2 * i} 0 R" for i in range(len(contents)))
    objects = [
        f"<< /Type /Catalog /Pages {PAGES} 0 R {catalog}>>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(contents)} /MediaBox [0 0 612 792]"
        f" /Resources << /Font << /F1 {HELVETICA} 0 R {fonts}>> >> >>",
        _HELVETICA,
    ]
    for i, content in enumerate(contents):
        objects.append(f"<< /Type /Page /Parent {PAGES} 0 R /Contents {FIRST_PAGE + 2 * i + 1} 0 R {page}>>")
        objects.append(_stream(content))
    return _write(path, [*objects, *extra], **write)


def _extra_base(pages: int) -> int:
    """Number of the first extra object in a `_document` of `pages` pages."""
    return FIRST_PAGE + 2 * pages


def zero_pages(path: Path) -> Path:
    """Valid syntax, but the page tree is empty: a reader must not assume page 1 exists."""
    return _write(path, [f"<< /Type /Catalog /Pages {PAGES} 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"])


def _outline_item(title: str, parent: int, **links: int) -> str:
    refs = "".join(f" /{key} {number} 0 R" for key, number in links.items() if key != "Count")
    count = f" /Count {links['Count']}" if "Count" in links else ""
    return f"<< /Title ({_escape(title)}) /Parent {parent} 0 R /Dest [{FIRST_PAGE} 0 R /Fit]{refs}{count} >>"


def cyclic_outline(path: Path) -> Path:
    """Outline items whose /Next and a child's /First lead back to earlier items: a naive walk never ends."""
    root, a, b, c, d = range(_extra_base(1), _extra_base(1) + 5)
    extra = [
        f"<< /Type /Outlines /First {a} 0 R /Last {c} 0 R /Count 3 >>",
        _outline_item("A. Labour migration", root, Next=b),
        _outline_item("B. Remittances", root, Prev=a, Next=c, First=d, Last=d, Count=1),
        _outline_item("C. Return and reintegration", root, Prev=b, Next=a),  # /Next loops back to A
        _outline_item("B.1 Diaspora bonds", b, First=a, Last=a, Next=b, Count=1),  # child of B re-enters at A
    ]
    catalog = f"/Outlines {root} 0 R /PageMode /UseOutlines "
    return _document(path, [_text([SENTENCE])], catalog=catalog, extra=extra)


def deep_outline(path: Path, depth: int = 5000) -> Path:
    """An outline nested `depth` levels deep: recursive walkers overflow the stack."""
    root = _extra_base(1)
    items = []
    for level in range(1, depth + 1):
        number = root + level
        links = {"First": number + 1, "Last": number + 1, "Count": depth - level} if level < depth else {}
        items.append(_outline_item(f"Level {level}", number - 1, **links))
    extra = [f"<< /Type /Outlines /First {root + 1} 0 R /Last {root + 1} 0 R /Count {depth} >>", *items]
    return _document(path, [_text([SENTENCE])], catalog=f"/Outlines {root} 0 R ", extra=extra)


def huge_page(path: Path) -> Path:
    """A 200 x 200 inch MediaBox times /UserUnit 10 (about 51 m square): naive rendering exhausts memory."""
    page = "/MediaBox [0 0 14400 14400] /UserUnit 10 "
    return _document(path, [_text([SENTENCE], size=96, x=720, y=13000)], page=page)


# Page 1 draws this in a font whose codes map only to private-use glyph names, so it extracts as garbage.
_HIDDEN = (
    "The national plan commits the ministry of labour to protect migrant workers abroad, to cut recruitment "
    "fees, to channel remittances into savings and to support the return and reintegration of workers and "
    "their families in every province, with data on migration collected by the statistics office each year."
)


def unmapped_font(path: Path) -> Path:
    """Page 1: text in a font with no usable unicode mapping (custom glyph names, no /ToUnicode); page 2: readable.

    Extraction of page 1 yields private-use characters, as from the subset fonts some typesetting tools embed.
    """
    codes = sorted({ord(ch) for ch in _HIDDEN})
    # Each code used gets a private-use glyph name; the codes are shifted past ASCII so no fallback
    # to the raw code can turn them back into English.
    differences = " ".join(f"{128 + i} /uniE{i:03X}" for i in range(len(codes)))
    shift = {code: chr(128 + i) for i, code in enumerate(codes)}
    hidden = "".join(shift[ord(ch)] for ch in _HIDDEN)
    garbage = _text([hidden[i : i + 60] for i in range(0, len(hidden), 60)], font="F2")
    font = (
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
        f" /Encoding << /Type /Encoding /Differences [{differences}] >> >>"
    )
    fonts = f"/F2 {_extra_base(2)} 0 R "
    return _document(path, [garbage, _text([SENTENCE])], fonts=fonts, extra=[font])


def javascript(path: Path) -> Path:
    """Document JavaScript run on open and kept in the /JavaScript name tree; a scanner must only read the text."""
    action = _extra_base(1)
    extra = ["<< /Type /Action /S /JavaScript /JS (app.alert\\('policy-scan test'\\);) >>"]
    catalog = f"/OpenAction {action} 0 R /Names << /JavaScript << /Names [(open) {action} 0 R] >> >> "
    return _document(path, [_text([SENTENCE])], catalog=catalog, extra=extra)


def decompression_bomb(path: Path, expanded_mb: int = 1024, filler: bytes = b" ") -> Path:
    """A ~1 MB Flate content stream that inflates to `expanded_mb` MB: a sentence, then `filler` repeated.

    Compressed in 1 MiB chunks so generating it needs little memory.
    """
    deflate = zlib.compressobj(9)
    head = _text([SENTENCE]) + b"\n"
    parts = [deflate.compress(head)]
    chunk = (filler * (2**20 // len(filler) + 1))[: 2**20]
    for _ in range(expanded_mb):
        parts.append(deflate.compress(chunk))
    parts.append(deflate.flush())
    data = b"".join(parts)
    objects = [
        f"<< /Type /Catalog /Pages {PAGES} 0 R >>",
        f"<< /Type /Pages /Kids [{FIRST_PAGE} 0 R] /Count 1 /MediaBox [0 0 612 792]"
        f" /Resources << /Font << /F1 {HELVETICA} 0 R >> >> >>",
        _HELVETICA,
        f"<< /Type /Page /Parent {PAGES} 0 R /Contents {FIRST_PAGE + 1} 0 R >>",
        _stream(data, "/Filter /FlateDecode "),
    ]
    return _write(path, objects)


def corrupt_xref(path: Path, shift: int = 7) -> Path:
    """A sound one-page file whose xref offsets are all off by `shift` bytes, as after careless editing."""
    return _document(path, [_text([SENTENCE])], xref_shift=shift)


def broken_page(path: Path) -> Path:
    """Two pages in the tree, but the first page's object is not a page: the engine cannot load it."""
    _document(path, [_text(["Broken page."]), _text([SENTENCE])])
    data = path.read_bytes()
    page = b"%d 0 obj\n<< /Type /Page " % FIRST_PAGE
    path.write_bytes(data.replace(page, b"%d 0 obj\n<< /Type /Xage " % FIRST_PAGE, 1))  # same length: xref stays right
    return path


def many_pages(path: Path, n: int = 3000) -> Path:
    """`n` pages sharing one font object: tests page caps and per-page overhead."""
    contents = [_text([f"Page {k}: returning migrant workers receive reintegration support."]) for k in range(1, n + 1)]
    return _document(path, contents)


def garbage_bytes(path: Path, size: int = 65536) -> Path:
    """A PDF header and then noise: no objects, no xref, no trailer."""
    path.write_bytes(b"%PDF-1.7\n" + random.Random(7).randbytes(size))
    return path


def build_all(folder: Path) -> dict[str, Path]:
    """Every hostile file with default sizes, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    makers = [
        zero_pages,
        cyclic_outline,
        deep_outline,
        huge_page,
        unmapped_font,
        javascript,
        decompression_bomb,
        corrupt_xref,
        broken_page,
        many_pages,
        garbage_bytes,
        nested_forms,
    ]
    return {make.__name__: make(folder / f"{make.__name__}.pdf") for make in makers}


def skops_exec_model(path: Path, marker: Path) -> Path:
    """A skops model file whose loading calls `builtins.exec`, which writes `marker`.

    skops rebuilds a ConstructorFromReduceNode by calling its type with the node's content, so
    a loader that trusts `builtins.exec` runs the code inside the file.
    """
    import json
    import zipfile

    code = f"open({str(marker)!r}, 'w').write('model code ran')"

    def node(cls: str, loader: str, content, number: int, **extra) -> dict:
        return {
            "__class__": cls,
            "__module__": "builtins",
            "__loader__": loader,
            "content": content,
            **extra,
            "__id__": number,
        }

    text = node("str", "JsonNode", json.dumps(code), 1, is_json=True)
    call = node("exec", "ConstructorFromReduceNode", node("tuple", "TupleNode", [text], 2), 3)
    key_types = node(
        "list", "ListNode", [{"__class__": "str", "__module__": "builtins", "__loader__": "TypeNode", "__id__": 4}], 5
    )
    schema = node("dict", "DictNode", {"meta": call}, 6, key_types=key_types, protocol=2, _skops_version="0.16.0")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
    return path


def cropbox_outside_mediabox(path: Path) -> Path:
    """A readable page whose /CropBox lies wholly outside its /MediaBox: the visible area is empty.

    The text is read; rendering the page for a report has nothing to draw on.
    """
    return _document(path, [_text([SENTENCE])], page="/CropBox [2000 2000 2600 2800] ")


FORMULAS = [
    '=HYPERLINK("http://example.invalid","Remittances") remittances sent home by migrant workers rose.',
    "+cmd|' /C calc'!A0 remittances sent home by migrant workers rose.",
    "@SUM(1+1)*cmd|' /C calc'!A0 remittances sent home by migrant workers rose.",
]


def formula_text(path: Path) -> Path:
    """Sentences about remittances that start like spreadsheet formulas (CSV injection).

    Each is its own paragraph, so each becomes a finding whose text starts with = + or @.
    """
    pages = [_text([line], y=720) for line in FORMULAS]
    return _document(path, pages)


def nested_forms(path: Path, depth: int = 70) -> Path:
    """The page's only text sits in a form XObject nested `depth` forms deep (each form draws
    the next): pdfium stops at its nesting limit and sees an empty page; pdfminer and poppler
    read the text."""
    first = _extra_base(1)
    extra = []
    for level in range(depth):
        number = first + level
        if level < depth - 1:
            body = b"q /X Do Q"
            resources = f"/Resources << /XObject << /X {number + 1} 0 R >> >>"
        else:
            body = _text([SENTENCE])
            resources = f"/Resources << /Font << /F1 {HELVETICA} 0 R >> >>"
        extra.append(_stream(body, f"/Type /XObject /Subtype /Form /BBox [0 0 612 792] {resources} "))
    page = f"/Resources << /Font << /F1 {HELVETICA} 0 R >> /XObject << /X {first} 0 R >> >> "
    return _document(path, [b"q /X Do Q"], page=page, extra=extra)


def text_bomb(path: Path, pages: int = 300) -> Path:
    """A small file whose text is all evidence: 55 migration sentences a page, 16,500 in all.
    Reading it is cheap; checking it (sentences, rule hits, findings) is not."""
    lines = [
        f"The government will make sure that all of the migrant workers who are in district {i} "
        "are able to send their remittances home."
        for i in range(55)
    ]
    return _document(path, [_text(lines, size=6, y=780)] * pages)
