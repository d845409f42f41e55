"""Generate small PDFs for tests: layout features real plans have, and broken files."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

LOREM = (
    "The ministry will extend rural roads, upgrade district hospitals and train teachers in every "
    "province, with attention to the poorest districts and to the maintenance of existing assets."
)


class _Running(FPDF):
    """Every page carries a running header and a page-number footer."""

    def header(self) -> None:
        self.set_font("Helvetica", "I", 8)
        self.set_y(8)
        self.cell(0, 6, "Ministry of Planning - Sector Strategy 2026", align="R")
        self.ln(14)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, f"- {self.page_no()} -", align="C")


def _para(pdf: FPDF, text: str, width: float = 0, size: int = 11) -> None:
    pdf.set_font("Helvetica", "", size)
    pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def running_headers(path: Path) -> Path:
    pdf = _Running(format="A4")
    openings = ["Roads come first.", "Hospitals follow.", "Schools are next.", "Water closes the list."]
    for n in range(4):
        pdf.add_page()
        _para(pdf, openings[n] + " " + LOREM)
        if n == 2:
            _para(pdf, "Migrant workers abroad will be protected through bilateral labour agreements.")
    pdf.output(str(path))
    return path


def two_columns(path: Path) -> Path:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    width = (pdf.w - 20 - 10) / 2
    left = "LEFT-ONE The first column opens the page. " + LOREM + " LEFT-END closes the left column."
    right = "RIGHT-ONE The second column follows the first. " + LOREM + " RIGHT-END closes the right column."
    top = 30
    pdf.set_xy(10, top)
    pdf.multi_cell(width, 5, left)
    pdf.set_xy(10 + width + 10, top)
    pdf.multi_cell(width, 5, right)
    pdf.output(str(path))
    return path


def hyphenated(path: Path) -> Path:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    for line in [
        "The plan will support the reinte-",
        "gration of returning migrant workers and their",
        "families in the provinces.",
    ]:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def bookmarked(path: Path) -> Path:
    pdf = FPDF(format="A4")
    for title, body in [
        ("Chapter 1. Health", "District hospitals will be upgraded. " + LOREM),
        ("Chapter 2. Labour and employment", "Recruitment fees charged to migrant workers will be abolished by 2028."),
    ]:
        pdf.add_page()
        pdf.start_section(title)
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        _para(pdf, body)
    pdf.output(str(path))
    return path


def font_headings(path: Path) -> Path:
    """No bookmarks: headings only by size and numbering."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    for title, body in [
        ("1. Social protection", "Pensions will be indexed to inflation. " + LOREM),
        ("2. Migration and development", "Remittances from the diaspora will be channelled into savings."),
    ]:
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        _para(pdf, body)
    pdf.output(str(path))
    return path


def image_only(path: Path) -> Path:
    """A page with no text layer: the text is pixels."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (800, 300), 255)
    ImageDraw.Draw(image).text((20, 20), "Migrant workers send remittances home.", fill=0)
    png = path.with_suffix(".png")
    image.save(png)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(str(png), x=10, y=10, w=180)
    pdf.output(str(path))
    png.unlink()
    return path


def with_references(path: Path) -> Path:
    """Migration evidence, a table-like "Notes" line, then a bibliography set in body type."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, "2. Labour migration", new_x="LMARGIN", new_y="NEXT")
    _para(pdf, "The ministry will cut recruitment fees paid by migrant workers going to Malaysia.")
    _para(pdf, "Notes")
    _para(pdf, "Pre-departure training will prepare migrant workers for their contracts abroad.")
    _para(pdf, "Bibliography")
    _para(pdf, "World Bank. 2016. Migration and Remittances Factbook 2016. Washington, DC.")
    _para(pdf, "IOM. 2014. Assessment of returned migrant workers in Cambodia. Phnom Penh.")
    pdf.output(str(path))
    return path


MATRIX_ACTIVITY = (
    "15.2 Encourage banks to offer cheap",
    "remittance transfers to migrant workers",
    "and their families in every province.",
)


