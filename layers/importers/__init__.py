"""Importers: outside formats -> incoming layer rows.

Strikes and events: ACLED CSV, NASA FIRMS CSV, UCDP GED (context). Assets: OpenStreetMap,
Global Energy Monitor pipelines, GridKit (ENTSO-E map) lines and substations,
powerplantmatching plants, PyPSA-Eur refineries, the World Port Index. Map context: GeoNames
places.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from strikemap.layers.importers.acled import parse_acled
from strikemap.layers.importers.common import ImportFileError, ParsedImport, Progress, Rejected
from strikemap.layers.importers.firms import parse_firms
from strikemap.layers.importers.gem import parse_gem
from strikemap.layers.importers.geonames import parse_geonames
from strikemap.layers.importers.gridkit import parse_gridkit
from strikemap.layers.importers.osm import parse_osm
from strikemap.layers.importers.powerplants import parse_powerplants
from strikemap.layers.importers.refineries import parse_refineries
from strikemap.layers.importers.ucdp import parse_ucdp
from strikemap.layers.importers.wpi import parse_wpi

IMPORTERS: dict[str, Callable[..., ParsedImport]] = {
    "acled": parse_acled,
    "osm": parse_osm,
    "firms": parse_firms,
    "gem": parse_gem,
    "gridkit": parse_gridkit,
    "powerplants": parse_powerplants,
    "refineries": parse_refineries,
    "wpi": parse_wpi,
    "geonames": parse_geonames,
    "ucdp": parse_ucdp,
}
"""Import kind (the CLI's ``strikemap import KIND``) -> parser."""


def importer_options(kind: str) -> tuple[str, ...]:
    """Return the keyword options the importer of ``kind`` takes (besides ``progress``)."""
    parameters = inspect.signature(IMPORTERS[kind]).parameters.values()
    return tuple(p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.name != "progress")


__all__ = [
    "IMPORTERS",
    "ImportFileError",
    "ParsedImport",
    "Progress",
    "Rejected",
    "importer_options",
    "parse_acled",
    "parse_firms",
    "parse_gem",
    "parse_geonames",
    "parse_gridkit",
    "parse_osm",
    "parse_powerplants",
    "parse_refineries",
    "parse_ucdp",
    "parse_wpi",
]
