"""The locator inset: the map's extent drawn inside the wider Black Sea region."""

from __future__ import annotations

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch
from pyproj import CRS

from strikemap.maps.static.drawing import polygon_path
from strikemap.maps.style import COUNTRY_EDGE_COLOR, COUNTRY_FILL_COLOR, SEA_COLOR

BLACK_SEA_REGION = (22.0, 40.0, 42.0, 49.5)
"""West, south, east, north (degrees) the locator shows at least."""
LOCATOR_MARGIN = 0.08
"""Room kept around the extent box when it reaches outside the region (fraction of its size)."""
EXTENT_COLOR = "#d62728"


def locator_crs(region: tuple[float, float, float, float]) -> CRS:
    """Return an equal-area projection centred on ``region`` (W, S, E, N degrees)."""
    west, south, east, north = region
    lon0, lat0 = (west + east) / 2, (south + north) / 2
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:.3f} +lon_0={lon0:.3f} +ellps=WGS84 +units=m +no_defs"
    )


def draw_locator(
    ax: Axes,
    countries: gpd.GeoDataFrame,
    extent: shapely.Polygon,
    *,
    region: tuple[float, float, float, float] = BLACK_SEA_REGION,
) -> None:
    """Draw countries of the wider region and the map's extent on ``ax``.

    Parameters
    ----------
    ax
        An empty axes; its frame becomes the inset's frame.
    countries
        Country polygons in EPSG:4326.
    extent
        The main map's visible area as a polygon in EPSG:4326.
    region
        The area shown at least; it grows to hold ``extent`` when that reaches outside.
    """
    west, south, east, north = region
    ew, es, ee, en = extent.bounds
    region = (min(west, ew), min(south, es), max(east, ee), max(north, en))
    crs = locator_crs(region)
    frame = gpd.GeoSeries([shapely.segmentize(shapely.box(*region), 0.5)], crs=4326).to_crs(crs)
    x0, y0, x1, y1 = frame.total_bounds
    limits = fit_aspect((x0, y0, x1, y1), _axes_aspect(ax))
    ax.set_facecolor(SEA_COLOR)
    if len(countries):
        land = countries.geometry.clip_by_rect(region[0] - 5, region[1] - 5, region[2] + 5, 60)
        land = gpd.GeoSeries(land[~land.is_empty], crs=countries.crs).to_crs(crs)
        path = polygon_path(land.to_numpy())
        ax.add_artist(
            PathPatch(path, facecolor=COUNTRY_FILL_COLOR, edgecolor=COUNTRY_EDGE_COLOR, lw=0.3)
        )
    box = gpd.GeoSeries([shapely.segmentize(extent, 0.05)], crs=4326).to_crs(crs)
    path = polygon_path(box.to_numpy())
    ax.add_artist(PathPatch(path, facecolor=EXTENT_COLOR, alpha=0.15, edgecolor="none"))
    ax.add_artist(PathPatch(path, facecolor="none", edgecolor=EXTENT_COLOR, linewidth=1.2))
    ax.set_xlim(limits[0], limits[2])
    ax.set_ylim(limits[1], limits[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#555555")
        spine.set_linewidth(0.6)


def _axes_aspect(ax: Axes) -> float:
    box = ax.get_position()
    width, height = ax.figure.get_size_inches()
    return (box.width * width) / (box.height * height)


def fit_aspect(bounds: tuple[float, ...], aspect: float) -> tuple[float, ...]:
    """Grow ``bounds`` (x0, y0, x1, y1) to the width-to-height ``aspect``, keeping the centre."""
    x0, y0, x1, y1 = bounds
    width, height = (x1 - x0) * 1.04, (y1 - y0) * 1.04
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
