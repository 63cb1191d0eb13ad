"""Static briefing maps (PNG, PDF, SVG) with matplotlib, from the same view and styles as the app.

The entry point is :func:`render_static_map`. The map is drawn in a Lambert azimuthal equal-area
projection centred on the extent, on an offline basemap drawn from the ``countries`` layer (or
online tiles when asked and available), with a title, a subtitle that states the time window and
filters in words, a legend and a locator inset beside the map (never over the strikes), a scale
bar, a north arrow, non-overlapping place labels and a footer with the data cut-off date, the
publishers of the strikes shown and the boundary attribution.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import textwrap
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle, PathPatch
from matplotlib_scalebar.scalebar import ScaleBar
from pyproj import CRS, Transformer

from strikemap.analysis.view import Bbox, View, apply_view, strikes_extent
from strikemap.exports.files import (
    ExportFormatError,
    Output,
    check_writable,
    is_path,
    resolve_format,
    write_output,
)
from strikemap.geo.assets import asset_type_map, combine_assets
from strikemap.layers.catalog import ASSET_LAYERS as CATALOG_ASSET_LAYERS
from strikemap.maps import style
from strikemap.maps.captions import footer_text, subtitle_text, wrap_text
from strikemap.maps.drawing import line_segments, polygon_path
from strikemap.maps.labels import ON_POINT, LabelRequest, place_labels
from strikemap.maps.legend import FONT, MUTED_COLOR, PLACE_COLOR, TEXT_COLOR, draw_legends
from strikemap.maps.locator import draw_locator, fit_aspect
from strikemap.maps.places import KEY_PLACES

log = logging.getLogger(__name__)

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
MANY_STRIKES = 2_000
"""Above this many strikes, markers shrink, lose their edges and are rasterised in PDF/SVG."""
MAX_COUNT_LABELS = 60
TARGET_LABEL_CHARS = 32
MAX_MARKER_OBSTACLES = 3_000
ASSET_LAYERS: tuple[str, ...] = tuple(spec.name for spec in CATALOG_ASSET_LAYERS)
COUNTRY_LABEL_COLOR = "#8c8577"
SEA_LABEL_COLOR = "#5b7d99"

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

STACK_BADGE = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#777777", "lw": 0.5}
"""Box around the number of strikes drawn at one point."""
BLACK_SEA_BOX = (27.3, 40.9, 41.8, 46.7)
AZOV_BOX = (34.8, 45.2, 39.5, 47.4)


# --------------------------------------------------------------------------------------------
# Options


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


# --------------------------------------------------------------------------------------------
# Public entry points


def render_static_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    links: pd.DataFrame,
    view: View,
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
    layers
        ``{layer name: frame}`` as ``layers.io.read_layers`` returns them (all features; the view
        is applied here). Missing layers are drawn as empty.
    links
        The impact table (``strike_id, asset_id, asset_layer, country, relation, distance_m,
        confidence, detail``), all rows or already filtered.
    view
        Time window, filters and extent (``view.bbox``; else the shown strikes' extent).
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
            layers,
            links,
            view,
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
    size_px = _png_size(data) if fmt == "png" else None
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


def _png_size(data: bytes) -> tuple[int, int]:
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


@dataclass(frozen=True)
class Selection:
    """The strikes, links and assets a view shows, and facts about the whole data."""

    strikes: gpd.GeoDataFrame
    links: pd.DataFrame
    assets: dict[str, gpd.GeoDataFrame]
    countries: gpd.GeoDataFrame
    cutoff: dt.date | None


def select_view(
    layers: Mapping[str, gpd.GeoDataFrame], links: pd.DataFrame, view: View
) -> Selection:
    """Apply ``view`` to the layers and the impact table; the CLI's table export uses it too."""
    strikes = layers.get("strikes")
    if strikes is None:
        strikes = _empty_points()
    assets = {name: layers[name] for name in ASSET_LAYERS if name in layers}
    links = _with_link_columns(links)
    asset_types = asset_type_map(combine_assets(assets))
    shown, shown_links = apply_view(strikes, links, view, asset_types=asset_types)
    shown = shown.assign(_date=pd.to_datetime(shown["date"], errors="coerce"))
    shown = shown.sort_values(["_date", "id"], kind="stable").drop(columns="_date")
    countries = layers.get("countries")
    if countries is None:
        countries = _empty_points()
    dates = pd.to_datetime(strikes["date"], errors="coerce").dropna()
    cutoff = dates.max().date() if len(dates) else None
    return Selection(shown, shown_links, assets, countries, cutoff)


