"""The interactive map: folium layers, legend, selection and probe, with no Streamlit.

``build_map`` draws what it is given: call ``analysis.view.apply_view`` first and pass the shown
strikes and links. Text from data reaches the browser only escaped (see ``maps.popups``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from functools import partial
from typing import Literal

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xyzservices.providers as xyz
from branca.element import MacroElement
from folium.template import Template as FoliumTemplate
from jinja2 import Template

from strikemap.analysis.view import View, strikes_extent
from strikemap.geo.crs import folium_location, folium_locations, latlon_array
from strikemap.layers.catalog import BY_NAME, CATALOG, COUNTRIES, STRIKES, LayerSpec
from strikemap.maps import popups, style
from strikemap.maps.style import LegendEntry

log = logging.getLogger(__name__)

StrikeMode = Literal["auto", "markers", "cluster", "heatmap"]
STRIKE_MODES: tuple[str, ...] = ("auto", "markers", "cluster", "heatmap")
BACKGROUND_LAYERS: tuple[str, ...] = (
    COUNTRIES.name,
    *(spec.name for spec in CATALOG if spec.name not in (STRIKES.name, COUNTRIES.name)),
)
"""Catalogue layers drawn under the strikes, bottom first (countries, then the catalogue's
order); they do not depend on the view."""
LIVE_WIDTH_SCALE = 1.9
"""Line widths on screen: the catalogue's (briefing map) widths times this."""
LIVE_RADIUS_SCALE = 0.8
"""Point radius on screen (pixels): the catalogue's marker size times this."""

MARKER_LIMIT = 2_000
"""Above this many strikes, ``auto`` mode draws a FastMarkerCluster instead of one marker each."""

OFFLINE_BASEMAP = "Offline (countries)"
BASEMAPS: dict[str, str | None] = {
    OFFLINE_BASEMAP: None,
    "OpenStreetMap": "OpenStreetMap.Mapnik",
    "Esri World Gray Canvas": "Esri.WorldGrayCanvas",
    "OpenTopoMap": "OpenTopoMap",
}
"""Basemap label -> xyzservices provider (``None``: drawn from the countries layer, no network)."""

UNCERTAINTY_RADIUS_M: dict[int, float] = {0: 500.0, 1: 3_000.0, 2: 10_000.0, 3: 25_000.0}
"""Radius of the uncertainty circle by ``geo_precision`` (the impact rules' hit radii; a
precision-3 strike has no hit radius, so its circle shows the region scale instead)."""

CLUSTER_DECIMALS = 4
"""Decimals of clustered strike coordinates (about 10 m: an overview of thousands of strikes)."""
COORD_GRID_DEG = 1e-5
"""Coordinates sent to the browser are snapped to this grid (about 1 m)."""
COUNTRY_SIMPLIFY_DEG = 0.005
COUNTRY_GRID_DEG = 1e-4
"""Country outlines are simplified to about 500 m and snapped to about 10 m: enough at the
region's scale, and a fifth of Natural Earth's bytes."""

DEFAULT_CENTER = (46.3, 30.0)
DEFAULT_ZOOM = 7
MIN_ZOOM = 4
MAX_ZOOM = 18
"""Zoom limits; MarkerCluster needs a maxZoom, which no tile layer gives the offline basemap."""
SELECTED_ZOOM = 9

LAND_PANE = "basemap"
STRIKE_PANE = "strikes"
STRIKE_PANE_Z = 450
"""Strikes sit above the other overlays (400), including the selection's lines, circle and
highlighted countries, so a click on a strike always reaches it; popups and tooltips stay above."""
PROBE_ID = "probe-what-if"
"""Id of the hypothetical strike placed by the what-if probe."""

STRIKE_CLASS = "strikemap-strike"
"""CSS class of every strike marker (browser tests and styling find strikes by it)."""
STRIKE_POPUP_FIELD = "_popup"
STRIKE_COLOR_FIELD = "_color"
STRIKE_OPACITY_FIELD = "_opacity"

