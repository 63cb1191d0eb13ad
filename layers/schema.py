"""Property models and vocabularies of the strikemap layers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

FieldKind = Literal["str", "int", "date", "enum", "list", "list_enum", "bool"]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""Feature ids: lowercase slugs such as ``strike-2025-08-06-orlivka``."""

_CYRILLIC_LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэъё"
# fmt: off
_LATIN_SPELLINGS = (
    "a", "b", "v", "h", "g", "d", "e", "ye", "zh", "z", "y", "i", "yi", "y", "k", "l", "m", "n",
    "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "-", "yu", "ya", "y", "e",
    "-", "yo",
)
# fmt: on
_CYRILLIC = {
    c: ("" if latin == "-" else latin)
    for c, latin in zip(_CYRILLIC_LETTERS, _LATIN_SPELLINGS, strict=True)
}
"""Ukrainian/Russian letters in a simple Latin spelling, for ids built from names."""


def slugify(text: str, *, max_length: int = 40) -> str:
    """Return a lowercase ASCII slug (Cyrillic transliterated), '' when nothing is left."""
    lowered = str(text).lower()
    transliterated = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    ascii_text = (
        unicodedata.normalize("NFKD", transliterated).encode("ascii", "ignore").decode("ascii")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:max_length].rstrip("-")


URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
RAW_IP_URL_PATTERN = re.compile(
    r"^https?://(?:[^@/?#\s]*@)?(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])(?::\d+)?(?:[/?#]|$)",
    re.IGNORECASE,
)
"""A URL whose host is a bare IPv4 or IPv6 address: it hides the publisher (usually a mirror)."""
DATASET_SOURCE_PREFIX = "dataset:"
"""A source that is a dataset name rather than a URL, e.g. ``dataset:ACLED (Ukrinform)``."""

GEO_PRECISION_CODES = (0, 1, 2, 3)
GEO_PRECISION_LABELS = {
    0: "the feature itself (surveyed, mapped, seen on imagery)",
    1: "a named town or village, at its coordinates",
    2: "near a town or in part of a district",
    3: "a larger region (district, oblast) or a natural feature",
}

WEAPONS = ("drone", "missile", "combined", "glide_bomb", "artillery", "unknown")
DATE_PRECISIONS = ("day", "week", "month")
STRIKE_STATUSES = ("confirmed", "unconfirmed", "disputed", "context", "candidate")
"""``confirmed``: an official statement or independent reports confirm the strike;
``unconfirmed``: reported (e.g. by one side's media or channels) but not confirmed;
``disputed``: the sources contradict each other on whether it happened or what it hit;
``context``: outside the region or a spill-over effect, hidden by default;
``candidate``: a possible strike from remote sensing (FIRMS), never mixed with confirmed ones."""
REPORTED_STATUSES = ("unconfirmed", "disputed")
"""Statuses of strikes that are shown with the confirmed ones by default, but marked."""
STRIKE_STATUS_LABELS = {
    "confirmed": "confirmed",
    "unconfirmed": "unconfirmed: reported, but not confirmed by an official or independent source",
    "disputed": "disputed: the sources contradict each other",
    "context": "context: outside the region or a spill-over effect",
    "candidate": "candidate: a possible strike from remote sensing, not confirmed",
}

PIPELINE_TYPES = ("gas_transmission", "gas_distribution", "oil", "products")
POWER_LINE_TYPES = ("power_transmission",)
FACILITY_TYPES = (
    "compressor_station",
    "metering_station",
    "gas_distribution_station",
    "interconnection_point",
    "oil_depot",
    "oil_terminal",
    "refinery",
    "port",
    "substation",
    "diplomatic_mission",
)
POWER_PLANT_TYPES = (
    "nuclear_power_plant",
    "coal_power_plant",
    "gas_power_plant",
    "oil_power_plant",
    "hydro_power_plant",
    "wind_farm",
    "solar_farm",
    "bioenergy_power_plant",
    "other_power_plant",
)
"""Power plants by main fuel (from powerplantmatching's ``Fueltype``)."""
SUBSTATION_TYPES = ("substation", "converter_station")
VIOLENCE_TYPES = ("state_based", "non_state", "one_sided")
"""UCDP ``type_of_violence`` 1, 2, 3."""
EVENT_DATE_PRECISIONS = ("day", "week", "month", "year")
"""How well a context event's date is known (UCDP ``date_prec`` 1 / 2 / 3 / 4-5)."""
ASSET_STATUSES = ("operating", "inactive", "damaged", "destroyed", "under_construction", "planned")
FLOW_DIRECTIONS = ("forward", "backward", "both")
ROUTE_ACCURACIES = ("exact", "approximate", "schematic")
RELATIONS_CSV_KINDS = ("owner", "supply_origin", "serves", "transit")

ISO3_PATTERN = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class FieldSpec:
    """One property of a layer.

    Parameters
    ----------
    name
        Property name as written in the GeoJSON.
    kind
        ``str``, ``int``, ``date`` (ISO ``YYYY-MM-DD``), ``enum`` (one of ``vocabulary``),
        ``list`` (list of strings), ``list_enum`` (list of vocabulary values) or ``bool``.
    required
        A missing or empty value is an error.
    vocabulary
        Allowed values for ``enum`` and ``list_enum`` fields.
    description
        What the field means, shown in docs and tooltips.
    """

    name: str
    kind: FieldKind = "str"
    required: bool = False
    vocabulary: tuple[str, ...] | tuple[int, ...] = ()
    description: str = ""