# --------------------------------------------------------------------------------------------
# Building the figure


def build_figure(
    layers: Mapping[str, gpd.GeoDataFrame],
    links: pd.DataFrame,
    view: View,
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
    sel = select_view(layers, links, view)
    info = MapInfo(n_strikes=len(sel.strikes))
    spec = PAGES[page]
    footer = footer_text(
        sel.strikes, cutoff=sel.cutoff, basemap=basemap, tile_provider=tile_provider
    )
    footer_lines = wrap_text(footer, width_in=spec.width - 2 * MARGIN_IN, fontsize=FOOTER_PT)
    fig = Figure(figsize=(spec.width, spec.height), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    boxes = page_boxes(spec, n_footer_lines=len(footer_lines))
    map_ax = fig.add_axes(_fraction(boxes["map"], spec))
    extent = _lonlat_extent(view, sel.strikes)
    crs, visible = map_projection(extent, aspect=boxes["map"][2] / boxes["map"][3])
    info.crs = crs.srs
    frame_ll = _visible_lonlat(visible, crs)
    info.extent = tuple(round(v, 4) for v in frame_ll.bounds)  # type: ignore[assignment]
    _setup_map_axes(map_ax, visible)
    info.basemap = _draw_basemap(map_ax, sel.countries, crs, frame_ll, basemap, tile_provider, info)
    if basemap == "tiles" and info.basemap == "offline":
        footer = footer_text(
            sel.strikes, cutoff=sel.cutoff, basemap="offline", tile_provider=tile_provider
        )
        footer_lines = wrap_text(footer, width_in=spec.width - 2 * MARGIN_IN, fontsize=FOOTER_PT)
    drawn = _draw_data(map_ax, sel, crs, frame_ll, view=view, links_on=links_on)
    info.n_links = drawn.n_links
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    obstacles = [*_draw_furniture(map_ax, drawn.xy, renderer), *drawn.obstacles]
    if sel.strikes.empty:
        obstacles.append(_draw_no_match(map_ax, renderer))
        info.warnings.append("No strikes match the view; the map shows the area without strikes")
    _draw_labels(map_ax, sel, crs, frame_ll, drawn, renderer, np.vstack(obstacles))
    draw_legends(fig, boxes["legend"], spec, drawn, view, renderer)
    draw_locator(fig.add_axes(_fraction(boxes["locator"], spec)), sel.countries, frame_ll)
    subtitle = subtitle_text(view, sel.strikes, countries=sel.countries)
    _draw_titles(fig, spec, title or DEFAULT_TITLE, subtitle, renderer)
    _draw_footer(fig, footer_lines)
    return fig, info


# --------------------------------------------------------------------------------------------
# Page layout (inches)

MARGIN_IN = 0.4
TITLE_BAND_IN = 0.75
LOCATOR_MAX_HEIGHT_IN = 1.9
GAP_IN = 0.2
FOOTER_PT = 6.5
FOOTER_LINE_IN = 0.115
TITLE_PT = 16
MIN_TITLE_PT = 11
SUBTITLE_LINES = 2
SUBTITLE_PT = 9
PLACE_PT = 7.5

BoxIn = tuple[float, float, float, float]


def page_boxes(spec: Page, *, n_footer_lines: int) -> dict[str, BoxIn]:
    """Return ``{part: (x, y, width, height)}`` in inches for the map, locator and legend."""
    bottom = MARGIN_IN + 0.1 + n_footer_lines * FOOTER_LINE_IN
    top = spec.height - MARGIN_IN - TITLE_BAND_IN
    if spec.panel == "side":
        panel_x = spec.width - MARGIN_IN - spec.panel_size
        map_box = (MARGIN_IN, bottom, panel_x - GAP_IN - MARGIN_IN, top - bottom)
        loc_h = min(spec.panel_size * 0.75, LOCATOR_MAX_HEIGHT_IN)
        locator = (panel_x, top - loc_h, spec.panel_size, loc_h)
        legend = (panel_x, bottom, spec.panel_size, top - loc_h - GAP_IN - bottom)
    else:
        map_y = bottom + spec.panel_size + GAP_IN
        map_box = (MARGIN_IN, map_y, spec.width - 2 * MARGIN_IN, top - map_y)
        loc_w = spec.panel_size * 1.1
        locator = (MARGIN_IN, bottom, loc_w, spec.panel_size)
        legend_x = MARGIN_IN + loc_w + GAP_IN
        legend = (legend_x, bottom, spec.width - MARGIN_IN - legend_x, spec.panel_size)
    return {"map": map_box, "locator": locator, "legend": legend}


def _fraction(box: BoxIn, spec: Page) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return (x / spec.width, y / spec.height, w / spec.width, h / spec.height)


# --------------------------------------------------------------------------------------------
# Extent and projection


def _lonlat_extent(view: View, strikes: gpd.GeoDataFrame) -> Bbox:
    if view.bbox is not None:
        return view.bbox
    extent = strikes_extent(strikes, pad_deg=EXTENT_PAD_DEG) or DEFAULT_EXTENT
    return _widen(extent, MIN_SPAN_DEG)


def _widen(extent: Bbox, min_span: tuple[float, float]) -> Bbox:
    west, south, east, north = extent
    grow_x = max(0.0, min_span[0] - (east - west)) / 2
    grow_y = max(0.0, min_span[1] - (north - south)) / 2
    return (west - grow_x, max(-89.0, south - grow_y), east + grow_x, min(89.0, north + grow_y))


def map_projection(extent: Bbox, *, aspect: float) -> tuple[CRS, tuple[float, ...]]:
    """Return a Lambert azimuthal equal-area CRS centred on ``extent`` and the visible box.

    The box (x0, y0, x1, y1, metres) holds the whole extent with a small margin and has the
    width-to-height ``aspect`` of the map frame, so nothing is stretched.
    """
    west, south, east, north = extent
    lon0, lat0 = (west + east) / 2, (south + north) / 2
    crs = CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:.4f} +lon_0={lon0:.4f} +ellps=WGS84 +units=m +no_defs"
    )
    ring = shapely.segmentize(shapely.box(*extent), 0.05)
    bounds = tuple(gpd.GeoSeries([ring], crs=4326).to_crs(crs).total_bounds)
    return crs, fit_aspect(bounds, aspect)


