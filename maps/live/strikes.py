"""The strikes of a view as a compact payload for the browser (``runtime.js`` draws them).

Columns travel as base64 typed arrays (positions as float32, days as uint16, colour class and
precision as uint8): about 16 bytes a strike, so 100,000 strikes are 1.6 MB. Names and popups
are added only for smaller views. A click reports ``[s:TOKEN:INDEX]`` (``strike_ref``): the
strike's row in this payload, valid while the token is.
"""

from __future__ import annotations

import base64
import hashlib
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.analysis.view import View
from strikemap.layers.catalog import REGION_BOUNDS, STRIKES
from strikemap.layers.schema import WEAPONS
from strikemap.maps import popups, style
from strikemap.maps.live.config import (
    MARKER_LIMIT,
    NAMES_LIMIT,
    POPUP_LIMIT,
    STRIKE_MODES,
    StrikeMode,
)
from strikemap.maps.live.layers import outline_geometry

REF_PATTERN = re.compile(r"\[s:([0-9a-f]+):(\d+)\]")
"""How a clicked strike names itself in the tooltip text the map reports."""
REGION_PRECISION = 3
"""Strikes located only to a region (``geo_precision`` 3) are drawn as the region's outline."""
PRECISION_WORDS = {0: "exact site", 1: "town", 2: "near a town", 3: "region"}
"""``geo_precision`` in a word or two (tooltips, legend)."""


def resolve_strike_mode(mode: StrikeMode, count: int, *, marker_limit: int = MARKER_LIMIT) -> str:
    """Return the drawing mode for ``count`` strikes (``auto`` picks markers or cluster)."""
    if mode not in STRIKE_MODES:
        msg = f"strike_mode must be one of {STRIKE_MODES}, got {mode!r}"
        raise ValueError(msg)
    if mode == "auto":
        return "markers" if count <= marker_limit else "cluster"
    return mode


def strike_classes(strikes: pd.DataFrame, view: View) -> tuple[np.ndarray, list[str], list[str]]:
    """Return each strike's colour class, the palette and the class labels (escaped).

    Classes are weapons (``view.color_by == "weapon"``) or age classes before the view's end.
    """
    if view.color_by == "age":
        reference = pd.Timestamp(view.date_to) if view.date_to else pd.Timestamp.today()
        age = (reference.normalize() - pd.to_datetime(strikes["date"], errors="coerce")).dt.days
        classes = np.digitize(age.fillna(0).to_numpy(), style.AGE_BINS_DAYS)
        labels = list(style.AGE_LABELS)
        return classes.astype(np.uint8), list(style.AGE_COLORS), [popups.text(x) for x in labels]
    order = {weapon: i for i, weapon in enumerate(WEAPONS)}
    codes = strikes["weapon"].map(order).fillna(order["unknown"]).to_numpy().astype(np.uint8)
    palette = [style.WEAPON_COLORS[w] for w in WEAPONS]
    return codes, palette, [popups.text(w.replace("_", " ")) for w in WEAPONS]


