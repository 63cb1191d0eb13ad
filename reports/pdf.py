"""Write a report as PDF with ReportLab.

Fonts embedded (DejaVu Sans, subset), text wrapped, links clickable, tables broken across pages
with their header repeated, and an outline (bookmarks) of the sections.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    LongTable,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph

from strikemap.maps.static.render import png_size
from strikemap.reports.document import (
    Block,
    Facts,
    Figure,
    Heading,
    Link,
    Numbers,
    PageBreak,
    Paragraph,
    References,
    Report,
    Table,
    Text,
)

FONT = "DejaVuSans"
FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
    f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
    f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
"""DejaVu Sans from matplotlib's own files (a dependency already): Latin, Cyrillic, Greek."""
MARGIN = 18 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN
LINK_COLOR = "#1a4f9c"
RULE_COLOR = colors.HexColor("#bbbbbb")
HEADER_FILL = colors.HexColor("#eeeeee")
CELL_PT = 7.6
SHORT_CELL_EM = 0.6
"""Average character width in ems: a cell narrower than this estimate stays a plain string."""
TABLE_CHUNK_ROWS = 150
"""Long tables are laid out in pieces of this many rows, each with the header: ReportLab
measures a whole table again at every page break, so one 10,000-row table costs minutes."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@cache
def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, italic) with ReportLab once; return the family."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=FONT,
        bold=f"{FONT}-Bold",
        italic=f"{FONT}-Oblique",
        boldItalic=f"{FONT}-BoldOblique",
    )
    return FONT


@cache
def styles() -> dict[str, ParagraphStyle]:
    """Return the paragraph styles of the report."""
    font = register_fonts()
    base = ParagraphStyle("body", fontName=font, fontSize=9.2, leading=12.4, spaceAfter=4)
    return {
        "body": base,
        "lead": ParagraphStyle("lead", base, fontSize=11, leading=14.5, spaceAfter=3),
        "note": ParagraphStyle("note", base, fontSize=7.8, leading=10, textColor="#555555"),
        "h0": ParagraphStyle(
            "h0", base, fontName=f"{font}-Bold", fontSize=19, leading=23, spaceAfter=10
        ),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName=f"{font}-Bold",
            fontSize=14.5,
            leading=18,
            spaceBefore=6,
            spaceAfter=6,
        ),
        "h2": ParagraphStyle(
            "h2",
            base,
            fontName=f"{font}-Bold",
            fontSize=10.8,
            leading=13.5,
            spaceBefore=9,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "cell": ParagraphStyle("cell", base, fontSize=CELL_PT, leading=9.4, spaceAfter=0),
        "head": ParagraphStyle(
            "head", base, fontName=f"{font}-Bold", fontSize=CELL_PT, leading=9.4, spaceAfter=0
        ),
        "number": ParagraphStyle(
            "number", base, fontName=f"{font}-Bold", fontSize=22, leading=25, textColor="#b2182b"
        ),
        "caption": ParagraphStyle(
            "caption", base, fontSize=7.8, leading=10, textColor="#444444", spaceAfter=8
        ),
    }


def markup(value: Text | str) -> str:
    """Return ReportLab paragraph markup of a run: text escaped, links as ``<a href>``."""
    parts = (value,) if isinstance(value, str) else value
    out = []
    for part in parts:
        if isinstance(part, Link):
            href = escape(_clean(part.url), {'"': "&quot;"})
            label = escape(_clean(part.label))
            out.append(f'<a href="{href}" color="{LINK_COLOR}"><u>{label}</u></a>')
        else:
            out.append(escape(_clean(part)))
    return "".join(out)


def _clean(value: str) -> str:
    return _CONTROL.sub(" ", str(value))


class _Document(BaseDocTemplate):
    """A4 portrait pages with a footer; level-1/2 headings become the PDF outline."""

    def __init__(self, buffer: io.BytesIO, report: Report) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=report.title,
            author="strikemap",
            subject=f"Country report: {report.country_name} ({report.country})",
            creator="strikemap",
            invariant=True,
            lang="en",
            initialFontName=register_fonts(),
        )
        self.footer = report.footer
        frame = Frame(MARGIN, MARGIN, TEXT_WIDTH, A4[1] - 2 * MARGIN, id="text")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._draw_footer)])

    def _draw_footer(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(MARGIN, MARGIN / 2, self.footer)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, f"page {doc.page}")
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (ReportLab's hook)
        """Add an outline entry for every heading drawn."""
        outline = getattr(flowable, "outline", None)
        if outline is None:
            return
        title, level, key = outline
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)


def report_pdf(report: Report) -> bytes:
    """Return ``report`` as PDF bytes (A4 portrait)."""
    buffer = io.BytesIO()
    doc = _Document(buffer, report)
    story: list[Flowable] = []
    for number, block in enumerate(report.blocks):
        story += _flowables(block, number)
    doc.build(story)
    return buffer.getvalue()


def _flowables(block: Block, number: int) -> list[Flowable]:
    s = styles()
    if isinstance(block, Heading):
        anchor = f'<a name="{escape(block.anchor, {chr(34): "&quot;"})}"/>' if block.anchor else ""
        para = RLParagraph(anchor + markup(block.text), s[f"h{block.level}"])
        para.outline = (block.text, max(0, block.level - 1), f"h{number}")
        return [para]
    if isinstance(block, Paragraph):
        return [RLParagraph(markup(block.text), s[block.style])]
    if isinstance(block, Facts):
        rows = [[label, _cell(value, 0.8 * TEXT_WIDTH)] for label, value in block.rows]
        return [_table(rows, (0.2, 0.8), header=False)]
    if isinstance(block, Numbers):
        cells = [
            [RLParagraph(escape(v), s["number"]), RLParagraph(escape(label), s["cell"])]
            for v, label in block.items
        ]
        width = TEXT_WIDTH / len(cells)
        grid = LongTable([cells], colWidths=[width] * len(cells))
        grid.setStyle(
            TableStyle(
                [("FONT", (0, 0), (-1, -1), FONT, CELL_PT), ("VALIGN", (0, 0), (-1, -1), "TOP")]
            )
        )
        return [Spacer(1, 4), grid, Spacer(1, 8)]
    if isinstance(block, Table):
        head = [RLParagraph(escape(c), s["head"]) for c in block.columns]
        body = [
            [_cell(cell, w * TEXT_WIDTH) for cell, w in zip(row, block.widths, strict=True)]
            for row in block.rows
        ]
        chunks = [body[i : i + TABLE_CHUNK_ROWS] for i in range(0, len(body), TABLE_CHUNK_ROWS)]
        tables = [_table([head, *rows], block.widths, header=True) for rows in chunks or [[]]]
        return [*tables, Spacer(1, 6)]
    if isinstance(block, Figure):
        return [_figure(block)]
    if isinstance(block, References):
        return [
            RLParagraph(
                f"[{n}] {escape(_clean(publisher))}: {markup((Link(url, url),))}"
                if url.startswith(("http://", "https://"))
                else f"[{n}] {escape(_clean(url))}",
                s["note"],
            )
            for n, publisher, url in block.items
        ]
    if isinstance(block, PageBreak):
        return [RLPageBreak()]
    msg = f"unknown report block {type(block).__name__}"
    raise TypeError(msg)


def _cell(value: Text, width: float) -> object:
    """Return a table cell: a plain string for short link-free text, else a paragraph."""
    if all(isinstance(p, str) for p in value):
        plain = _clean("".join(value))  # type: ignore[arg-type]
        if "\n" not in plain and len(plain) * CELL_PT * SHORT_CELL_EM < width - 8:
            return plain
    return RLParagraph(markup(value), styles()["cell"])


def _table(rows: list[list[object]], widths: tuple[float, ...], *, header: bool) -> LongTable:
    table = LongTable(
        rows, colWidths=[w * TEXT_WIDTH for w in widths], repeatRows=1 if header else 0
    )
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, CELL_PT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE_COLOR),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    else:
        commands.append(("FONT", (0, 0), (0, -1), f"{FONT}-Bold", CELL_PT))
    table.setStyle(TableStyle(commands))
    return table


def _figure(block: Figure) -> Flowable:
    width_px, height_px = png_size(block.png)
    width = block.width * TEXT_WIDTH
    height = width * height_px / width_px
    image = Image(io.BytesIO(block.png), width=width, height=height)
    return KeepTogether([image, RLParagraph(escape(block.caption), styles()["caption"])])