def _visible_lonlat(visible: tuple[float, ...], crs: CRS) -> shapely.Polygon:
    width = visible[2] - visible[0]
    ring = shapely.segmentize(shapely.box(*visible), width / 50)
    return gpd.GeoSeries([ring], crs=crs).to_crs(4326).iloc[0]


def _setup_map_axes(ax: Axes, visible: tuple[float, ...]) -> None:
    ax.set_xlim(visible[0], visible[2])
    ax.set_ylim(visible[1], visible[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor(style.SEA_COLOR)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#444444")


def _to_map(frame: gpd.GeoDataFrame | gpd.GeoSeries, frame_ll: shapely.Polygon, crs: CRS):
    """Clip to the visible area (plus a margin, in degrees) and project."""
    west, south, east, north = frame_ll.bounds
    clipped = frame.clip_by_rect(west - 0.5, south - 0.5, east + 0.5, north + 0.5)
    keep = ~clipped.is_empty.to_numpy()
    return gpd.GeoSeries(clipped[keep], crs=frame.crs).to_crs(crs), keep


# --------------------------------------------------------------------------------------------
# Basemap


def _draw_basemap(
    ax: Axes,
    countries: gpd.GeoDataFrame,
    crs: CRS,
    frame_ll: shapely.Polygon,
    basemap: str,
    tile_provider: str,
    info: MapInfo,
) -> str:
    if basemap == "tiles":
        problem = _draw_tiles(ax, crs, tile_provider)
        if problem is None:
            _draw_countries(ax, countries, crs, frame_ll, fill=False)
            return "tiles"
        info.warnings.append(f"Tile basemap unavailable ({problem}); drew the offline basemap")
    _draw_countries(ax, countries, crs, frame_ll, fill=True)
    return "offline"


def _draw_countries(
    ax: Axes, countries: gpd.GeoDataFrame, crs: CRS, frame_ll: shapely.Polygon, *, fill: bool
) -> None:
    if countries.empty:
        return
    shapes, _ = _to_map(countries, frame_ll, crs)
    face = style.COUNTRY_FILL_COLOR if fill else "none"
    patch = PathPatch(
        polygon_path(shapes.to_numpy()),
        facecolor=face,
        edgecolor=style.COUNTRY_EDGE_COLOR,
        linewidth=0.7,
        zorder=1,
    )
    ax.add_artist(patch)  # add_patch would walk every vertex to update the data limits


def _draw_tiles(ax: Axes, crs: CRS, provider_name: str) -> str | None:
    """Draw online tiles under the map; return None on success, else why not."""
    try:
        import contextily
        import xyzservices
    except ImportError as exc:
        return f"{exc.name} is not installed; pip install 'strikemap[tiles]'"
    try:
        provider = xyzservices.providers.query_name(provider_name)
    except ValueError as exc:
        return f"unknown tile provider {provider_name!r}: {exc}"
    limits = ax.get_xlim(), ax.get_ylim()
    try:
        contextily.add_basemap(ax, crs=crs.to_wkt(), source=provider, attribution=False, zorder=0)
    except (OSError, ValueError) as exc:  # requests errors are OSErrors
        return f"tiles could not be fetched: {exc}"
    finally:
        ax.set_xlim(*limits[0])  # add_basemap zooms to the tiles' extent
        ax.set_ylim(*limits[1])
    return None


# --------------------------------------------------------------------------------------------
# Data layers


@dataclass
class Drawn:
    """What the data layers put on the map, for the legend and the label placement."""

    xy: np.ndarray
    n_links: int = 0
    target_links: bool = False
    other_links: bool = False
    pipeline_types: list[tuple[str, bool]] = field(default_factory=list)
    power_lines: list[bool] = field(default_factory=list)
    facility_types: list[str] = field(default_factory=list)
    fuel_stations: bool = False
    strike_classes: list[str] = field(default_factory=list)
    stacked: bool = False
    selected: bool = False
    obstacles: list[np.ndarray] = field(default_factory=list)
    facility_points: dict[str, tuple[float, float]] = field(default_factory=dict)


def _draw_data(
    ax: Axes,
    sel: Selection,
    crs: CRS,
    frame_ll: shapely.Polygon,
    *,
    view: View,
    links_on: bool,
) -> Drawn:
    xy = _project_points(sel.strikes, crs)
    drawn = Drawn(xy=xy)
    _draw_lines(ax, sel.assets.get("pipelines"), crs, frame_ll, drawn, kind="pipelines")
    _draw_lines(ax, sel.assets.get("power_lines"), crs, frame_ll, drawn, kind="power_lines")
    _draw_facilities(ax, sel.assets, crs, frame_ll, drawn)
    if links_on:
        _draw_links(ax, sel, xy, crs, drawn)
    _draw_strikes(ax, sel.strikes, xy, view, drawn)
    return drawn


def _project_points(frame: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    if frame.empty:
        return np.empty((0, 2))
    transformer = Transformer.from_crs(4326, crs, always_xy=True)
    x, y = transformer.transform(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy())
    return np.column_stack([x, y])


def _draw_lines(
    ax: Axes,
    frame: gpd.GeoDataFrame | None,
    crs: CRS,
    frame_ll: shapely.Polygon,
    drawn: Drawn,
    *,
    kind: str,
) -> None:
    if frame is None or frame.empty:
        return
    shapes, keep = _to_map(frame, frame_ll, crs)
    if shapes.empty:
        return
    kept = frame[keep]
    if kind == "pipelines":
        types = kept["asset_type"].fillna("gas_transmission").to_numpy()
    else:
        types = np.full(len(kept), "power_line", dtype=object)
    schematic = (kept["route_accuracy"] == "schematic").to_numpy()
    for line_type in pd.unique(types):
        for dashed in (False, True):
            mask = (types == line_type) & (schematic == dashed)
            if not mask.any():
                continue
            color = style.PIPELINE_COLORS.get(line_type, style.POWER_LINE_COLOR)
            width = 1.0 if kind == "power_lines" else 1.6
            segments = line_segments(shapes.to_numpy()[mask])
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=color,
                    linewidths=width,
                    linestyles=(0, (4, 2)) if dashed else "solid",
                    zorder=3,
                    capstyle="round",
                )
            )
            if kind == "pipelines":
                drawn.pipeline_types.append((line_type, dashed))
            else:
                drawn.power_lines.append(dashed)


def _draw_facilities(
    ax: Axes,
    assets: Mapping[str, gpd.GeoDataFrame],
    crs: CRS,
    frame_ll: shapely.Polygon,
    drawn: Drawn,
) -> None:
    facilities = assets.get("facilities")
    if facilities is not None and not facilities.empty:
        xy = _project_points(facilities, crs)
        types = facilities["asset_type"].to_numpy()
        inside = _inside(ax, xy)
        for facility_type in style.FACILITY_COLORS:
            mask = inside & (types == facility_type)
            if mask.any():
                ax.scatter(
                    xy[mask, 0],
                    xy[mask, 1],
                    s=34,
                    marker=style.FACILITY_MARKERS[facility_type],
                    c=style.FACILITY_COLORS[facility_type],
                    edgecolors="white",
                    linewidths=0.6,
                    zorder=6.5,
                )
                drawn.facility_types.append(facility_type)
        drawn.obstacles.append(_marker_boxes(ax, xy[inside], size_pt=6))
        ids = facilities["id"].to_numpy()[inside]
        drawn.facility_points = dict(zip(ids, map(tuple, xy[inside]), strict=True))
    stations = assets.get("fuel_stations")
    if stations is not None and not stations.empty:
        xy = _project_points(stations, crs)
        inside = _inside(ax, xy)
        if inside.any():
            ax.scatter(
                xy[inside, 0],
                xy[inside, 1],
                s=14,
                c=style.FUEL_STATION_COLOR,
                edgecolors="white",
                linewidths=0.4,
                zorder=6.5,
            )
            drawn.fuel_stations = True
            drawn.obstacles.append(_marker_boxes(ax, xy[inside], size_pt=4))


def _inside(ax: Axes, xy: np.ndarray) -> np.ndarray:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)


