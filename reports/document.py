"""The report as plain blocks (headings, paragraphs, tables, figures, references).

The sections build these blocks from an analysis; the PDF and HTML writers render them, each
escaping every piece of text for its own format. No block holds markup: text from data stays
text until a writer escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    """A clickable piece of text: ``label`` shown, ``url`` opened (http or https only)."""

    label: str
    url: str


Text = tuple[str | Link, ...]
"""A run of plain strings and links, rendered one after the other."""


def text(*parts: str | Link) -> Text:
    """Return the parts as one run of text, dropping empty strings."""
    return tuple(p for p in parts if p != "")


@dataclass(frozen=True)
class Heading:
    """A section heading; ``level`` 1 for sections, 2 for strikes and subsections."""

    text: str
    level: int = 1
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text; ``style`` is ``body``, ``lead`` (larger) or ``note`` (smaller, grey)."""

    text: Text
    style: str = "body"


@dataclass(frozen=True)
class Facts:
    """Label-value pairs shown as a two-column table without a header (a strike's facts)."""

    rows: tuple[tuple[str, Text], ...]


@dataclass(frozen=True)
class Numbers:
    """Headline numbers shown large: ``(value, label)`` pairs."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table whose header repeats on every page it spans.

    ``widths`` are fractions of the text width, one per column.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Text, ...], ...]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class Figure:
    """A PNG picture with a caption; ``width`` is a fraction of the text width."""

    png: bytes
    caption: str
    alt: str
    width: float = 1.0


@dataclass(frozen=True)
class References:
    """Numbered references: ``(number, publisher, url or source text)``."""

    items: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (PDF) or a new printed page (HTML)."""


Block = Heading | Paragraph | Facts | Numbers | Table | Figure | References | PageBreak


@dataclass(frozen=True)
class Report:
    """A country report: title, blocks in reading order, and the numbers it states.

    Attributes
    ----------
    title
        Document title (PDF metadata, HTML ``<title>``, the cover's heading).
    country, country_name
        The ISO3 code and name of the country the report is about.
    blocks
        The content, in reading order.
    numbers
        The headline numbers as stated on the cover (``strikes``, ``affected``, ``exposed``,
        ``assets``): what the tests compare with ``strikemap impact --summary``.
    footer
        One line for the foot of every PDF page.
    """

    title: str
    country: str
    country_name: str
    blocks: tuple[Block, ...]
    numbers: dict[str, int] = field(default_factory=dict)
    footer: str = ""
