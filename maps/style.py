"""Declarative styles shared by the interactive (folium) and static (matplotlib) maps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from strikemap.layers.schema import FACILITY_TYPES, PIPELINE_TYPES, WEAPONS

WEAPON_COLORS: dict[str, str] = {
    "drone": "#d62728",
    "missile": "#7b2d8b",
    "combined": "#e377c2",
    "glide_bomb": "#8c564b",
    "artillery": "#bcbd22",
    "unknown": "#7f7f7f",
}

PIPELINE_COLORS: dict[str, str] = {
    "gas_transmission": "#1f77b4",
    "gas_distribution": "#6baed6",
    "oil": "#3b3b3b",
    "products": "#8c6d31",
}
POWER_LINE_COLOR = "#9467bd"

FACILITY_COLORS: dict[str, str] = {
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
}
FACILITY_MARKERS: dict[str, str] = {
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
}
FUEL_STATION_COLOR = "#ff7f0e"
COUNTRY_EDGE_COLOR = "#8a8a8a"
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
if set(PIPELINE_COLORS) != set(PIPELINE_TYPES) or set(FACILITY_COLORS) != set(FACILITY_TYPES):
    raise RuntimeError("style tables must cover the asset vocabularies")  # pragma: no cover


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


def asset_legend() -> list[LegendEntry]:
    """Legend rows for pipelines, power lines, facilities and fuel stations."""
    rows = [
        LegendEntry(f"{t.replace('_', ' ')} pipeline", c, "line")
        for t, c in PIPELINE_COLORS.items()
    ]
    rows.append(LegendEntry("power line", POWER_LINE_COLOR, "line"))
    rows += [LegendEntry(t.replace("_", " "), c, "point") for t, c in FACILITY_COLORS.items()]
    rows.append(LegendEntry("fuel station", FUEL_STATION_COLOR, "point"))
    return rows