def _draw_links(ax: Axes, sel: Selection, strike_xy: np.ndarray, crs: CRS, drawn: Drawn) -> None:
    """Draw one line per linked strike-asset pair: solid for targets, thin for the rest."""
    pairs = _link_pairs(sel)
    if pairs.empty or not len(strike_xy):
        return
    frames = [f[["id", "geometry"]] for f in sel.assets.values() if not f.empty]
    assets = pd.concat(frames).drop_duplicates("id").set_index("id").geometry
    position = pd.Series(np.arange(len(sel.strikes)), index=sel.strikes["id"].to_numpy())
    starts = shapely.points(strike_xy[position[pairs["strike_id"]].to_numpy()])
    targets = gpd.GeoSeries(assets[pairs["asset_id"]].to_numpy(), crs=4326).to_crs(crs)
    lines = shapely.shortest_line(starts, targets.to_numpy())
    coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    is_target = pairs["target"].to_numpy()
    ax.add_collection(
        LineCollection(
            coords[~is_target], colors=style.LINK_COLOR, linewidths=0.6, alpha=0.5, zorder=5
        )
    )
    ax.add_collection(
        LineCollection(
            coords[is_target], colors=style.LINK_COLOR, linewidths=1.2, alpha=0.95, zorder=5
        )
    )
    drawn.n_links = len(pairs)
    drawn.target_links = bool(is_target.any())
    drawn.other_links = bool((~is_target).any())