_LINE_DASH = {"exact": None, "approximate": "6 4", "schematic": "2 6"}


def build_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    links: pd.DataFrame,
    view: View,
    *,
    basemap: str = OFFLINE_BASEMAP,
    selected: str | None = None,
    probe: gpd.GeoDataFrame | None = None,
    probe_links: pd.DataFrame | None = None,
    strike_mode: StrikeMode = "auto",
    marker_limit: int = MARKER_LIMIT,
    radius_m: Mapping[int, float] = UNCERTAINTY_RADIUS_M,
    country_names: Mapping[str, str] | None = None,
    prepared: Mapping[str, dict] | None = None,
) -> folium.Map:
    """Return a folium map of the layers, the strikes as the view colours them, and a selection.

    Parameters
    ----------
    layers
        ``{layer name: frame}`` as ``layers.io.read_layers`` returns, with ``strikes`` already
        filtered by the view (``analysis.view.apply_view``). Missing layers are skipped.
    links
        The impact table rows of the shown strikes.
    view
        Used for ``color_by``, the age reference (``date_to``), the extent and ``selected``.
    basemap
        A key of ``BASEMAPS``; the offline basemap needs no network.
    selected
        Strike id to highlight; defaults to ``view.selected``.
    probe, probe_links
        A one-row hypothetical strike and its links, drawn and selected instead of ``selected``.
    strike_mode
        ``markers`` (one circle marker per strike, with popups), ``cluster`` (FastMarkerCluster,
        tooltips only), ``heatmap``, or ``auto`` (markers up to ``marker_limit`` strikes).
    radius_m
        Uncertainty circle radius by ``geo_precision`` (the hit radii of the impact rules).
    country_names
        ISO3 -> name, for the selection's tooltip.
    prepared
        ``{layer name: layer_features(frame, spec)}`` computed earlier for the layers other
        than strikes (they do not change with the view); missing ones are computed here.

    Returns
    -------
    folium.Map
        A new map; never cache it (streamlit-folium mutates it).
    """
    if basemap not in BASEMAPS:
        msg = f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}"
        raise ValueError(msg)
    strikes = layers.get("strikes", gpd.GeoDataFrame())
    focus, focus_links = _selection(strikes, links, view, selected, probe, probe_links)
    fmap = _new_map(view, strikes, focus)
    _add_basemap(fmap, basemap)
    drawn: dict[str, folium.GeoJson] = {}
    prepared = prepared or {}
    for name in BACKGROUND_LAYERS:
        frame = layers.get(name)
        if frame is not None and not frame.empty:
            data = prepared.get(name) or layer_features(frame, BY_NAME[name])
            drawn[name] = _add_layer(fmap, data, BY_NAME[name])
    if BASEMAPS[basemap] is None and "countries" in drawn:
        fmap.add_child(LandFill(drawn["countries"]))
    mode = resolve_strike_mode(strike_mode, len(strikes), marker_limit=marker_limit)
    _add_strikes(fmap, strikes, view, mode=mode)
    if focus is not None:
        is_probe = probe is not None and not probe.empty
        _add_selection(fmap, focus, focus_links, layers, radius_m, country_names, probe=is_probe)
    legend = style.strike_legend(view.color_by) + style.asset_legend(layers)
    fmap.add_child(Legend(legend, title=f"Strikes by {view.color_by}"))
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def resolve_strike_mode(mode: StrikeMode, count: int, *, marker_limit: int = MARKER_LIMIT) -> str:
    """Return the drawing mode for ``count`` strikes (``auto`` picks markers or cluster)."""
    if mode not in STRIKE_MODES:
        msg = f"strike_mode must be one of {STRIKE_MODES}, got {mode!r}"
        raise ValueError(msg)
    if mode == "auto":
        return "markers" if count <= marker_limit else "cluster"
    return mode


