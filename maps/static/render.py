"""Render a briefing map: select what the view shows, build the figure, write the file."""

from __future__ import annotations

import io
import logging
import time

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from strikemap.analysis import Analysis
from strikemap.exports.files import (
    Output,
    check_writable,
    is_path,
    resolve_format,
    write_output,
)
from strikemap.maps.static.annotate import draw_labels
from strikemap.maps.static.basemap import draw_basemap
from strikemap.maps.static.captions import footer_text, subtitle_text, wrap_text
from strikemap.maps.static.data import draw_data
from strikemap.maps.static.furniture import draw_footer, draw_furniture, draw_no_match, draw_titles
from strikemap.maps.static.layout import (
    FOOTER_PT,
    MARGIN_IN,
    box_fraction,
    lonlat_extent,
    map_projection,
    page_boxes,
    setup_map_axes,
    visible_lonlat,
)
from strikemap.maps.static.legend import draw_legends
from strikemap.maps.static.locator import draw_locator
from strikemap.maps.static.options import (
    DEFAULT_TILE_PROVIDER,
    DEFAULT_TITLE,
    FORMATS,
    PAGES,
    PNG_COMPRESS_LEVEL,
    RC_PARAMS,
    ExportResult,
    MapInfo,
    check_options,
)
from strikemap.maps.static.selection import select_view

log = logging.getLogger(__name__)