def _link_pairs(sel: Selection) -> pd.DataFrame:
    """Distinct (strike, asset) pairs of the shown links whose asset and strike are known."""
    links = sel.links
    frame = pd.DataFrame(
        {
            "strike_id": links["strike_id"].astype(str).to_numpy(),
            "asset_id": links["asset_id"].astype(object).fillna("").astype(str).to_numpy(),
            "target": (links["relation"].astype(str) == "target").to_numpy(),
        }
    )
    asset_ids = [f["id"] for f in sel.assets.values() if not f.empty]
    known = pd.concat(asset_ids) if asset_ids else pd.Series([], dtype=object)
    frame = frame[frame["asset_id"].isin(known).to_numpy()]
    frame = frame[frame["strike_id"].isin(sel.strikes["id"]).to_numpy()]
    return frame.groupby(["strike_id", "asset_id"], sort=False)["target"].any().reset_index()


def _strike_colors(strikes: gpd.GeoDataFrame, view: View) -> tuple[np.ndarray, list[str]]:
    """Return RGBA colours (alpha from location precision) and the legend classes present."""
    if view.color_by == "age":
        # the interactive map's rule, so that a strike has the same colour on screen and paper
        reference = pd.Timestamp(view.date_to) if view.date_to else pd.Timestamp.today()
        reference = reference.normalize()
        colors = style.age_colors(strikes["date"], reference=reference)
        present = set(pd.unique(colors))
        classes = [c for c in style.AGE_COLORS if c in present]
    else:
        colors = style.weapon_colors(strikes["weapon"])
        present = set(pd.unique(strikes["weapon"].astype(object)))
        classes = [w for w in style.WEAPON_COLORS if w in present]
    codes, uniques = pd.factorize(pd.Series(colors, dtype=object))
    rgba = mpl.colors.to_rgba_array(list(uniques))[codes] if len(codes) else np.empty((0, 4))
    precision = pd.to_numeric(strikes["geo_precision"], errors="coerce")
    rgba[:, 3] = precision.map(style.PRECISION_OPACITY).fillna(0.6).to_numpy()
    return rgba, classes


