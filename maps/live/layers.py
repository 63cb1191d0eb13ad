"""Catalogue layers on the live map: escaped GeoJSON and one toggleable group per LayerSpec.

Every layer of ``layers.catalog.CATALOG`` is drawn from its spec alone (colours, widths, marker
size, tooltip fields, attribution, default visibility); only the roles in ``config`` (countries,
places, regions) change how a layer shows.
"""

from __future__ import annotations

import json
from functools import partial

import folium
import geopandas as gpd
import shapely

from strikemap.layers.catalog import CATALOG, COUNTRIES, STRIKES, LayerSpec
from strikemap.maps import popups, style
from strikemap.maps.live.config import (
    COORD_GRID_DEG,
    COUNTRIES_LAYER,
    COUNTRY_GRID_DEG,
    COUNTRY_SIMPLIFY_DEG,
    LIVE_RADIUS_SCALE,
    LIVE_WIDTH_SCALE,
    PLACES_LAYER,
)

BACKGROUND_LAYERS: tuple[str, ...] = (
    COUNTRIES.name,
    *(
        spec.name
        for spec in CATALOG
        if spec.name not in (STRIKES.name, COUNTRIES.name, PLACES_LAYER)
    ),
)
"""Catalogue layers drawn under the strikes, bottom first (countries, then the catalogue's
order); they do not depend on the view. Places are drawn as labels instead."""
REGION_STYLE = {"color": "#9a9a9a", "weight": 0.8, "opacity": 0.8, "dashArray": "4 3"}
"""Boundaries of other area layers (regions): faint, under everything else."""
_LINE_DASH = {"exact": None, "approximate": "6 4", "schematic": "2 6"}


def is_area(spec: LayerSpec) -> bool:
    """Whether a layer holds polygons (countries, regions)."""
    return "Polygon" in spec.geometry_types or "MultiPolygon" in spec.geometry_types


def outline_geometry(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Return polygons simplified for the screen (about 500 m, snapped to about 10 m)."""
    simple = frame.geometry.simplify(COUNTRY_SIMPLIFY_DEG)
    return gpd.GeoSeries(shapely.set_precision(simple.values, COUNTRY_GRID_DEG), crs=frame.crs)


def geojson(frame: gpd.GeoDataFrame, columns: list[str], *, grid: float = COORD_GRID_DEG) -> dict:
    """Return a FeatureCollection with escaped text properties and coordinates on a grid.

    Columns starting with ``_`` are passed through unescaped (computed styles and HTML that is
    escaped already).
    """
    geometry = shapely.set_precision(frame.geometry.values, grid)
    props = popups.escape_frame(frame, [c for c in columns if not c.startswith("_")])
    for column in columns:
        if column.startswith("_"):
            props[column] = frame[column].to_numpy()
    shown = gpd.GeoDataFrame(props, geometry=geometry, crs=frame.crs)
    shown = shown[~shown.geometry.is_empty]
    data = json.loads(shown.to_json(drop_id=True))
    for i, feature in enumerate(data["features"]):
        feature["id"] = i
    return data


def layer_features(frame: gpd.GeoDataFrame, spec: LayerSpec) -> dict:
    """Return the FeatureCollection the map sends for a catalogue layer (escaped, styled).

    The result depends only on the layer, so a front may compute it once per data version and
    pass it to ``base_map(prepared=...)``.
    """
    grid = COORD_GRID_DEG
    if is_area(spec):
        frame = frame.set_geometry(outline_geometry(frame))
        grid = COUNTRY_GRID_DEG
    extra: dict[str, object] = {
        "_color": style.feature_colors(frame, spec),
        "_class": f"strikemap-{spec.name}",
    }
    if not is_area(spec):
        rows = frame.to_dict(orient="records")
        if spec.is_asset:
            extra["_popup"] = [popups.asset_popup(r) for r in rows]
        else:
            extra["_popup"] = [popups.feature_popup(r, spec.tooltip_fields) for r in rows]
    if "route_accuracy" in frame:
        extra["_dash"] = frame["route_accuracy"].map(_LINE_DASH).astype(object).to_numpy()
    return geojson(frame.assign(**extra), [*spec.tooltip_fields, *extra], grid=grid)


def add_layer(fmap: folium.Map, data: dict, spec: LayerSpec) -> folium.FeatureGroup:
    """Add one catalogue layer as a group of the layer control; return the group.

    The runtime gives the group the layer's attribution (``base.Runtime``), so the map credits
    exactly the layers shown.
    """
    group = folium.FeatureGroup(name=spec.title, show=spec.shown).add_to(fmap)
    fields = list(spec.tooltip_fields)
    marker = popup = None
    interactive = True
    if spec.name == COUNTRIES_LAYER:
        style_function = _country_style
    elif is_area(spec):
        style_function = _region_style
        interactive = False  # faint context under everything: clicks go through
    elif "LineString" in spec.geometry_types:
        style_function = partial(_line_style, weight=spec.line_width * LIVE_WIDTH_SCALE)
    else:
        style_function = _point_style
    if not is_area(spec):
        popup = folium.GeoJsonPopup(fields=["_popup"], labels=False, max_width=360)
    if "Point" in spec.geometry_types:
        marker = folium.CircleMarker(radius=spec.marker_size * LIVE_RADIUS_SCALE, fill=True)
    tooltip = None
    if interactive:
        tooltip = folium.GeoJsonTooltip(fields=fields, aliases=[_alias(f) for f in fields])
    folium.GeoJson(
        data,
        name=spec.title,
        style_function=style_function,
        tooltip=tooltip,
        popup=popup,
        marker=marker,
        interactive=interactive,
    ).add_to(group)
    return group


def _alias(field: str) -> str:
    return field.replace("_", " ")


def _country_style(feature: dict) -> dict:
    return {
        "color": style.COUNTRY_EDGE_COLOR,
        "weight": 1,
        "fill": False,
        "className": feature["properties"]["_class"],
    }


def _region_style(feature: dict) -> dict:
    return {**REGION_STYLE, "fill": False, "className": feature["properties"]["_class"]}


def _line_style(feature: dict, *, weight: float) -> dict:
    props = feature["properties"]
    return {
        "color": props["_color"],
        "weight": weight,
        "opacity": 0.9,
        "dashArray": props.get("_dash"),
        "className": props["_class"],
    }


def _point_style(feature: dict) -> dict:
    props = feature["properties"]
    return {
        "color": "#333333",
        "weight": 1,
        "fillColor": props["_color"],
        "fillOpacity": 0.9,
        "className": props["_class"],
    }
