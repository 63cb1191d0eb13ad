"""The words of the impact sentences: distances, commodities, periods and precision phrases.

Shared by the link sentences (``geo.detail``), the grouped chain (``geo.chain``), the map's
popups and the country reports, so every front quotes a distance or a period the same way.
"""

from __future__ import annotations

import math

import numpy as np

from strikemap.geo.countries import TERRITORIAL_SEA_M

GAS_TYPES = frozenset(
    {
        "gas_transmission",
        "gas_distribution",
        "compressor_station",
        "metering_station",
        "gas_distribution_station",
        "interconnection_point",
    }
)
OIL_TYPES = frozenset({"oil", "oil_depot", "oil_terminal", "refinery"})
FUEL_TYPES = frozenset({"products", "fuel_station"})
KNOWN_TO = {1: "the town", 2: "part of a district", 3: "the district or oblast"}
"""How far an asset's location is known, by ``geo_precision`` (DESIGN section 3)."""
ASSET_STANDS = {
    1: "at the town's coordinates",
    2: "at a point for part of a district",
    3: "at a point for a whole district or oblast",
}
"""Where an asset known only to a place is drawn, by ``geo_precision``."""
STRIKE_KNOWN_TO = {
    0: "the site itself",
    1: "a town or village",
    2: "the area of a town or part of a district",
    3: "a district or oblast",
}
"""How far a strike's location is known, by ``geo_precision``."""
BASIS_WORDS = {
    "named": "named by sources as the target",
    "hit_radius": "a target within the hit radius",
    "threat_radius": "nearby",
    "context": "nearby, context only",
}
"""How a country row names the asset link it rests on (``geo.rules.BASIS_ORDER``)."""
RELATION_WORDS = {
    "owner": "owner",
    "serves": "served by it",
    "transit": "transit",
}
"""Phrases of country relations; ``supply_origin`` and ``downstream`` are built from the data."""


def format_distance(metres: float) -> str:
    """Return ``"80 m"``, ``"0.4 km"``, ``"12 km"``: precise enough to quote, no more."""
    if not math.isfinite(metres):
        return "an unknown distance"
    if metres < 100:
        return f"{round(metres / 10) * 10:.0f} m"
    if metres < 10_000:
        return f"{metres / 1000:.1f} km"
    return f"{metres / 1000:.0f} km"


SEA_TEXT = format_distance(TERRITORIAL_SEA_M)
"""The territorial sea's breadth as the sentences give it."""


def format_distances(metres: np.ndarray) -> np.ndarray:
    """Return ``format_distance`` of every value, formatting each distinct text once."""
    metres = np.asarray(metres, dtype=float)
    finite = np.isfinite(metres)
    safe = np.where(finite, metres, 0.0)
    # the value each text shows: 10 m steps below 100 m, 0.1 km below 10 km, then whole km
    shown = np.where(
        safe < 100,
        np.round(safe / 10) * 10,
        np.where(safe < 10_000, np.round(safe, -2), np.round(safe, -3)),
    )
    shown = np.where(finite, shown, np.nan)
    values, inverse = np.unique(shown, return_inverse=True)
    texts = np.array([format_distance(v) for v in values], dtype=object)
    return texts[inverse.reshape(-1)] if len(metres) else np.empty(0, dtype=object)


def commodity(asset_type: object) -> str:
    """Return what an asset of ``asset_type`` carries: gas, oil, fuel or supplies."""
    if asset_type in GAS_TYPES:
        return "gas"
    if asset_type in OIL_TYPES:
        return "oil"
    if asset_type in FUEL_TYPES:
        return "fuel"
    return "supplies"


def validity(valid_from: object, valid_to: object) -> str:
    """Return ``"since 2025-07-28"``, ``"from 2022-01-01 to 2024-12-31"``, ``"until ..."`` or ""."""
    start = valid_from if isinstance(valid_from, str) and valid_from else ""
    end = valid_to if isinstance(valid_to, str) and valid_to else ""
    if start and end:
        return f"from {start} to {end}"
    if start:
        return f"since {start}"
    if end:
        return f"until {end}"
    return ""