def _draw_strikes(
    ax: Axes, strikes: gpd.GeoDataFrame, xy: np.ndarray, view: View, drawn: Drawn
) -> None:
    if strikes.empty:
        return
    rgba, drawn.strike_classes = _strike_colors(strikes, view)
    many = len(strikes) > MANY_STRIKES
    size = 10 if many else 64
    edge = "none" if many else "#3a0000"
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=size,
        c=rgba,
        edgecolors=edge,
        linewidths=0.5,
        zorder=6,
        rasterized=many,
    )
    if view.selected is not None:
        drawn.selected = _draw_selected(ax, strikes, xy, view.selected, size=size)
    unique, counts = np.unique(np.round(xy, 0), axis=0, return_counts=True)
    drawn.obstacles.append(_marker_boxes(ax, unique[:MAX_MARKER_OBSTACLES], size_pt=7))
    stacked = counts > 1
    if 0 < stacked.sum() <= MAX_COUNT_LABELS:
        drawn.stacked = True
        for (x, y), count in zip(unique[stacked], counts[stacked], strict=True):
            ax.annotate(
                str(count),
                xy=(x, y),
                xytext=(4, 4),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=6,
                fontweight="bold",
                color=TEXT_COLOR,
                bbox=STACK_BADGE,
                zorder=8,
            )
        badges = ax.transData.transform(unique[stacked]) + np.array([4, 4]) * ax.figure.dpi / 72
        size = 12 * ax.figure.dpi / 72
        drawn.obstacles.append(np.column_stack([badges, badges + size]))


def _draw_selected(
    ax: Axes, strikes: gpd.GeoDataFrame, xy: np.ndarray, selected: str, *, size: float
) -> bool:
    """Ring the selected strike and draw its location-uncertainty circle, as on screen."""
    from strikemap.maps.interactive import UNCERTAINTY_RADIUS_M  # imports folium: only when needed

    chosen = np.flatnonzero((strikes["id"] == selected).to_numpy())
    if not len(chosen):
        return False
    x, y = xy[chosen[0]]
    precision = pd.to_numeric(pd.Series([strikes["geo_precision"].iloc[chosen[0]]]))[0]
    radius = UNCERTAINTY_RADIUS_M.get(int(precision) if pd.notna(precision) else 3, 25_000.0)
    ax.add_artist(
        Circle(
            (x, y),
            radius,
            facecolor=style.LINK_COLOR,
            alpha=0.08,
            edgecolor="none",
            zorder=5,
        )
    )
    ax.add_artist(
        Circle(
            (x, y),
            radius,
            facecolor="none",
            edgecolor=style.LINK_COLOR,
            linestyle=(0, (6, 4)),
            linewidth=1.2,
            zorder=5,
        )
    )
    ax.scatter(
        [x],
        [y],
        s=size * 3,
        facecolors="none",
        edgecolors=style.LINK_COLOR,
        linewidths=1.8,
        zorder=7,
    )
    return True


def _marker_boxes(ax: Axes, xy: np.ndarray, *, size_pt: float) -> np.ndarray:
    """Display-space boxes (n x 4) around markers of ``size_pt`` points."""
    if not len(xy):
        return np.empty((0, 4))
    half = size_pt / 2 * ax.figure.dpi / 72
    centres = ax.transData.transform(xy)
    return np.column_stack([centres - half, centres + half])


# --------------------------------------------------------------------------------------------
# Map furniture: scale bar, north arrow, "no strikes" note


def _draw_furniture(ax: Axes, strike_xy: np.ndarray, renderer) -> list[np.ndarray]:
    """Draw the scale bar and north arrow in the emptiest corners; return their boxes."""
    bottom = _emptiest_corner(ax, strike_xy, ("lower left", "lower right"))
    top = _emptiest_corner(ax, strike_xy, ("upper right", "upper left"))
    scalebar = ScaleBar(
        1.0,
        units="m",
        dimension="si-length",
        location=bottom,
        length_fraction=0.22,
        box_alpha=0.8,
        border_pad=0.6,
        font_properties={"family": FONT, "size": 7},
        scale_loc="top",
    )
    ax.add_artist(scalebar)
    arrow_x = 0.955 if top == "upper right" else 0.045
    ax.annotate(
        "N",
        xy=(arrow_x, 0.975),
        xytext=(arrow_x, 0.9),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="top",
        fontsize=9,
        fontweight="bold",
        color=TEXT_COLOR,
        arrowprops={"arrowstyle": "-|>,head_width=0.35,head_length=0.7", "color": TEXT_COLOR},
        zorder=9,
    )
    arrow_box = ax.transAxes.transform([[arrow_x - 0.035, 0.85], [arrow_x + 0.035, 1.0]])
    return [scalebar.get_window_extent(renderer).extents.reshape(1, 4), arrow_box.reshape(1, 4)]


