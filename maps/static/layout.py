"""Page layout in inches, the map's extent and projection, and projecting data onto it."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from pyproj import CRS, Transformer

from strikemap.analysis.view import Bbox, View, strikes_extent
from strikemap.maps import style
from strikemap.maps.static.locator import fit_aspect
from strikemap.maps.static.options import DEFAULT_EXTENT, EXTENT_PAD_DEG, MIN_SPAN_DEG, Page

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


def box_fraction(box: BoxIn, spec: Page) -> tuple[float, float, float, float]:
    """Return an inch box as fractions of the page (matplotlib's axes rectangle)."""
    x, y, w, h = box
    return (x / spec.width, y / spec.height, w / spec.width, h / spec.height)


def lonlat_extent(view: View, strikes: gpd.GeoDataFrame) -> Bbox:
    """Return the view's box, else the strikes' padded extent, at least ``MIN_SPAN_DEG``."""
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


def visible_lonlat(visible: tuple[float, ...], crs: CRS) -> shapely.Polygon:
    """Return the visible map box as a lon/lat polygon."""
    width = visible[2] - visible[0]
    ring = shapely.segmentize(shapely.box(*visible), width / 50)
    return gpd.GeoSeries([ring], crs=crs).to_crs(4326).iloc[0]


def setup_map_axes(ax: Axes, visible: tuple[float, ...]) -> None:
    """Set the map axes to the visible box, equal aspect, sea background, no ticks."""
    ax.set_xlim(visible[0], visible[2])
    ax.set_ylim(visible[1], visible[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor(style.SEA_COLOR)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#444444")


def clip_and_project(frame: gpd.GeoDataFrame | gpd.GeoSeries, frame_ll: shapely.Polygon, crs: CRS):
    """Clip to the visible area (plus a margin, in degrees) and project."""
    west, south, east, north = frame_ll.bounds
    clipped = frame.clip_by_rect(west - 0.5, south - 0.5, east + 0.5, north + 0.5)
    keep = ~clipped.is_empty.to_numpy()
    return gpd.GeoSeries(clipped[keep], crs=frame.crs).to_crs(crs), keep


def project_points(frame: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    """Return the points of ``frame`` projected to ``crs`` as an n x 2 array."""
    if frame.empty:
        return np.empty((0, 2))
    transformer = Transformer.from_crs(4326, crs, always_xy=True)
    x, y = transformer.transform(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy())
    return np.column_stack([x, y])


def inside_axes(ax: Axes, xy: np.ndarray) -> np.ndarray:
    """Return which of the projected points ``xy`` lie inside the axes' limits."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)


def marker_boxes(ax: Axes, xy: np.ndarray, *, size_pt: float) -> np.ndarray:
    """Display-space boxes (n x 4) around markers of ``size_pt`` points."""
    if not len(xy):
        return np.empty((0, 4))
    half = size_pt / 2 * ax.figure.dpi / 72
    centres = ax.transData.transform(xy)
    return np.column_stack([centres - half, centres + half])