def _selection(
    strikes: gpd.GeoDataFrame,
    links: pd.DataFrame,
    view: View,
    selected: str | None,
    probe: gpd.GeoDataFrame | None,
    probe_links: pd.DataFrame | None,
) -> tuple[pd.Series | None, pd.DataFrame | None]:
    """Return the strike to highlight (the probe wins over a selection) and its links."""
    if probe is not None and not probe.empty:
        return probe.iloc[0], probe_links
    chosen = selected if selected is not None else view.selected
    if not chosen or strikes.empty:
        return None, None
    match = strikes[(strikes["id"] == chosen).to_numpy()]
    return (match.iloc[0], links) if not match.empty else (None, None)


def _new_map(view: View, strikes: gpd.GeoDataFrame, focus: pd.Series | None) -> folium.Map:
    """Return an empty map centred on the selection, else fitted to the view or the strikes."""
    location = DEFAULT_CENTER if focus is None else folium_location(focus.geometry)
    fmap = folium.Map(
        location=location,
        zoom_start=DEFAULT_ZOOM if focus is None else SELECTED_ZOOM,
        tiles=None,
        # folium's max_zoom only reaches tile layers; these keys reach the Leaflet map itself
        **{"minZoom": MIN_ZOOM, "maxZoom": MAX_ZOOM},
        control_scale=True,
    )
    bbox = view.bbox if view.bbox is not None else strikes_extent(strikes)
    if focus is None and bbox is not None:
        west, south, east, north = bbox
        fmap.fit_bounds([[south, west], [north, east]])
    return fmap


# --------------------------------------------------------------------------------------------
# Basemaps


def _add_basemap(fmap: folium.Map, basemap: str) -> None:
    """Add the tile layer, or for the offline basemap the sea colour and a pane for the land."""
    provider_name = BASEMAPS[basemap]
    if provider_name is None:
        fmap.get_root().header.add_child(_sea_background())
        folium.map.CustomPane(LAND_PANE, z_index=200).add_to(fmap)
        return
    provider = xyz.query_name(provider_name)
    folium.TileLayer(
        tiles=provider.build_url(),
        attr=provider.html_attribution,
        name=basemap,
        max_zoom=provider.get("max_zoom", 18),
        overlay=False,
        control=False,
    ).add_to(fmap)


class LandFill(MacroElement):
    """The offline basemap's land: the countries layer's own features, filled, under everything.

    It reuses the countries GeoJSON already in the page (``toGeoJSON()``), so the offline
    basemap costs no extra bytes.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.geoJson({{ this.source.get_name() }}.toGeoJSON(), {
            pane: {{ this.pane|tojson }},
            interactive: false,
            style: function () { return {{ this.style|tojson }}; }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, source: folium.GeoJson) -> None:
        super().__init__()
        self._name = "LandFill"
        self.source = source
        self.pane = LAND_PANE
        self.style = _basemap_style({})


def _basemap_style(_feature: dict) -> dict:
    return {
        "fillColor": style.COUNTRY_FILL_COLOR,
        "fillOpacity": 1.0,
        "stroke": False,
    }


def _sea_background() -> folium.Element:
    css = f".leaflet-container {{ background: {style.SEA_COLOR}; }}"
    return folium.Element(f"<style>{css}</style>")


# --------------------------------------------------------------------------------------------
# Catalogue layers


def _geojson(frame: gpd.GeoDataFrame, columns: list[str], *, grid: float = COORD_GRID_DEG) -> dict:
    """Return a FeatureCollection with escaped text properties and coordinates on a grid."""
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
    pass it to ``build_map(prepared=...)``.
    """
    grid = COORD_GRID_DEG
    if spec.name == "countries":
        frame = frame.set_geometry(frame.geometry.simplify(COUNTRY_SIMPLIFY_DEG))
        grid = COUNTRY_GRID_DEG
    extra: dict[str, object] = {
        "_color": style.feature_colors(frame, spec),
        "_class": f"strikemap-{spec.name}",
    }
    if spec.name != "countries":
        extra["_popup"] = [popups.asset_popup(r) for r in frame.to_dict(orient="records")]
    if "route_accuracy" in frame:
        extra["_dash"] = frame["route_accuracy"].map(_LINE_DASH).astype(object).to_numpy()
    return _geojson(frame.assign(**extra), [*spec.tooltip_fields, *extra], grid=grid)


