"""Options of a briefing map: formats, page presets, fonts, the result record and checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from strikemap.analysis.view import Bbox
from strikemap.exports.files import (
    ExportFormatError,
)
from strikemap.maps.static.legend import FONT

FORMATS: tuple[str, ...] = ("png", "pdf", "svg")


BASEMAPS: tuple[str, ...] = ("offline", "tiles")


DEFAULT_TILE_PROVIDER = "CartoDB.Positron"


DEFAULT_TITLE = "Strikes on energy infrastructure around Odesa"


DEFAULT_EXTENT: Bbox = (28.0, 45.0, 31.6, 47.1)
"""Shown when neither the view nor the strikes give an extent (Odesa oblast and the Danube)."""


MIN_SPAN_DEG = (1.2, 0.8)
"""Smallest extent (longitude, latitude degrees) so that one strike still shows its setting."""


EXTENT_PAD_DEG = 0.3


DPI_RANGE = (50, 1200)


PNG_COMPRESS_LEVEL = 3
"""zlib level for PNGs: about 30 % faster than the default 6 for 3 % more bytes."""


RC_PARAMS: dict[str, object] = {
    "font.family": FONT,
    "pdf.fonttype": 42,  # embed TrueType fonts: text stays text and selectable
    "ps.fonttype": 42,
    "svg.fonttype": "none",  # keep text as <text> in SVG
    "svg.hashsalt": "strikemap",  # stable ids in SVG
    "path.simplify": True,
    "axes.linewidth": 0.6,
}
"""Applied while a map is built and saved (``matplotlib.rc_context``), never globally."""


@dataclass(frozen=True)
class Page:
    """A page preset.

    Size in inches, where the legend panel goes (``side`` or ``below``) and the panel's width
    (side) or height (below) in inches.
    """

    label: str
    width: float
    height: float
    panel: str
    panel_size: float


PAGES: dict[str, Page] = {
    "a4-landscape": Page("A4 landscape", 297 / 25.4, 210 / 25.4, "side", 2.5),
    "a4-portrait": Page("A4 portrait", 210 / 25.4, 297 / 25.4, "below", 3.0),
    "slide": Page("16:9 slide", 13.333, 7.5, "side", 3.2),
}


@dataclass(frozen=True)
class ExportResult:
    """What an export produced.

    Attributes
    ----------
    path
        File written, or None when writing into a file-like object.
    fmt, page, dpi
        Format, page preset and resolution used.
    size_in
        Page size in inches (width, height).
    size_px
        Pixel size of a PNG (width, height); None for PDF and SVG.
    n_strikes, n_links
        Strikes and strike-asset links drawn.
    extent
        West, south, east, north (degrees) of the area shown.
    crs
        PROJ string of the map projection.
    basemap
        The basemap actually drawn (``offline`` after a tile fallback).
    warnings
        Things the user should know (empty selection, tile fallback).
    seconds
        Time taken to draw and save.
    """

    path: Path | None
    fmt: str
    page: str
    dpi: int
    size_in: tuple[float, float]
    size_px: tuple[int, int] | None
    n_strikes: int
    n_links: int
    extent: Bbox
    crs: str
    basemap: str
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass
class MapInfo:
    """What a drawn figure shows; collected while drawing."""

    n_strikes: int = 0
    n_links: int = 0
    extent: Bbox = DEFAULT_EXTENT
    crs: str = ""
    basemap: str = "offline"
    warnings: list[str] = field(default_factory=list)


def check_options(*, fmt: str, page: str, dpi: int, basemap: str) -> None:
    """Raise ExportFormatError naming the first option we cannot honour."""
    if fmt not in FORMATS:
        msg = f"unknown static map format {fmt!r}; choose one of {', '.join(FORMATS)}"
        raise ExportFormatError(msg)
    if page not in PAGES:
        msg = f"unknown page {page!r}; choose one of {', '.join(PAGES)}"
        raise ExportFormatError(msg)
    if isinstance(dpi, bool) or not isinstance(dpi, int | np.integer):
        msg = f"dpi must be a whole number, got {dpi!r}"
        raise ExportFormatError(msg)
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        msg = f"dpi {dpi} is out of range; use {DPI_RANGE[0]}..{DPI_RANGE[1]} (300 for print)"
        raise ExportFormatError(msg)
    if basemap not in BASEMAPS:
        msg = f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}"
        raise ExportFormatError(msg)
