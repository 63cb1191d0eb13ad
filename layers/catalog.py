"""The layer catalogue: one LayerSpec per shipped layer, the single list everything iterates."""

from __future__ import annotations

from dataclasses import dataclass

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
    color
        Default colour in maps (hex).
    credits
        The datasets the layer is made from, as their licences ask to be credited; maps,
        exports and the app show ``attribution`` (text) or ``attribution_html`` (links).
    shown
        Whether the live map shows the layer when it opens (context layers start hidden).
    label_fields
        Properties a map label is made from, most important first (places: name, population).
    """

    name: str
    file: str
    title: str
    geometry_types: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    tooltip_fields: tuple[str, ...]
    is_asset: bool = False
    color: str = "#555555"
    credits: tuple[Credit, ...] = ()
    shown: bool = True
    label_fields: tuple[str, ...] = ()

    @property
    def attribution(self) -> str:
        """Whom to credit for the layer's data, in plain text (maps and exports show it)."""
        return credits.attribution_text(self.credits)

    @property
    def attribution_html(self) -> str:
        """The attribution as escaped HTML with links to the datasets and licences."""
        return credits.attribution_html(self.credits)

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
    color="#2ca02c",
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
    color="#ff7f0e",
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
    credits=(credits.POWERPLANTMATCHING,),
)
COUNTRIES = LayerSpec(
    name="countries",
    file="countries.geojson",
    title="Countries",
    geometry_types=AREA,
    fields=(*schema.COMMON_FIELDS, *schema.COUNTRY_FIELDS),
    tooltip_fields=("name", "iso3"),
    color="#7f7f7f",
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
    credits=(credits.NATURAL_EARTH,),
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