def rotated_matrix(path: Path) -> Path:
    """A landscape results matrix as plans print them: a portrait page with /Rotate 90 whose
    text is drawn turned the other way, so it reads upright.  Columns: goal, activity,
    responsible body, timeline mark."""
    from hostile import _document

    def cell(x: float, top: float, lines: tuple[str, ...]) -> str:
        # Display (x, y from the top) is PDF (y, x) on this page; text runs up the PDF page.
        return " ".join(
            f"BT /F1 10 Tf 0 1 -1 0 {top + 10 + 14 * i:g} {x:g} Tm ({t}) Tj ET" for i, t in enumerate(lines)
        )

    rows = [
        (
            ("Goal 15: remittances are cheaper", "and safer for migrant families."),
            ("15.1 Publish the cost of sending money", "home on each corridor every year."),
            ("Central bank,", "ministry of labour"),
        ),
        (
            ("Goal 16: returnees find decent", "work at home."),
            MATRIX_ACTIVITY,
            ("Ministry of finance,", "commercial banks"),
        ),
    ]
    parts, top = [], 60.0
    for goal, activity, body in rows:
        parts += [cell(40, top, goal), cell(280, top, activity), cell(560, top, body), cell(700, top, ("X",))]
        top += 80
    return _document(path, ["\n".join(parts).encode("latin-1")], page="/Rotate 90")


SCANNED_TEXT = (
    "Chapter 4. Labour and employment",
    "The ministry will open a migrant resource centre in every province so that migrant workers "
    "can check recruitment agencies before they leave.",
    "Remittances sent home by workers abroad will be channelled into savings and small business loans.",
)


def scanned(path: Path, dpi: int = 150) -> Path:
    """A real scan's shape: a text page rendered to pixels and put back as an image only."""
    import pypdfium2 as pdfium

    source = path.with_name(path.stem + "-source.pdf")
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, SCANNED_TEXT[0], new_x="LMARGIN", new_y="NEXT")
    for text in SCANNED_TEXT[1:]:
        _para(pdf, text, size=12)
    pdf.output(str(source))
    document = pdfium.PdfDocument(str(source))
    image = document[0].render(scale=dpi / 72, grayscale=True).to_pil()
    document.close()
    source.unlink()
    png = path.with_suffix(".png")
    image.save(png)
    out = FPDF(format="A4")
    out.add_page()
    out.image(str(png), x=0, y=0, w=210, h=297)
    out.output(str(path))
    png.unlink()
    return path


def encrypted(path: Path, password: str = "secret") -> Path:
    pdf = FPDF(format="A4")
    pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    pdf.add_page()
    _para(pdf, "Returnees will receive reintegration support from the labour ministry.")
    pdf.output(str(path))
    return path


def truncated(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def corrupt(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    return path


def build_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "running": running_headers(folder / "running.pdf"),
        "columns": two_columns(folder / "columns.pdf"),
        "hyphen": hyphenated(folder / "hyphen.pdf"),
        "bookmarks": bookmarked(folder / "bookmarks.pdf"),
        "headings": font_headings(folder / "headings.pdf"),
        "image_only": image_only(folder / "image_only.pdf"),
        "encrypted": encrypted(folder / "encrypted.pdf"),
        "hostile_text": hostile_text(folder / "hostile_text.pdf"),
        "scanned": scanned(folder / "scanned.pdf"),
        "references": with_references(folder / "references.pdf"),
        "matrix": rotated_matrix(folder / "matrix.pdf"),
    }
    files["truncated"] = truncated(files["running"], folder / "truncated.pdf")
    files["corrupt"] = corrupt(folder / "corrupt.pdf")
    (folder / "not_a_pdf.pdf").write_text("This is a plain text file, not a PDF.\n")
    files["not_a_pdf"] = folder / "not_a_pdf.pdf"
    (folder / "empty.pdf").write_bytes(b"")
    files["empty"] = folder / "empty.pdf"
    return files


XSS_SCRIPT = "<script>window.__xss = 1; alert(1)</script>"
XSS_ATTR = '"><img src=x onerror="window.__xss = 2">'


def hostile_text(path: Path) -> Path:
    """Migration sentences carrying markup: the report must show it as text."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    _para(pdf, f"Migrant workers abroad will receive consular assistance {XSS_SCRIPT} in every embassy.")
    _para(pdf, f"Remittances sent home by workers abroad {XSS_ATTR} will be cheaper by 2030.")
    pdf.output(str(path))
    return path