def _emptiest_corner(ax: Axes, xy: np.ndarray, corners: tuple[str, str]) -> str:
    """Of two corners, return the one with fewer strikes in the corner third of the map."""
    if not len(xy):
        return corners[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    fx, fy = (xy[:, 0] - x0) / (x1 - x0), (xy[:, 1] - y0) / (y1 - y0)
    counts = []
    for corner in corners:
        near_x = fx < 0.3 if corner.endswith("left") else fx > 0.7
        near_y = fy < 0.2 if corner.startswith("lower") else fy > 0.8
        counts.append(int(np.count_nonzero(near_x & near_y)))
    return corners[int(np.argmin(counts))]


def _draw_no_match(ax: Axes, renderer) -> np.ndarray:
    text = ax.text(
        0.5,
        0.5,
        "No strikes match the filters",
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=14,
        color=TEXT_COLOR,
        bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "#999999"},
        zorder=10,
    )
    return text.get_window_extent(renderer).extents.reshape(1, 4)


# --------------------------------------------------------------------------------------------
# Labels


def _draw_labels(
    ax: Axes,
    sel: Selection,
    crs: CRS,
    frame_ll: shapely.Polygon,
    drawn: Drawn,
    renderer,
    obstacles: np.ndarray,
) -> None:
    requests, town_boxes = _draw_places(ax, crs)
    requests += _target_requests(sel, drawn)
    requests += _country_requests(ax, sel.countries, crs, frame_ll)
    requests += _sea_requests(ax, sel.countries, crs, frame_ll)
    place_labels(ax, requests, renderer=renderer, obstacles=np.vstack([obstacles, town_boxes]))


def _draw_places(ax: Axes, crs: CRS) -> tuple[list[LabelRequest], np.ndarray]:
    """Draw the key places inside the map; return their label requests and marker boxes."""
    transformer = Transformer.from_crs(4326, crs, always_xy=True)
    lon = np.array([p.lon for p in KEY_PLACES])
    lat = np.array([p.lat for p in KEY_PLACES])
    xy = np.column_stack(transformer.transform(lon, lat))
    inside = _inside(ax, xy)
    if not inside.any():
        return [], np.empty((0, 4))
    ax.scatter(xy[inside, 0], xy[inside, 1], s=9, c=PLACE_COLOR, marker="o", zorder=5.5)
    requests = []
    for place, (x, y), keep in zip(KEY_PLACES, xy, inside, strict=True):
        if keep:
            weight = "bold" if place.rank == 1 else "normal"
            size = PLACE_PT + (1 if place.rank == 1 else 0)
            requests.append(
                LabelRequest(
                    place.name,
                    x,
                    y,
                    priority=place.rank,
                    style=_halo({"fontsize": size, "fontweight": weight, "color": PLACE_COLOR}),
                )
            )
    return requests, _marker_boxes(ax, xy[inside], size_pt=3.5)


def _target_requests(sel: Selection, drawn: Drawn) -> list[LabelRequest]:
    """Labels for facilities the shown strikes hit (relation ``target``)."""
    facilities = sel.assets.get("facilities")
    if facilities is None or sel.links.empty:
        return []
    targets = set(sel.links.loc[sel.links["relation"] == "target", "asset_id"])
    names = facilities.set_index("id")["name"]
    requests = []
    for asset_id in sorted(targets & set(drawn.facility_points)):
        x, y = drawn.facility_points[asset_id]
        label_style = _halo({"fontsize": PLACE_PT - 1, "fontstyle": "italic", "color": "#08306b"})
        text = textwrap.shorten(str(names[asset_id]), TARGET_LABEL_CHARS, placeholder="…")
        requests.append(LabelRequest(text, x, y, priority=4, style=label_style))
    return requests


def _country_requests(
    ax: Axes, countries: gpd.GeoDataFrame, crs: CRS, frame_ll: shapely.Polygon
) -> list[LabelRequest]:
    if countries.empty:
        return []
    shapes, keep = _to_map(countries, frame_ll, crs)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    visible = _polygonal(shapely.intersection(shapes.to_numpy(), shapely.box(x0, y0, x1, y1)))
    names = countries["name"].to_numpy()[keep]
    big = shapely.area(visible) > 0
    visible, names = visible[big], names[big]
    circles = shapely.maximum_inscribed_circle(visible, tolerance=(x1 - x0) / 200)
    centres = shapely.get_coordinates(shapely.get_point(circles, 0))
    big = shapely.length(circles) > (x1 - x0) * 0.06
    label_style = _halo(
        {"fontsize": 9, "color": COUNTRY_LABEL_COLOR, "fontweight": "bold", "zorder": 2}
    )
    return [
        LabelRequest(
            " ".join(str(name).upper()), x, y, priority=5, candidates=ON_POINT, style=label_style
        )
        for name, (x, y) in zip(names[big], centres[big], strict=True)
    ]


