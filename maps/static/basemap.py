"""The basemap under a briefing map: countries drawn offline, or online tiles."""

from __future__ import annotations

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch
from pyproj import CRS

from strikemap.maps import style
from strikemap.maps.static.drawing import polygon_path
from strikemap.maps.static.layout import clip_and_project
from strikemap.maps.static.options import MapInfo


def draw_basemap(
    ax: Axes,
    countries: gpd.GeoDataFrame,
    crs: CRS,
    frame_ll: shapely.Polygon,
    basemap: str,
    tile_provider: str,
    info: MapInfo,
) -> str:
    """Draw tiles (when asked and available) or the offline countries; return which."""
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
    shapes, _ = clip_and_project(countries, frame_ll, crs)
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