def _add_layer(fmap: folium.Map, data: dict, spec: LayerSpec) -> folium.GeoJson:
    group = folium.FeatureGroup(name=spec.title, show=spec.shown).add_to(fmap)
    fields = list(spec.tooltip_fields)
    marker = popup = None
    if spec.name == COUNTRIES.name:
        style_function = _country_style
    elif "LineString" in spec.geometry_types:
        style_function = partial(_line_style, weight=spec.line_width * LIVE_WIDTH_SCALE)
    else:
        style_function = _point_style
    if spec.name != COUNTRIES.name:
        popup = folium.GeoJsonPopup(fields=["_popup"], labels=False, max_width=360)
    if "Point" in spec.geometry_types:
        marker = folium.CircleMarker(radius=spec.marker_size * LIVE_RADIUS_SCALE, fill=True)
    return folium.GeoJson(
        data,
        name=spec.title,
        style_function=style_function,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[_alias(f) for f in fields]),
        popup=popup,
        marker=marker,
    ).add_to(group)


def _alias(field: str) -> str:
    return field.replace("_", " ")


def _country_style(feature: dict) -> dict:
    return {
        "color": style.COUNTRY_EDGE_COLOR,
        "weight": 1,
        "fill": False,
        "className": feature["properties"]["_class"],
    }


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


# --------------------------------------------------------------------------------------------
# Strikes


def strike_colors(strikes: gpd.GeoDataFrame, view: View) -> np.ndarray:
    """Return each strike's colour by weapon or by age before the view's end date."""
    if view.color_by == "age":
        reference = pd.Timestamp(view.date_to) if view.date_to else pd.Timestamp.today()
        return style.age_colors(strikes["date"], reference=reference.normalize())
    return style.weapon_colors(strikes["weapon"])


def _add_strikes(fmap: folium.Map, strikes: gpd.GeoDataFrame, view: View, *, mode: str) -> None:
    folium.map.CustomPane(STRIKE_PANE, z_index=STRIKE_PANE_Z).add_to(fmap)
    group = folium.FeatureGroup(name=BY_NAME["strikes"].title, show=True).add_to(fmap)
    if strikes.empty:
        return
    colors = strike_colors(strikes, view)
    if mode == "heatmap":
        folium.plugins.HeatMap(latlon_array(strikes.geometry).round(5).tolist(), radius=12).add_to(
            group
        )
    elif mode == "cluster":
        _add_strike_cluster(group, strikes, colors)
    else:
        _add_strike_markers(group, strikes, colors)


def _add_strike_markers(group: folium.FeatureGroup, strikes: gpd.GeoDataFrame, colors) -> None:
    opacity = strikes["geo_precision"].map(style.PRECISION_OPACITY).fillna(0.5).to_numpy()
    shown = strikes.assign(
        _popup=[popups.strike_popup(r) for r in strikes.to_dict(orient="records")],
        _color=colors,
        _opacity=opacity,
    )
    fields = [*BY_NAME["strikes"].tooltip_fields, "id"]
    data = _geojson(shown, [*fields, STRIKE_POPUP_FIELD, STRIKE_COLOR_FIELD, STRIKE_OPACITY_FIELD])
    folium.GeoJson(
        data,
        name=BY_NAME["strikes"].title,
        marker=_strike_marker(),
        style_function=_strike_style,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[_alias(f) for f in fields]),
        popup=folium.GeoJsonPopup(fields=[STRIKE_POPUP_FIELD], labels=False, max_width=420),
    ).add_to(group)


def _strike_marker() -> folium.CircleMarker:
    marker = folium.CircleMarker(radius=7, fill=True, class_name=STRIKE_CLASS)
    marker.options["pane"] = STRIKE_PANE  # folium's path options drop `pane`
    return marker


def _strike_style(feature: dict) -> dict:
    props = feature["properties"]
    return {
        "color": "#222222",
        "weight": 1,
        "fillColor": props[STRIKE_COLOR_FIELD],
        "fillOpacity": props[STRIKE_OPACITY_FIELD],
    }


