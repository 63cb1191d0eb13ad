"""The layer catalogue: one LayerSpec per shipped layer, the single list everything iterates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from strikemap.geo.assets import NETWORK_LINE, NETWORK_NODE, AssetLayer
from strikemap.layers import credits, schema
from strikemap.layers.credits import Credit
from strikemap.layers.schema import FieldSpec


@dataclass(frozen=True)
class LayerSpec:
    """What a layer is: its file, geometry, properties and how it is shown.

    Parameters
    ----------
    name
        Layer key used by the CLI, the app and the impact join.
    file
        File name inside the data folder.
    title
        Human-readable title for legends and layer toggles.
    geometry_types
        Geometry types allowed in the file.
    fields
        Properties, common ones first.
    tooltip_fields
        Properties shown in the map tooltip, in order.
    is_asset
        Whether the impact join treats the layer's features as assets.
    network
        The assets' role in the pipeline network: ``"line"`` (its edges), ``"node"`` (on it
        where a line passes) or ``""`` (not part of it).
    asset_type
        ``asset_type`` of features without one (a layer that has no such property).
    color
        The layer's colour in maps, legends and toggles (hex).
    type_colors
        Colour per ``asset_type`` (features of other types take ``color``).
    type_markers
        matplotlib marker per ``asset_type`` for point layers (default a circle).
    legend_label
        Legend text of one type; ``{type}`` is the type in words.
    line_width
        Line width in points (line layers) on the briefing map; the live map scales it.
    marker_size
        Marker size in points (point layers) on the briefing map; the live map scales it.
    credits
        The datasets the layer is made from, as their licences ask to be credited: the one
        place for attribution; maps, exports and the app show ``attribution`` (plain text) or
        ``attribution_html`` (with links).
    shown
        Whether the live map shows the layer when it opens (context layers start hidden).
    label_fields
        Properties a map label is made from, most important first (places: name, population).
    large_file
        A GeoParquet file or partitioned folder the layer may be stored in instead of ``file``
        (``layers.parquet``); empty for the small sourced layers, which stay GeoJSON.
    """

    name: str
    file: str
    title: str
    geometry_types: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    tooltip_fields: tuple[str, ...]
    is_asset: bool = False
    network: str = ""
    asset_type: str | None = None
    color: str = "#555555"
    type_colors: Mapping[str, str] = field(default_factory=dict)
    type_markers: Mapping[str, str] = field(default_factory=dict)
    legend_label: str = "{type}"
    line_width: float = 1.6
    marker_size: float = 6.0
    credits: tuple[Credit, ...] = ()
    shown: bool = True
    label_fields: tuple[str, ...] = ()
    large_file: str = ""

    def __post_init__(self) -> None:
        for name in ("type_colors", "type_markers"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def color_of(self, asset_type: object) -> str:
        """Return the colour of a feature of ``asset_type`` (the layer's colour by default)."""
        return self.type_colors.get(str(asset_type), self.color)

    def marker_of(self, asset_type: object) -> str:
        """Return the matplotlib marker of a point of ``asset_type`` (a circle by default)."""
        return self.type_markers.get(str(asset_type), "o")

    @property
    def attribution(self) -> str:
        """Whom to credit for the layer's data, in plain text (maps and exports show it)."""
        return credits.attribution_text(self.credits)

    @property
    def attribution_html(self) -> str:
        """The attribution as escaped HTML with links to the datasets and licences."""
        return credits.attribution_html(self.credits)

    def legend_text(self, asset_type: object) -> str:
        """Return the legend text of ``asset_type``, e.g. ``"gas transmission pipeline"``."""
        return self.legend_label.format(type=str(asset_type).replace("_", " "))

    @property
    def field_names(self) -> tuple[str, ...]:
        """Names of all properties, in schema order."""
        return tuple(f.name for f in self.fields)

    @property
    def required_fields(self) -> tuple[str, ...]:
        """Names of the properties every feature must carry."""
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> FieldSpec:
        """Return the spec of property ``name``."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        msg = f"layer {self.name!r} has no property {name!r}; known: {', '.join(self.field_names)}"
        raise KeyError(msg)


POINT = ("Point",)
LINE = ("LineString", "MultiLineString")
AREA = ("Polygon", "MultiPolygon")

STRIKES = LayerSpec(
    name="strikes",
    file="strikes.geojson",
    title="Strikes",
    geometry_types=POINT,
    fields=(*schema.COMMON_FIELDS, *schema.STRIKE_FIELDS),
    tooltip_fields=("name", "date", "weapon", "geo_precision"),
    color="#d62728",
    credits=(credits.RESEARCH,),
    large_file="strikes.parquet",
)
PIPELINES = LayerSpec(
    name="pipelines",
    file="pipelines.geojson",
    title="Pipelines",
    geometry_types=LINE,
    fields=(*schema.COMMON_FIELDS, *schema.PIPELINE_FIELDS),
    tooltip_fields=("name", "asset_type", "operator", "route_accuracy"),
    is_asset=True,
    network=NETWORK_LINE,
    color="#1f77b4",
    type_colors={
        "gas_transmission": "#1f77b4",
        "gas_distribution": "#6baed6",
        "oil": "#3b3b3b",
        "products": "#8c6d31",
    },
    legend_label="{type} pipeline",
    credits=(credits.RESEARCH, credits.GEM, credits.SCIGRID),
)
POWER_LINES = LayerSpec(
    name="power_lines",
    file="power_lines.geojson",
    title="Power lines",
    geometry_types=LINE,
    fields=(*schema.COMMON_FIELDS, *schema.POWER_LINE_FIELDS),
    tooltip_fields=("name", "voltage_class", "operator", "route_accuracy"),
    is_asset=True,
    color="#9467bd",
    legend_label="power line",
    line_width=1.0,
    credits=(credits.RESEARCH, credits.GRIDKIT),
)
FACILITIES = LayerSpec(
    name="facilities",
    file="facilities.geojson",
    title="Energy facilities",
    geometry_types=POINT,
    fields=(*schema.COMMON_FIELDS, *schema.FACILITY_FIELDS),
    tooltip_fields=("name", "asset_type", "operator", "geo_precision"),
    is_asset=True,
    network=NETWORK_NODE,
    color="#2ca02c",
    type_colors={
        "compressor_station": "#08519c",
        "metering_station": "#3182bd",
        "gas_distribution_station": "#6baed6",
        "interconnection_point": "#17becf",
        "oil_depot": "#636363",
        "oil_terminal": "#252525",
        "refinery": "#8c564b",
        "port": "#2ca02c",
        "substation": "#9467bd",
        "diplomatic_mission": "#bcbd22",
    },
    type_markers={
        "compressor_station": "s",
        "metering_station": "s",
        "gas_distribution_station": "s",
        "interconnection_point": "D",
        "oil_depot": "^",
        "oil_terminal": "^",
        "refinery": "^",
        "port": "P",
        "substation": "h",
        "diplomatic_mission": "*",
    },
    credits=(credits.RESEARCH, credits.WPI, credits.REFINERIES),
)
FUEL_STATIONS = LayerSpec(
    name="fuel_stations",
    file="fuel_stations.geojson",
    title="Fuel stations",
    geometry_types=POINT,
    fields=(*schema.COMMON_FIELDS, *schema.FUEL_STATION_FIELDS),
    tooltip_fields=("name", "brand", "operator", "geo_precision"),
    is_asset=True,
    asset_type="fuel_station",
    color="#ff7f0e",
    legend_label="fuel station",
    marker_size=4.0,
    credits=(credits.RESEARCH,),
)
SUBSTATIONS = LayerSpec(
    name="substations",
    file="substations.geojson",
    title="Substations",
    geometry_types=POINT,
    fields=(*schema.COMMON_FIELDS, *schema.SUBSTATION_FIELDS),
    tooltip_fields=("name", "voltage_class", "operator", "geo_precision"),
    is_asset=True,
    color="#6a3d9a",
    legend_label="{type}",
    marker_size=3.5,
    credits=(credits.RESEARCH, credits.GRIDKIT),
)
POWER_PLANTS = LayerSpec(
    name="power_plants",
    file="power_plants.geojson",
    title="Power plants",
    geometry_types=POINT,
    fields=(*schema.COMMON_FIELDS, *schema.POWER_PLANT_FIELDS),
    tooltip_fields=("name", "asset_type", "capacity_mw", "year_opened"),
    is_asset=True,
    color="#8c510a",
    type_colors={
        "nuclear_power_plant": "#e31a1c",
        "coal_power_plant": "#252525",
        "gas_power_plant": "#fd8d3c",
        "oil_power_plant": "#8c510a",
        "hydro_power_plant": "#2171b5",
        "wind_farm": "#41ab5d",
        "solar_farm": "#fec44f",
        "bioenergy_power_plant": "#78c679",
        "other_power_plant": "#969696",
    },
    type_markers={
        "nuclear_power_plant": "*",
        "coal_power_plant": "s",
        "gas_power_plant": "s",
        "oil_power_plant": "s",
        "hydro_power_plant": "v",
        "wind_farm": "d",
        "solar_farm": "o",
        "bioenergy_power_plant": "o",
        "other_power_plant": "o",
    },
    marker_size=4.0,
    credits=(credits.POWERPLANTMATCHING,),
)
COUNTRIES = LayerSpec(
    name="countries",
    file="countries.geojson",
    title="Countries",
    geometry_types=AREA,
    fields=(*schema.COMMON_FIELDS, *schema.COUNTRY_FIELDS),
    tooltip_fields=("name", "iso3"),
    color="#8a8a8a",
    credits=(credits.NATURAL_EARTH,),
)

REGIONS = LayerSpec(
    name="regions",
    file="regions.geojson",
    title="Regions (oblasts, counties)",
    geometry_types=AREA,
    fields=(*schema.COMMON_FIELDS, *schema.REGION_FIELDS),
    tooltip_fields=("name", "country", "notes"),
    color="#b0b0b0",
    line_width=0.5,
    credits=(credits.NATURAL_EARTH,),
    shown=False,  # until the live map draws them as faint outlines: filled, they take the clicks
    label_fields=("name",),
)
PLACES = LayerSpec(
    name="places",
    file="places.geojson",
    title="Places",
    geometry_types=POINT,
    fields=(*schema.COMMON_FIELDS, *schema.PLACE_FIELDS),
    tooltip_fields=("name", "population"),
    color="#303030",
    marker_size=2.0,
    credits=(credits.GEONAMES,),
    label_fields=("name", "population"),
)
CONFLICT_EVENTS = LayerSpec(
    name="conflict_events",
    file="conflict_events.geojson",
    title="Conflict events 2014-2022 (UCDP, context)",
    geometry_types=POINT,
    fields=(*schema.COMMON_FIELDS, *schema.CONFLICT_EVENT_FIELDS),
    tooltip_fields=("name", "date", "deaths_best", "geo_precision"),
    color="#a6761d",
    marker_size=3.0,
    credits=(credits.UCDP,),
    shown=False,
)

CATALOG: tuple[LayerSpec, ...] = (
    STRIKES,
    PIPELINES,
    POWER_LINES,
    FACILITIES,
    FUEL_STATIONS,
    SUBSTATIONS,
    POWER_PLANTS,
    COUNTRIES,
    REGIONS,
    PLACES,
    CONFLICT_EVENTS,
)
"""Every layer, in drawing order from the bottom: the app, CLI, validator and tests iterate this."""

ASSET_LAYERS: tuple[LayerSpec, ...] = tuple(spec for spec in CATALOG if spec.is_asset)
ASSET_ROLES: tuple[AssetLayer, ...] = tuple(
    AssetLayer(spec.name, network=spec.network, asset_type=spec.asset_type) for spec in ASSET_LAYERS
)
"""What the impact join needs to know of the asset layers (``geo.assets.combine_assets``)."""
BY_NAME: dict[str, LayerSpec] = {spec.name: spec for spec in CATALOG}

REGION_BOUNDS = (18.0, 36.0, 52.0, 58.0)
"""West, south, east, north (degrees) of the region the layers cover."""
OPEN_DATA_BOUNDS = (20.0, 37.0, 35.0, 51.0)
"""West, south, east, north (degrees) of the map region the open-data layers are clipped to:
Odesa, the Danube, Moldova, Romania and the supply routes to them (Bulgaria, Greece, Turkey's
European side), Kyiv and Brody; the importers default to it (``docs/DATA.md``)."""


def get_layer(name: str) -> LayerSpec:
    """Return the spec of layer ``name``, with a helpful error for unknown names."""
    try:
        return BY_NAME[name]
    except KeyError:
        msg = f"unknown layer {name!r}; known layers: {', '.join(BY_NAME)}"
        raise KeyError(msg) from None
