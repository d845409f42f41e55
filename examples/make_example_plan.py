"""Build examples/draft_plan.pdf: a short fictional draft national development plan.

The text is ours (the Republic of Calandria does not exist); the layout exercises what real
plans do: a cover, a table of contents, running headers and footers with page numbers,
PDF bookmarks, numbered headings, hyphenation across lines, a two-column page and a
results table.  Run:  python examples/make_example_plan.py [OUT.pdf]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fpdf import FPDF

TITLE = "Calandria National Development Plan 2026-2030 (Draft for Cabinet)"

CHAPTERS = [
    (
        "1. Introduction and country context",
        [
            "Calandria enters its fourth national plan period with a young and increasingly mobile population. "
            "The 2024 census counted 11.2 million residents, and an estimated 1.4 million Calandrians live and "
            "work abroad, mainly in the Gulf states, Malaysia and southern Europe.",
            "Remittances sent home by workers abroad reached 9.6 per cent of GDP in 2024, more than foreign direct "
            "investment and official development assistance combined. Most transfers still travel through informal "
            "channels because the average cost of sending money from the main corridors remains above 7 per cent.",
            "Internal migration is reshaping the country. The capital grew by 4 per cent a year over the last "
            "decade as young people left the northern provinces, where river erosion and repeated floods have "
            "displaced an estimated 60,000 households since 2019.",
        ],
    ),
    (
        "2. Decent jobs at home and abroad",
        [
            "2.1 Labour migration",
            "The Government will adopt a labour migration policy that protects migrant workers at every stage of "
            "the migration cycle. Licensed recruitment agencies will be required to apply the employer-pays "
            "principle, and recruitment fees charged to workers will be prohibited.",
            "Bilateral labour agreements will be negotiated with the five main countries of destination, including "
            "standard employment contracts for domestic workers, who are mostly women.",
            "Pre-departure orientation and skills training will be offered in every provincial capital, and skills "
            "acquired abroad will be recognised through the national qualifications framework.",
            "2.2 Return and reintegration",
            "Returnees will be supported through a one-stop reintegration service offering job matching, "
            "business start-up grants and psychosocial counselling, with particular attention to workers who "
            "return after abuse or contract termination.",
        ],
    ),
    (
        "3. Social protection and health",
        [
            "The social insurance fund will open voluntary membership to Calandrians working abroad, and the "
            "Government will seek agreements on the portability of pension rights with destination countries.",
            "Universal health coverage will include migrants and refugees living in Calandria on the same terms "
            "as nationals. The Ministry of Health will also develop a retention strategy to slow the emigration "
            "of nurses and doctors.",
            "The ministry will complete the data migration of all patient records to the new health information "
            "system by 2027. This is an information technology project and does not concern people on the move.",
        ],
    ),
    (
        "4. Climate resilience and disaster risk",
        [
            "The national adaptation programme will map communities at risk of displacement by floods, river "
            "erosion and sea-level rise. Where living in place is no longer safe, planned relocation will be "
            "carried out with the consent and participation of the affected families.",
            "Fisheries management will protect the seasonal fish migration routes of the Tarun river and restore "
            "wetlands that shelter migratory birds.",
        ],
    ),
    (
        "5. Governance, security and the rule of law",
        [
            "A National Coordination Committee on Migration, chaired by the Ministry of Labour and including "
            "the ministries of foreign affairs, interior, health and education, will coordinate the implementation "
            "of this plan's migration commitments.",
            "The Government will strengthen the prosecution of trafficking in persons and the protection of "
            "victims, and will ratify the protocol against the smuggling of migrants. Customs will continue to "
            "fight drug trafficking and the smuggling of fuel at the northern border posts.",
            "Every child born in Calandria will be registered at birth, including the children of migrants, and "
            "consular services for citizens abroad will be extended to twelve new cities.",
        ],
    ),
    (
        "6. Results framework and budget",
        [
            "Indicator 6.1: Average cost of sending remittances to Calandria (baseline 2024: 7.2 per cent; target "
            "2030: 3 per cent).",
            "Indicator 6.2: Recruitment cost borne by migrant workers as a share of monthly income earned abroad "
            "(baseline 2024: 2.8 months; target 2030: 1 month).",
            "Indicator 6.3: Number of returnees assisted by the reintegration service each year (target: 15,000).",
            "Indicator 6.4: Number of identified victims of trafficking in persons referred to protection services "
            "(baseline 2024: 140; target 2030: all identified victims).",
            "The plan allocates 38 million dollars over five years to the migration programme, including the "
            "reintegration service, the pre-departure training centres and the national migration data system.",
        ],
    ),
]

TWO_COLUMN = (
    "7. Provincial development",
    [
        "The northern provinces will receive new investment in agro-processing, roads and vocational "
        "colleges so that staying and working at home becomes a real choice for young people. Provincial "
        "governments will prepare local development plans with their own targets.",
        "Secondary cities will be supported to plan for the people moving in from rural areas: affordable "
        "housing, water, schools and registration services for newcomers. Urban mobility plans will also "
        "improve bus services and mass transit in the capital.",
        "Host communities in the border districts, which received 18,000 refugees from the neighbouring "
        "conflict, will benefit from a joint programme on water, schools and livelihoods for refugees and "
        "their hosts alike, towards durable solutions.",
    ],
)


class PlanPDF(FPDF):
    def header(self) -> None:
        if self.page_no() <= 2:
            return
        self.set_font("Helvetica", "I", 8)
        self.set_y(8)
        self.cell(0, 6, "Calandria National Development Plan 2026-2030 - Draft", align="R")
        self.ln(12)

    def footer(self) -> None:
        if self.page_no() <= 2:
            return
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, f"Page {self.page_no()}", align="C")


def build(out: Path, chapters: list | None = None, foreword_pages: int = 0) -> Path:
    """Write the plan; tests pass edited chapters or extra pages to make later drafts."""
    chapters = CHAPTERS if chapters is None else chapters
    pdf = PlanPDF(format="A4")
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_margins(22, 22, 22)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 22)
    pdf.ln(60)
    pdf.multi_cell(0, 11, "Republic of Calandria", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 17)
    pdf.multi_cell(0, 9, "National Development Plan 2026-2030", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.ln(6)
    pdf.multi_cell(0, 7, "Draft for Cabinet - Ministry of Planning", align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, "Table of contents", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for n, (title, _) in enumerate(chapters + [TWO_COLUMN]):
        pdf.cell(0, 8, f"{title} " + "." * 40 + f" {n + 3}", new_x="LMARGIN", new_y="NEXT")

    for n in range(foreword_pages):
        pdf.add_page()
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(
            0,
            6,
            f"Foreword, part {n + 1}. The Ministry of Planning thanks the line ministries, the "
            "provinces and the development partners for their comments on the first draft.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for title, paragraphs in chapters:
        pdf.add_page()
        pdf.start_section(title, level=0)
        pdf.set_font("Helvetica", "B", 15)
        pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        for text in paragraphs:
            if text[:2].rstrip(".").replace(".", "").isdigit() and len(text) < 60:
                pdf.start_section(text, level=1)
                pdf.set_font("Helvetica", "B", 12)
                pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
                continue
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 6, text, align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)

    title, paragraphs = TWO_COLUMN
    pdf.add_page()
    pdf.start_section(title, level=0)
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 10)
    top = pdf.get_y()
    width = (pdf.w - 44 - 10) / 2
    # Left column: the first two paragraphs; right column: the third, hyphenated by hand.
    pdf.set_xy(22, top)
    for text in paragraphs[:2]:
        pdf.multi_cell(width, 5, text, align="L")
        pdf.ln(2)
        pdf.set_x(22)
    pdf.set_xy(22 + width + 10, top)
    words = paragraphs[2].replace("refugees from", "refu-\ngees from")
    for line in words.split("\n"):
        pdf.set_x(22 + width + 10)
        pdf.multi_cell(width, 5, line, align="L")
    pdf.output(str(out))
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("draft_plan.pdf")
    print(build(target))