_CLUSTER_CALLBACK = """
function (row) {
    var palette = %s;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: 6, color: '#222222', weight: 1, fillColor: palette[row[2]], fillOpacity: 0.85,
        className: 'strikemap-strike', pane: 'strikes'
    });
    marker.bindTooltip(row[3]);
    return marker;
}
"""
HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _add_strike_cluster(group: folium.FeatureGroup, strikes: gpd.GeoDataFrame, colors) -> None:
    """Draw strikes as a FastMarkerCluster of ``[lat, lon, colour index, id]`` rows.

    Only what the tooltip and selection need travels (about 50 bytes a strike): colours as an
    index into a palette written once, the id as the tooltip (clicking selects by it).
    """
    codes, palette = pd.factorize(pd.Series(colors, dtype=object))
    if not all(HEX_COLOR.match(str(c)) for c in palette):
        msg = f"strike colours must be #rrggbb, got {list(palette)}"
        raise ValueError(msg)
    coords = latlon_array(strikes.geometry).round(CLUSTER_DECIMALS)
    ids = strikes["id"].map(popups.text)
    rows = [
        [lat, lon, code, label]
        for (lat, lon), code, label in zip(
            coords.tolist(), codes.tolist(), ids.tolist(), strict=True
        )
    ]
    callback = _CLUSTER_CALLBACK % json.dumps([str(c) for c in palette])
    CompactMarkerCluster(
        rows, callback=callback, name=BY_NAME["strikes"].title, control=False
    ).add_to(group)


