"""Declarative styles shared by the interactive (folium) and static (matplotlib) maps.

Layer colours, per-type colours and markers live in the catalogue (``layers.catalog``); this
module holds what is not a layer's (strike colours by weapon or age, the sea, links,
highlights) and reads the rest from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from strikemap.layers.catalog import ASSET_LAYERS, COUNTRIES, LayerSpec
from strikemap.layers.schema import WEAPONS

WEAPON_COLORS: dict[str, str] = {
    "drone": "#d62728",
    "missile": "#7b2d8b",
    "combined": "#e377c2",
    "glide_bomb": "#8c564b",
    "artillery": "#bcbd22",
    "unknown": "#7f7f7f",
}

COUNTRY_EDGE_COLOR = COUNTRIES.color
COUNTRY_FILL_COLOR = "#f4f1ea"
SEA_COLOR = "#dbe9f4"
LINK_COLOR = "#ff4500"
HIGHLIGHT_COLOR = "#ffd700"

AGE_BINS_DAYS: tuple[int, ...] = (30, 180, 365)
"""Strike age classes (days before the view's end date): <30, <180, <365, older."""
AGE_COLORS: tuple[str, ...] = ("#b10026", "#fc4e2a", "#feb24c", "#ffeda0")
AGE_LABELS: tuple[str, ...] = ("under 30 days", "30-180 days", "180-365 days", "over a year")

PRECISION_OPACITY: dict[int, float] = {0: 0.95, 1: 0.85, 2: 0.6, 3: 0.4}
"""Fill opacity of strike markers: the vaguer the location, the fainter the dot."""

if set(WEAPON_COLORS) != set(WEAPONS):  # pragma: no cover - guards the vocabularies
    raise RuntimeError("WEAPON_COLORS must cover layers.schema.WEAPONS")


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend: a label, a colour and the kind of symbol."""

    label: str
    color: str
    symbol: str  # "point", "line" or "area"


def weapon_colors(weapons: pd.Series) -> np.ndarray:
    """Return the colour of each strike by weapon (unknown values get the 'unknown' colour)."""
    return weapons.map(WEAPON_COLORS).fillna(WEAPON_COLORS["unknown"]).to_numpy()


def age_colors(dates: pd.Series, *, reference: pd.Timestamp) -> np.ndarray:
    """Return the colour of each strike by its age in days before ``reference``."""
    age_days = (reference - pd.to_datetime(dates)).dt.days.to_numpy()
    classes = np.digitize(age_days, AGE_BINS_DAYS)
    return np.asarray(AGE_COLORS, dtype=object)[classes]


def strike_legend(color_by: str) -> list[LegendEntry]:
    """Legend rows for strikes coloured ``by="weapon"`` or ``by="age"``."""
    if color_by == "weapon":
        return [LegendEntry(w.replace("_", " "), c, "point") for w, c in WEAPON_COLORS.items()]
    if color_by == "age":
        return [
            LegendEntry(f"strike, {lab}", c, "point")
            for lab, c in zip(AGE_LABELS, AGE_COLORS, strict=True)
        ]
    msg = f"color_by must be 'weapon' or 'age', got {color_by!r}"
    raise ValueError(msg)


def feature_colors(frame: gpd.GeoDataFrame, spec: LayerSpec) -> np.ndarray:
    """Return each feature's colour in a catalogue layer (by ``asset_type`` when it has one)."""
    if "asset_type" not in frame.columns or not spec.type_colors:
        return np.full(len(frame), spec.color, dtype=object)
    return frame["asset_type"].map(dict(spec.type_colors)).fillna(spec.color).to_numpy(object)


def asset_types_present(frame: gpd.GeoDataFrame | None, spec: LayerSpec) -> list[str]:
    """Return the asset types of ``frame``, in the catalogue's order.

    A layer without an ``asset_type`` column gives its own name (one legend row).
    """
    if frame is None or frame.empty:
        return []
    if "asset_type" not in frame.columns:
        return [spec.name]
    present = set(frame["asset_type"].dropna().astype(str))
    ordered = [t for t in spec.type_colors if t in present]
    return ordered + sorted(present - set(ordered))


def asset_legend(layers: Mapping[str, gpd.GeoDataFrame]) -> list[LegendEntry]:
    """Legend rows for the asset layers and types present in ``layers``, in catalogue order."""
    rows = []
    for spec in ASSET_LAYERS:
        symbol = "line" if "LineString" in spec.geometry_types else "point"
        for asset_type in asset_types_present(layers.get(spec.name), spec):
            label = spec.legend_text(asset_type)
            rows.append(LegendEntry(label, spec.color_of(asset_type), symbol))
    return rows