def strikes_token(strikes: pd.DataFrame, *, mode: str, view: View) -> str:
    """Return a short digest of the strikes in order and how they are drawn."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update("\x1f".join(strikes["id"].astype(str)).encode())
    digest.update(f"{mode}|{view.color_by}|{view.date_from}|{view.date_to}".encode())
    return digest.hexdigest()[:12]


def strikes_payload(
    strikes: gpd.GeoDataFrame,
    view: View,
    *,
    mode: str,
    regions: gpd.GeoDataFrame | None = None,
    names_limit: int = NAMES_LIMIT,
    popup_limit: int = POPUP_LIMIT,
) -> dict[str, object]:
    """Return what the browser needs to draw ``strikes`` (already ordered by date).

    Parameters
    ----------
    strikes
        The strikes the view shows, oldest first (``Analysis.strikes``).
    view
        Colouring (``color_by``) and the time window (``date_from``, ``date_to``).
    mode
        ``markers``, ``cluster`` or ``heatmap`` (``resolve_strike_mode``).
    regions
        The regions layer (``name``, polygons), if the data has one: precision-3 strikes inside
        a region are drawn as its outline.
    names_limit, popup_limit
        Up to these many strikes, tooltips carry names and markers their popups.
    """
    n = len(strikes)
    dates = pd.to_datetime(strikes["date"], errors="coerce")
    first = pd.Timestamp(view.date_from) if view.date_from else dates.min()
    last = pd.Timestamp(view.date_to) if view.date_to else dates.max()
    first = first if pd.notna(first) else pd.Timestamp("2000-01-01")
    last = last if pd.notna(last) else first
    days = (dates - first).dt.days.fillna(0).clip(0, 65_535).to_numpy().astype(np.uint16)
    classes, palette, labels = strike_classes(strikes, view)
    precision = pd.to_numeric(strikes["geo_precision"], errors="coerce").fillna(3)
    xy = shapely.get_coordinates(strikes.geometry.values) if n else np.empty((0, 2))
    payload: dict[str, object] = {
        "token": strikes_token(strikes, mode=mode, view=view),
        "n": n,
        "mode": mode,
        "day0": first.strftime("%Y-%m-%d"),
        "days": int(max((last - first).days, 0)),
        "lat": _b64(xy[:, 1].astype(np.float32)),
        "lon": _b64(xy[:, 0].astype(np.float32)),
        "day": _b64(days),
        "cls": _b64(classes),
        "prec": _b64(precision.clip(0, 3).to_numpy().astype(np.uint8)),
        "palette": palette,
        "classes": labels,
        "precisions": [style.PRECISION_OPACITY[p] for p in sorted(style.PRECISION_OPACITY)],
        "attribution": popups.text(STRIKES.attribution),
        "names": [popups.text(v) for v in strikes["name"]] if n <= names_limit else None,
        "popups": None,
        "regions": [],
    }
    if mode != "heatmap" and n <= popup_limit:
        payload["popups"] = [popups.strike_popup(r) for r in strikes.to_dict(orient="records")]
    if mode != "heatmap" and regions is not None and not regions.empty:
        members, outlines = region_members(strikes, regions)
        payload["region"] = _b64(members)
        payload["regions"] = outlines
    return payload


def region_members(
    strikes: gpd.GeoDataFrame, regions: gpd.GeoDataFrame
) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Return each strike's region outline (index, -1 for none) and the outlines drawn.

    Only precision-3 strikes take a region: the one their point lies in (the point is the
    region's stand-in). Outlines are ``{"name", "geometry", "members"}``, members being
    positions in ``strikes``.
    """
    members = np.full(len(strikes), -1, dtype=np.int32)
    vague = np.flatnonzero(
        pd.to_numeric(strikes["geo_precision"], errors="coerce").eq(REGION_PRECISION).to_numpy()
    )
    if not len(vague):
        return members, []
    points = strikes.geometry.values[vague]
    hit_point, hit_region = shapely.STRtree(regions.geometry.values).query(
        points, predicate="within"
    )
    if not len(hit_point):
        return members, []
    first_point, where = np.unique(hit_point, return_index=True)
    region_of = hit_region[where]
    used, slot = np.unique(region_of, return_inverse=True)
    members[vague[first_point]] = slot
    chosen = regions.iloc[used]
    outlines = outline_geometry(chosen)
    names = [popups.text(n) for n in chosen["name"]]
    return members, [
        {
            "name": name,
            "geometry": shapely.geometry.mapping(shape),
            "members": np.flatnonzero(members == k).tolist(),
        }
        for k, (name, shape) in enumerate(zip(names, outlines, strict=True))
    ]


def strike_ref(tooltip: str) -> tuple[str, int] | None:
    """Return ``(token, index)`` named by a clicked strike's tooltip text, or None."""
    found = REF_PATTERN.search(tooltip or "")
    return (found.group(1), int(found.group(2))) if found else None


def precision_labels() -> list[str]:
    """Return the escaped words for location precision 0-3 (tooltips)."""
    return [popups.text(PRECISION_WORDS[p]) for p in sorted(PRECISION_WORDS)]


def _b64(values: np.ndarray) -> str:
    """Return the array's bytes (little-endian, as typed arrays read them) in base64."""
    little = np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<"))
    return base64.b64encode(little.tobytes()).decode("ascii")


def default_extent(strikes: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """Return W, S, E, N of the strikes, or of the region the layers cover when there are none."""
    if strikes.empty:
        return REGION_BOUNDS
    west, south, east, north = strikes.total_bounds
    return float(west), float(south), float(east), float(north)