class CompactMarkerCluster(folium.plugins.FastMarkerCluster):
    """FastMarkerCluster whose rows are embedded as compact, HTML-safe JSON (no spaces).

    With 100,000 strikes the spaces of the default embedding alone are half a megabyte.
    """

    _template = FoliumTemplate(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}

                var data = {{ this.compact_data }};
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});

                for (var i = 0; i < data.length; i++) {
                    var row = data[i];
                    var marker = callback(row);
                    marker.addTo(cluster);
                }

                cluster.addTo({{ this._parent.get_name() }});
                return cluster;
            })();
        {% endmacro %}"""
    )

    def __init__(self, data: list, **kwargs: object) -> None:
        super().__init__(data, **kwargs)
        self.compact_data = compact_json(data)


def compact_json(value: object) -> str:
    """Return JSON without spaces that is safe inside a ``<script>`` (like Jinja's tojson)."""
    text = json.dumps(value, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    return text


# --------------------------------------------------------------------------------------------
# Selection and probe


def _add_selection(
    fmap: folium.Map,
    strike: pd.Series,
    links: pd.DataFrame | None,
    layers: Mapping[str, gpd.GeoDataFrame],
    radius_m: Mapping[int, float],
    country_names: Mapping[str, str] | None,
    *,
    probe: bool,
) -> None:
    title = "What-if probe" if probe else "Selected strike"
    group = folium.FeatureGroup(name=title, show=True).add_to(fmap)
    point = strike.geometry
    own = links[links["strike_id"] == strike["id"]] if links is not None else pd.DataFrame()
    _add_affected_countries(group, own, layers.get("countries"))
    _add_link_lines(group, point, own, layers)
    precision = int(strike.get("geo_precision", 3))
    circle = folium.Circle(
        location=folium_location(point),
        radius=float(radius_m.get(precision, UNCERTAINTY_RADIUS_M[3])),
        color=style.LINK_COLOR,
        weight=2,
        dash_array="6 4",
        fill=True,
        fill_opacity=0.08,
    )
    circle.options["interactive"] = False  # clicks go through to the strikes under it
    circle.add_to(group)
    folium.CircleMarker(
        location=folium_location(point),
        radius=11,
        class_name="strikemap-selected",
        color=style.LINK_COLOR,
        weight=3,
        fill=False,
        tooltip=popups.text(_selection_label(strike, own, country_names, probe=probe)),
    ).add_to(group)


def _selection_label(
    strike: pd.Series,
    links: pd.DataFrame,
    country_names: Mapping[str, str] | None,
    *,
    probe: bool,
) -> str:
    """Return e.g. ``selected: Orlivka strike; countries: Azerbaijan, Ukraine``."""
    names = country_names or {}
    codes = sorted(set(links["country"].dropna().astype(str)) - {""}) if not links.empty else []
    label = f"{'what-if probe' if probe else 'selected'}: {strike.get('name')}"
    if codes:
        label += "; countries: " + ", ".join(names.get(c, c) for c in codes)
    return label


def _add_affected_countries(
    group: folium.FeatureGroup, links: pd.DataFrame, countries: gpd.GeoDataFrame | None
) -> None:
    if countries is None or countries.empty or links.empty:
        return
    affected = countries[countries["iso3"].isin(links["country"])]
    if affected.empty:
        return
    outlines = affected.set_geometry(affected.geometry.simplify(COUNTRY_SIMPLIFY_DEG))
    data = _geojson(outlines, ["name", "iso3"], grid=COUNTRY_GRID_DEG)
    folium.GeoJson(
        data,
        name="Affected countries",
        style_function=_highlight_style,
        interactive=False,  # drawn over the strikes: clicks must reach them
    ).add_to(group)


def _highlight_style(_feature: dict) -> dict:
    return {
        "color": style.HIGHLIGHT_COLOR,
        "weight": 3,
        "fillColor": style.HIGHLIGHT_COLOR,
        "fillOpacity": 0.18,
    }


def linked_assets(links: pd.DataFrame, layers: Mapping[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return the asset features (id, name, geometry) that ``links`` name."""
    ids = set(links["asset_id"].dropna().astype(str)) - {""}
    parts = [
        frame.loc[frame["id"].isin(ids), ["id", "name", "geometry"]]
        for name, frame in layers.items()
        if BY_NAME.get(name) is not None and BY_NAME[name].is_asset and not frame.empty
    ]
    if not parts:
        return gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")


def _add_link_lines(
    group: folium.FeatureGroup,
    point: shapely.Point,
    links: pd.DataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
) -> None:
    if links.empty:
        return
    assets = linked_assets(links, layers)
    if assets.empty:
        return
    lines = shapely.shortest_line(point, assets.geometry.values)
    for line, name in zip(lines, assets["name"], strict=True):
        folium.PolyLine(
            folium_locations(line),
            color=style.LINK_COLOR,
            weight=3,
            opacity=0.9,
            class_name="strikemap-link",
            tooltip=popups.text(f"linked asset: {name}"),
        ).add_to(group)


# --------------------------------------------------------------------------------------------
# Legend


class Legend(MacroElement):
    """A Leaflet control listing the map's symbols; labels are escaped, data passes as JSON."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: 'bottomright'});
            legend.onAdd = function () {
                var div = L.DomUtil.create('div', 'strikemap-legend');
                div.innerHTML = {{ this.body|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, entries: list[LegendEntry], *, title: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = legend_html(entries, title=title)


LEGEND_STYLE = (
    "background: rgba(255,255,255,0.92); padding: 6px 8px; font: 11px/1.3 sans-serif;"
    " max-height: 260px; overflow-y: auto; border-radius: 4px; box-shadow: 0 1px 4px #0004;"
)


def legend_html(entries: list[LegendEntry], *, title: str) -> str:
    """Return the escaped HTML of a legend box."""
    rows = []
    for entry in entries:
        color = popups.text(entry.color)
        if entry.symbol == "line":
            swatch = f"display:inline-block;width:18px;height:3px;background:{color}"
        else:
            swatch = (
                f"display:inline-block;width:10px;height:10px;border-radius:50%;background:{color}"
            )
        rows.append(
            f"<div><span style='{swatch};margin-right:6px'></span>{popups.text(entry.label)}</div>"
        )
    title_html = f"<b>{popups.text(title)}</b>"
    return f"<div style='{LEGEND_STYLE}'>{title_html}{''.join(rows)}</div>"
