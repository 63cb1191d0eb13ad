"""The layer catalogue: one LayerSpec per shipped layer, the single list everything iterates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from strikemap.layers import schema
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
    attribution
        Whom to credit for the layer's data, as its licence asks (maps and exports show it).
    shown
        Whether the live map shows the layer when it opens.
    """

    name: str
    file: str
    title: str
    geometry_types: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    tooltip_fields: tuple[str, ...]
    is_asset: bool = False
    color: str = "#555555"
    type_colors: Mapping[str, str] = field(default_factory=dict)
    type_markers: Mapping[str, str] = field(default_factory=dict)
    legend_label: str = "{type}"
    line_width: float = 1.6
    marker_size: float = 6.0
    attribution: str = ""
    shown: bool = True

    def __post_init__(self) -> None:
        for name in ("type_colors", "type_markers"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def color_of(self, asset_type: object) -> str:
        """Return the colour of a feature of ``asset_type`` (the layer's colour by default)."""
        return self.type_colors.get(asset_type, self.color)  # type: ignore[arg-type]

    def marker_of(self, asset_type: object) -> str:
        """Return the matplotlib marker of a point of ``asset_type`` (a circle by default)."""
        return self.type_markers.get(asset_type, "o")  # type: ignore[arg-type]

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


RESEARCH_ATTRIBUTION = "strikemap research (sources on every feature)"
"""Layers built from the project's own sourced research (``docs/DATA.md``)."""
NATURAL_EARTH_ATTRIBUTION = "Boundaries: Natural Earth (public domain)"

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
    attribution=RESEARCH_ATTRIBUTION,
)
PIPELINES = LayerSpec(
    name="pipelines",
    file="pipelines.geojson",
    title="Pipelines",
    geometry_types=LINE,
    fields=(*schema.COMMON_FIELDS, *schema.PIPELINE_FIELDS),
    tooltip_fields=("name", "asset_type", "operator", "route_accuracy"),
    is_asset=True,
    color="#1f77b4",
    type_colors={
        "gas_transmission": "#1f77b4",
        "gas_distribution": "#6baed6",
        "oil": "#3b3b3b",
        "products": "#8c6d31",
    },
    legend_label="{type} pipeline",
    attribution=RESEARCH_ATTRIBUTION,
)
POWER_LINES = LayerSpec(
    name="power_lines",
    file="power_lines.geojson",
    title="Power lines",
    geometry_types=LINE,
    fields=(*schema.COMMON_FIELDS, *schema.POWER_LINE_FIELDS),
    tooltip_fields=("name", "voltage_kv", "operator", "route_accuracy"),
    is_asset=True,
    color="#9467bd",
    legend_label="power line",
    line_width=1.0,
    attribution=RESEARCH_ATTRIBUTION,
)
FACILITIES = LayerSpec(
    name="facilities",
    file="facilities.geojson",
    title="Energy facilities",
    geometry_types=POINT,
    fields=(*schema.COMMON_FIELDS, *schema.FACILITY_FIELDS),
    tooltip_fields=("name", "asset_type", "operator", "geo_precision"),
    is_asset=True,
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
    attribution=RESEARCH_ATTRIBUTION,
)
FUEL_STATIONS = LayerSpec(
    name="fuel_stations",
    file="fuel_stations.geojson",
    title="Fuel stations",
    geometry_types=POINT,
    fields=(*schema.COMMON_FIELDS, *schema.FUEL_STATION_FIELDS),
    tooltip_fields=("name", "brand", "operator", "geo_precision"),
    is_asset=True,
    color="#ff7f0e",
    legend_label="fuel station",
    marker_size=4.0,
    attribution=RESEARCH_ATTRIBUTION,
)
COUNTRIES = LayerSpec(
    name="countries",
    file="countries.geojson",
    title="Countries",
    geometry_types=AREA,
    fields=(*schema.COMMON_FIELDS, *schema.COUNTRY_FIELDS),
    tooltip_fields=("name", "iso3"),
    color="#8a8a8a",
    attribution=NATURAL_EARTH_ATTRIBUTION,
)

CATALOG: tuple[LayerSpec, ...] = (
    STRIKES,
    PIPELINES,
    POWER_LINES,
    FACILITIES,
    FUEL_STATIONS,
    COUNTRIES,
)
"""Every layer, in drawing order from the bottom: the app, CLI, validator and tests iterate this."""

ASSET_LAYERS: tuple[LayerSpec, ...] = tuple(spec for spec in CATALOG if spec.is_asset)
BY_NAME: dict[str, LayerSpec] = {spec.name: spec for spec in CATALOG}

REGION_BOUNDS = (18.0, 36.0, 52.0, 58.0)
"""West, south, east, north (degrees) of the region the layers cover."""


def get_layer(name: str) -> LayerSpec:
    """Return the spec of layer ``name``, with a helpful error for unknown names."""
    try:
        return BY_NAME[name]
    except KeyError:
        msg = f"unknown layer {name!r}; known layers: {', '.join(BY_NAME)}"
        raise KeyError(msg) from None