def render_static_map(
    analysis: Analysis,
    *,
    out: Output,
    fmt: str | None = None,
    page: str = "a4-landscape",
    dpi: int = 300,
    title: str | None = None,
    links_on: bool = True,
    basemap: str = "offline",
    tile_provider: str = DEFAULT_TILE_PROVIDER,
) -> ExportResult:
    """Draw the view as a briefing map and write it as PNG, PDF or SVG.

    Parameters
    ----------
    analysis
        The analysed view (``strikemap.analysis.analyse``): its strikes and links are drawn over
        every asset layer of its dataset; the view gives the extent (``view.bbox``, else the
        shown strikes' extent), the colouring, the selection and the subtitle.
    out
        File path, or a binary file-like object such as ``io.BytesIO``.
    fmt
        ``png``, ``pdf`` or ``svg``; by default the suffix of a path ``out``, and ``png`` for a
        file-like ``out``.
    page
        ``a4-landscape``, ``a4-portrait`` or ``slide`` (16:9).
    dpi
        Resolution of PNGs (and of rasterised dense point layers in PDF/SVG).
    title
        Map title; defaults to ``DEFAULT_TITLE``.
    links_on
        Draw lines from strikes to their linked assets.
    basemap
        ``offline`` (countries layer) or ``tiles`` (needs the ``tiles`` extra and network; falls
        back to ``offline`` with a warning).
    tile_provider
        xyzservices provider name for ``basemap="tiles"``.

    Returns
    -------
    ExportResult
        Path, sizes, counts, extent, projection and warnings.

    Notes
    -----
    Fonts and PDF/SVG options are set with ``matplotlib.rc_context`` while the map is built
    and saved; nothing touches pyplot or the global rcParams afterwards.

    Raises
    ------
    ExportFormatError
        Unknown format or page, a dpi out of range, a suffix that contradicts ``fmt``
        (a ``ValueError``).
    ExportWriteError
        The folder of ``out`` is missing or not writable (an ``OSError``); checked before
        drawing.
    """
    if fmt is None and not is_path(out):
        fmt = "png"
    fmt = resolve_format(out, fmt, FORMATS)
    check_options(fmt=fmt, page=page, dpi=dpi, basemap=basemap)
    check_writable(out)
    started = time.perf_counter()
    with mpl.rc_context(RC_PARAMS):
        fig, info = build_figure(
            analysis,
            page=page,
            dpi=dpi,
            title=title,
            links_on=links_on,
            basemap=basemap,
            tile_provider=tile_provider,
        )
        data = figure_bytes(fig, fmt=fmt, dpi=dpi, title=title or DEFAULT_TITLE)
    path = write_output(data, out)
    spec = PAGES[page]
    size_px = png_size(data) if fmt == "png" else None
    for warning in info.warnings:
        log.warning("%s", warning)
    return ExportResult(
        path=path,
        fmt=fmt,
        page=page,
        dpi=int(dpi),
        size_in=(spec.width, spec.height),
        size_px=size_px,
        n_strikes=info.n_strikes,
        n_links=info.n_links,
        extent=info.extent,
        crs=info.crs,
        basemap=info.basemap,
        warnings=tuple(info.warnings),
        seconds=time.perf_counter() - started,
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def figure_bytes(fig: Figure, *, fmt: str, dpi: int, title: str) -> bytes:
    """Save ``fig`` into bytes; fonts embedded in PDF, text kept as text in SVG."""
    metadata: dict[str, str | None]
    if fmt == "pdf":
        metadata = {"Title": title, "Creator": "strikemap", "CreationDate": None}
    elif fmt == "svg":
        metadata = {"Title": title, "Creator": "strikemap", "Date": None}
    else:
        metadata = {"Title": title, "Software": "strikemap"}
    options = {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if fmt == "png" else {}
    buffer = io.BytesIO()
    with mpl.rc_context(RC_PARAMS):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, **options)
    return buffer.getvalue()


def build_figure(
    analysis: Analysis,
    *,
    page: str = "a4-landscape",
    dpi: int = 300,
    title: str | None = None,
    links_on: bool = True,
    basemap: str = "offline",
    tile_provider: str = DEFAULT_TILE_PROVIDER,
) -> tuple[Figure, MapInfo]:
    """Return the briefing map as a matplotlib Figure (not attached to pyplot) and what it shows.

    Call inside ``matplotlib.rc_context(RC_PARAMS)`` for the intended fonts.
    """
    check_options(fmt="png", page=page, dpi=dpi, basemap=basemap)
    sel = select_view(analysis)
    view = analysis.view
    info = MapInfo(n_strikes=len(sel.strikes))
    spec = PAGES[page]
    footer = footer_text(
        sel.strikes, cutoff=sel.cutoff, basemap=basemap, tile_provider=tile_provider
    )
    footer_lines = wrap_text(footer, width_in=spec.width - 2 * MARGIN_IN, fontsize=FOOTER_PT)
    fig = Figure(figsize=(spec.width, spec.height), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    boxes = page_boxes(spec, n_footer_lines=len(footer_lines))
    map_ax = fig.add_axes(box_fraction(boxes["map"], spec))
    extent = lonlat_extent(view, sel.strikes)
    crs, visible = map_projection(extent, aspect=boxes["map"][2] / boxes["map"][3])
    info.crs = crs.srs
    frame_ll = visible_lonlat(visible, crs)
    info.extent = tuple(round(v, 4) for v in frame_ll.bounds)  # type: ignore[assignment]
    setup_map_axes(map_ax, visible)
    info.basemap = draw_basemap(map_ax, sel.countries, crs, frame_ll, basemap, tile_provider, info)
    if basemap == "tiles" and info.basemap == "offline":
        footer = footer_text(
            sel.strikes, cutoff=sel.cutoff, basemap="offline", tile_provider=tile_provider
        )
        footer_lines = wrap_text(footer, width_in=spec.width - 2 * MARGIN_IN, fontsize=FOOTER_PT)
    drawn = draw_data(map_ax, sel, crs, frame_ll, view=view, links_on=links_on)
    info.n_links = drawn.n_links
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    obstacles = [*draw_furniture(map_ax, drawn.xy, renderer), *drawn.obstacles]
    if sel.strikes.empty:
        obstacles.append(draw_no_match(map_ax, renderer))
        info.warnings.append("No strikes match the view; the map shows the area without strikes")
    draw_labels(map_ax, sel, crs, frame_ll, drawn, renderer, np.vstack(obstacles))
    draw_legends(fig, boxes["legend"], spec, drawn, view, renderer)
    draw_locator(fig.add_axes(box_fraction(boxes["locator"], spec)), sel.countries, frame_ll)
    subtitle = subtitle_text(view, sel.strikes, countries=sel.countries)
    draw_titles(fig, spec, title or DEFAULT_TITLE, subtitle, renderer)
    draw_footer(fig, footer_lines)
    return fig, info