COMMON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "str", True, description="stable, unique lowercase slug"),
    FieldSpec("name", "str", True, description="human-readable name"),
    FieldSpec(
        "sources",
        "list",
        True,
        description="source URLs (or 'dataset:NAME' for rows imported from a dataset)",
    ),
    FieldSpec(
        "geo_precision",
        "int",
        True,
        GEO_PRECISION_CODES,
        "how well the location is known: 0 exact ... 3 region",
    ),
    FieldSpec("location_note", "str", description="why the point is where it is, and doubts"),
    FieldSpec("provenance", "str", description="where the row came from, e.g. research:B-E15"),
)

ASSET_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("operator", "str"),
    FieldSpec("owner_country", "str", description="ISO 3166 alpha-3 of the owner"),
    FieldSpec("status", "enum", False, ASSET_STATUSES),
    FieldSpec("notes", "str"),
)

STRIKE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("date", "date", True, description="ISO date (first night of overnight attacks)"),
    FieldSpec("date_precision", "enum", True, DATE_PRECISIONS),
    FieldSpec("weapon", "enum", True, WEAPONS),
    FieldSpec("weapon_detail", "str"),
    FieldSpec("target_type", "str"),
    FieldSpec("target_ids", "list", description="asset ids named by the sources"),
    FieldSpec("description", "str"),
    FieldSpec("consequences", "str"),
    FieldSpec("admin1", "str"),
    FieldSpec("place", "str"),
    FieldSpec("status", "enum", True, STRIKE_STATUSES),
    FieldSpec("reported_countries", "list", description="ISO3 codes the sources say were affected"),
    FieldSpec("reported_why", "str", description="the sources' words on why those countries"),
)

PIPELINE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("asset_type", "enum", True, PIPELINE_TYPES),
    *ASSET_FIELDS,
    FieldSpec("flow_direction", "enum", True, FLOW_DIRECTIONS),
    FieldSpec("route_accuracy", "enum", True, ROUTE_ACCURACIES),
    FieldSpec("system", "str", description="pipeline system the segment belongs to"),
)

POWER_LINE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("asset_type", "enum", True, POWER_LINE_TYPES),
    *ASSET_FIELDS,
    FieldSpec("voltage_kv", "int"),
    FieldSpec("route_accuracy", "enum", True, ROUTE_ACCURACIES),
    FieldSpec("voltage_class", "str", description="voltage class as mapped, e.g. '110-150 kV'"),
    FieldSpec("circuits", "int", description="number of circuits"),
)

FACILITY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("asset_type", "enum", True, FACILITY_TYPES),
    *ASSET_FIELDS,
)

FUEL_STATION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("brand", "str", True),
    *ASSET_FIELDS,
)

SUBSTATION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("asset_type", "enum", True, SUBSTATION_TYPES),
    *ASSET_FIELDS,
    FieldSpec("voltage_kv", "int", description="highest voltage at the station (kV)"),
    FieldSpec("voltage_class", "str", description="voltage classes at the station"),
)

POWER_PLANT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("asset_type", "enum", True, POWER_PLANT_TYPES),
    *ASSET_FIELDS,
    FieldSpec("fuel", "str", description="fuel as the source names it"),
    FieldSpec("technology", "str"),
    FieldSpec("capacity_mw", "int", description="installed capacity (MW, rounded)"),
    FieldSpec("year_opened", "int", description="year of commissioning"),
)

PLACE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("population", "int", description="population as GeoNames gives it"),
    FieldSpec("country", "str", description="ISO 3166 alpha-3 of the country"),
    FieldSpec("admin1_code", "str", description="GeoNames first-level division code"),
    FieldSpec("geonames_id", "int", description="GeoNames id"),
)

REGION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("iso3", "str", True, description="ISO 3166 alpha-3 of the country, de jure"),
    FieldSpec("country", "str", description="country name, de jure"),
    FieldSpec("name_local", "str", description="the region's own name (GeoNames spelling)"),
    FieldSpec("notes", "str", description="status notes, e.g. occupied or disputed"),
)

CONFLICT_EVENT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("date", "date", True, description="first day of the event"),
    FieldSpec("date_end", "date", description="last day of the event"),
    FieldSpec("date_precision", "enum", True, EVENT_DATE_PRECISIONS),
    FieldSpec("violence_type", "enum", True, VIOLENCE_TYPES),
    FieldSpec("conflict_name", "str"),
    FieldSpec("side_a", "str"),
    FieldSpec("side_b", "str"),
    FieldSpec("deaths_best", "int", description="best estimate of deaths"),
    FieldSpec("deaths_civilians", "int"),
    FieldSpec("admin1", "str"),
    FieldSpec("where_description", "str", description="the source's words on where"),
    FieldSpec("source_headline", "str", description="headlines of the reports"),
)

COUNTRY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("iso3", "str", True, description="ISO 3166 alpha-3"),
)

RELATION_COLUMNS: tuple[str, ...] = (
    "asset_id",
    "country",
    "relation",
    "valid_from",
    "valid_to",
    "note",
    "source",
)
REQUIRED_RELATION_COLUMNS: tuple[str, ...] = ("asset_id", "country", "relation", "source")


@dataclass(frozen=True)
class TableSchema:
    """Columns of a CSV table that travels with the layers."""

    file: str
    columns: tuple[str, ...]
    required: tuple[str, ...] = field(default_factory=tuple)


RELATIONS_TABLE = TableSchema("relations.csv", RELATION_COLUMNS, REQUIRED_RELATION_COLUMNS)
COUNTRY_CODES_TABLE = TableSchema("country_codes.csv", ("iso3", "name"), ("iso3", "name"))
"""ISO3 codes and names of countries outside the countries layer (``data/country_codes.csv``)."""
