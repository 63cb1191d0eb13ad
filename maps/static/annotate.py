"""Labels of a briefing map: places, struck facilities, countries and the sea."""

from __future__ import annotations

import textwrap

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from pyproj import CRS, Transformer

from strikemap.maps.static.data import Drawn
from strikemap.maps.static.labels import ON_POINT, LabelRequest, place_labels
from strikemap.maps.static.layout import PLACE_PT, clip_and_project, inside_axes, marker_boxes
from strikemap.maps.static.legend import PLACE_COLOR
from strikemap.maps.static.places import KEY_PLACES
from strikemap.maps.static.selection import Selection

TARGET_LABEL_CHARS = 32


COUNTRY_LABEL_COLOR = "#8c8577"


SEA_LABEL_COLOR = "#5b7d99"


BLACK_SEA_BOX = (27.3, 40.9, 41.8, 46.7)


AZOV_BOX = (34.8, 45.2, 39.5, 47.4)


def draw_labels(
    ax: Axes,
    sel: Selection,
    crs: CRS,
    frame_ll: shapely.Polygon,
    drawn: Drawn,
    renderer,
    obstacles: np.ndarray,
) -> None:
    """Place every label (places, struck facilities, countries, the sea) without overlaps."""
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
    inside = inside_axes(ax, xy)
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
    return requests, marker_boxes(ax, xy[inside], size_pt=3.5)


def _target_requests(sel: Selection, drawn: Drawn) -> list[LabelRequest]:
    """Labels for point assets (stations, depots, ports ...) the shown strikes hit (``target``)."""
    if sel.links.empty:
        return []
    targets = set(sel.links.loc[sel.links["relation"] == "target", "asset_id"])
    names = {
        asset_id: name
        for frame in sel.assets.values()
        if not frame.empty
        for asset_id, name in zip(frame["id"], frame["name"], strict=True)
    }
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
    shapes, keep = clip_and_project(countries, frame_ll, crs)
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
    shapes, _ = clip_and_project(countries, frame_ll, crs)
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
