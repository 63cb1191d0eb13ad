"""The base map: what does not change with the view (basemaps, catalogue layers, labels).

``base_map`` draws it once per data version; the view (strikes, selection, legend, basemap
choice) reaches it as an overlay (``maps.live.overlay``), so a filter change never rebuilds
it and the map keeps its place and zoom. ``Runtime`` carries the browser code
(``runtime.js``, ``runtime.css``) and its settings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources

import folium
import folium.plugins
import geopandas as gpd
import xyzservices.providers as xyz
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from strikemap.layers.catalog import BY_NAME
from strikemap.maps import popups, style
from strikemap.maps.live.config import (
    BASEMAPS,
    COUNTRIES_LAYER,
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    LAND_PANE,
    LAND_PANE_Z,
    MAX_ZOOM,
    MIN_ZOOM,
    OFFLINE_BASEMAP,
    STRIKE_PANE,
    STRIKE_PANE_Z,
)
from strikemap.maps.live.labels import label_data
from strikemap.maps.live.layers import BACKGROUND_LAYERS, add_layer, layer_features
from strikemap.maps.live.strikes import precision_labels

INITIAL_VIEW_MARK = "__STRIKEMAP_INITIAL_VIEW__"
"""Stands in the base map's script for where the map opens; ``with_initial_view`` fills it in,
so one rendering of the base map serves every visitor."""
PLACES_TITLE = "Place names"


def base_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    prepared: Mapping[str, dict] | None = None,
    initial_view: Mapping[str, object] | None = None,
    eager_heat: bool = False,
) -> folium.Map:
    """Return the map without strikes: basemaps, catalogue layers, labels, controls, runtime.

    Parameters
    ----------
    layers
        ``{layer name: frame}``; catalogue layers missing or empty are skipped.
    prepared
        ``{layer name: layer_features(frame, spec)}`` made earlier (they depend only on the
        data); missing ones are made here.
    initial_view
        ``{"center": [lat, lon], "zoom": z}`` or ``{"bounds": [[s, w], [n, e]]}``; ``None``
        leaves ``INITIAL_VIEW_MARK`` in the script for ``with_initial_view``.
    eager_heat
        Load the heat-map library with the page (standalone files) instead of on first use.
    """
    fmap = folium.Map(
        location=DEFAULT_CENTER,
        zoom_start=DEFAULT_ZOOM,
        tiles=None,
        # folium's max_zoom only reaches tile layers; these keys reach the Leaflet map itself
        **{"minZoom": MIN_ZOOM, "maxZoom": MAX_ZOOM},
        control_scale=True,
    )
    folium.map.CustomPane(LAND_PANE, z_index=LAND_PANE_Z).add_to(fmap)
    folium.map.CustomPane(STRIKE_PANE, z_index=STRIKE_PANE_Z).add_to(fmap)
    prepared = prepared or {}
    groups: dict[str, folium.FeatureGroup] = {}
    for name in BACKGROUND_LAYERS:
        frame = layers.get(name)
        if frame is not None and not frame.empty:
            data = prepared.get(name) or layer_features(frame, BY_NAME[name])
            groups[name] = add_layer(fmap, data, BY_NAME[name])
    control = folium.LayerControl(collapsed=True).add_to(fmap)
    Runtime(
        groups=groups,
        control=control,
        labels=label_data(layers),
        initial_view=initial_view,
        eager_heat=eager_heat,
    ).add_to(fmap)
    return fmap


def basemap_settings() -> dict[str, dict[str, object] | None]:
    """Return each basemap's tile URL, attribution and zoom limit (None: the offline one)."""
    settings: dict[str, dict[str, object] | None] = {}
    for label, provider_name in BASEMAPS.items():
        if provider_name is None:
            settings[label] = None
            continue
        provider = xyz.query_name(provider_name)
        settings[label] = {
            "url": provider.build_url(),
            "attribution": provider.html_attribution,
            "maxZoom": provider.get("max_zoom", 18),
        }
    return settings


def with_initial_view(script: str, view: Mapping[str, object] | None) -> str:
    """Return the base map's script opening at ``view`` (see ``base_map(initial_view=...)``)."""
    return script.replace(json.dumps(INITIAL_VIEW_MARK), script_json(view))


def runtime_source(name: str) -> str:
    """Return the text of ``runtime.js`` or ``runtime.css`` (package data)."""
    return resources.files("strikemap.maps.live").joinpath(name).read_text(encoding="utf-8")


class Runtime(JSCSSMixin, MacroElement):
    """The browser side of the live map: ``runtime.js`` and its settings, after every layer.

    It loads Leaflet.markercluster (stacks and clusters of strikes) with the page and the heat
    map library when first used; ``maps.offline.localise_assets`` points both at local copies.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.source }}
        strikemap.init({{ this._parent.get_name() }}, Object.assign({{ this.settings }}, {
            countries: {{ this.countries }},
            groups: { {%- for name, group in this.groups.items() %}
                {{ name|tojson }}: {{ group.get_name() }},{% endfor %}
            },
            layerControl: {{ this.control.get_name() }}
        }));
        {{ this.control.get_name() }}.addOverlay(strikemap.labels, {{ this.places_title|tojson }});
        {% endmacro %}
        """
    )
    default_js = folium.plugins.MarkerCluster.default_js
    default_css = folium.plugins.MarkerCluster.default_css

    def __init__(
        self,
        *,
        groups: Mapping[str, folium.FeatureGroup],
        control: folium.LayerControl,
        labels: Mapping[str, object],
        initial_view: Mapping[str, object] | None = None,
        eager_heat: bool = False,
    ) -> None:
        super().__init__()
        self._name = "StrikemapRuntime"
        self.groups = dict(groups)
        self.control = control
        self.places_title = PLACES_TITLE
        countries = self.groups.get(COUNTRIES_LAYER)
        self.countries = countries.get_name() if countries is not None else "null"
        heat = folium.plugins.HeatMap.default_js
        self.lazy_js = [] if eager_heat else list(heat)
        if eager_heat:
            self.default_js = [*self.default_js, *heat]
        self.source = runtime_source("runtime.js")
        self.labels = dict(labels)
        self.initial_view = INITIAL_VIEW_MARK if initial_view is None else dict(initial_view)

    def render(self, **kwargs: object) -> None:
        """Add the stylesheet to the page header and fill in the settings (heat URL last)."""
        settings = {
            "basemaps": basemap_settings(),
            "offline": OFFLINE_BASEMAP,
            "seaColor": style.SEA_COLOR,
            "landColor": style.COUNTRY_FILL_COLOR,
            "labels": self.labels,
            "precisionLabels": precision_labels(),
            "heatUrl": self.lazy_js[0][1] if self.lazy_js else None,
            "initialView": self.initial_view,
            "attributions": {name: popups.text(BY_NAME[name].attribution) for name in self.groups},
        }
        self.settings = script_json(settings)
        css = runtime_source("runtime.css")
        self.get_root().header.add_child(Element(f"<style>{css}</style>"), name="strikemap_css")
        super().render(**kwargs)


def script_json(value: object) -> str:
    """Return compact JSON that is safe inside a ``<script>`` element (like Jinja's tojson)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    return text