def _sea_requests(
    ax: Axes, countries: gpd.GeoDataFrame, crs: CRS, frame_ll: shapely.Polygon
) -> list[LabelRequest]:
    """'Black Sea' in the largest open water of the map, when that water is the Black Sea."""
    if countries.empty:
        return []
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    shapes, _ = _to_map(countries, frame_ll, crs)
    land = shapely.union_all(_polygonal(shapes.to_numpy()))
    water = shapely.difference(shapely.box(x0, y0, x1, y1), land)
    water = _polygonal(np.array([water]))[0]
    if water.is_empty or water.area == 0:
        return []
    circle = shapely.maximum_inscribed_circle(water, tolerance=(x1 - x0) / 200)
    if shapely.length(circle) < (x1 - x0) * 0.06:
        return []
    x, y = shapely.get_coordinates(circle)[0]
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    if not (_in_box(lon, lat, BLACK_SEA_BOX) and not _in_box(lon, lat, AZOV_BOX)):
        return []
    label_style = {"fontsize": 11, "fontstyle": "italic", "color": SEA_LABEL_COLOR, "zorder": 2}
    return [LabelRequest("Black Sea", x, y, priority=6, candidates=ON_POINT, style=label_style)]


def _polygonal(geometries: np.ndarray) -> np.ndarray:
    """Keep valid polygons only: clipping and projection can leave slivers, lines, bad rings."""
    return shapely.make_valid(geometries, method="structure", keep_collapsed=False)


def _in_box(lon: float, lat: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def _halo(text_style: dict[str, object]) -> dict[str, object]:
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    return {"zorder": 9, **text_style, "path_effects": halo}


# --------------------------------------------------------------------------------------------
# Titles and footer


def _draw_titles(fig: Figure, spec: Page, title: str, subtitle: str, renderer) -> None:
    """Draw the title (shrunk, then shortened, to fit one line) and two lines of subtitle."""
    top = 1 - MARGIN_IN / spec.height
    left = MARGIN_IN / spec.width
    width_px = (spec.width - 2 * MARGIN_IN) * fig.dpi
    text = fig.text(left, top, title, ha="left", va="top", fontweight="bold", color=TEXT_COLOR)
    for size in range(TITLE_PT, MIN_TITLE_PT - 1, -1):
        text.set_fontsize(size)
        if text.get_window_extent(renderer).width <= width_px:
            break
    else:
        chars = int(len(title) * width_px / text.get_window_extent(renderer).width)
        text.set_text(textwrap.shorten(title, max(10, chars - 1), placeholder="…"))
    lines = wrap_text(subtitle, width_in=spec.width - 2 * MARGIN_IN, fontsize=SUBTITLE_PT)
    if len(lines) > SUBTITLE_LINES:
        last = " ".join(lines[SUBTITLE_LINES - 1 :])
        limit = len(lines[SUBTITLE_LINES - 1])
        lines = [*lines[: SUBTITLE_LINES - 1], textwrap.shorten(last, limit, placeholder=" …")]
    fig.text(
        left,
        top - 0.36 / spec.height,
        "\n".join(lines),
        ha="left",
        va="top",
        fontsize=SUBTITLE_PT,
        color=MUTED_COLOR,
        linespacing=1.35,
    )


def _draw_footer(fig: Figure, lines: list[str]) -> None:
    spec_w, spec_h = fig.get_size_inches()
    fig.text(
        MARGIN_IN / spec_w,
        MARGIN_IN / spec_h,
        "\n".join(lines),
        ha="left",
        va="bottom",
        fontsize=FOOTER_PT,
        color=MUTED_COLOR,
        linespacing=1.3,
    )


def _with_link_columns(links: pd.DataFrame) -> pd.DataFrame:
    columns = ("strike_id", "asset_id", "country", "relation", "confidence")
    missing = [c for c in columns if c not in links.columns]
    if missing:
        links = links.assign(**{c: pd.Series(dtype=object) for c in missing})
    return links


def _empty_points() -> gpd.GeoDataFrame:
    columns = ("id", "name", "date", "weapon", "geo_precision", "status", "sources", "iso3")
    return gpd.GeoDataFrame(
        {c: pd.Series([], dtype=object) for c in columns},
        geometry=gpd.GeoSeries([], crs=4326),
        crs=4326,
    )
