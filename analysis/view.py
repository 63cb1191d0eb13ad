"""The view: which strikes and links are shown. One object for the app, the CLI and exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from strikemap.geo.rules import CONFIDENCE_ORDER
from strikemap.layers.schema import (
    GEO_PRECISION_CODES,
    REPORTED_STATUSES,
    STRIKE_STATUSES,
    WEAPONS,
)

CONFIDENCE_LEVELS: tuple[str, ...] = tuple(reversed(CONFIDENCE_ORDER))
"""Confidence levels from weakest to strongest (a minimum-confidence slider's order)."""
COLOR_BY: tuple[str, ...] = ("weapon", "age")

Bbox = tuple[float, float, float, float]


class ViewError(ValueError):
    """A view parameter is out of range or of the wrong form."""


@dataclass(frozen=True)
class View:
    """What is shown: time window, filters and extent.

    Empty tuples mean "no filter". Link-level filters (``countries``, ``asset_types``,
    ``relations``, ``min_confidence``) keep the strikes that have at least one matching link.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    weapons: tuple[str, ...] = ()
    precisions: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    asset_types: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    min_confidence: str = "low"
    include_reported: bool = True
    include_context: bool = False
    include_candidates: bool = False
    bbox: Bbox | None = None
    color_by: str = "weapon"
    selected: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise ViewError naming the first parameter that is out of range."""
        if self.date_from and self.date_to and self.date_from > self.date_to:
            msg = f"date_from {self.date_from} is after date_to {self.date_to}; swap them"
            raise ViewError(msg)
        _check_subset("weapons", self.weapons, WEAPONS)
        _check_subset("precisions", self.precisions, GEO_PRECISION_CODES)
        if self.min_confidence not in CONFIDENCE_LEVELS:
            msg = f"min_confidence must be one of {CONFIDENCE_LEVELS}, got {self.min_confidence!r}"
            raise ViewError(msg)
        if self.color_by not in COLOR_BY:
            msg = f"color_by must be one of {COLOR_BY}, got {self.color_by!r}"
            raise ViewError(msg)
        if self.bbox is not None:
            check_bbox(self.bbox)

    @property
    def statuses(self) -> tuple[str, ...]:
        """Strike statuses shown: confirmed, reported, and context or candidates when asked.

        Unconfirmed and disputed strikes are shown by default (marked as such in popups, tables
        and captions): hiding them would quietly take one side of the sources' disagreement.
        """
        keep = {"confirmed"}
        if self.include_reported:
            keep.update(REPORTED_STATUSES)
        if self.include_context:
            keep.add("context")
        if self.include_candidates:
            keep.add("candidate")
        return tuple(s for s in STRIKE_STATUSES if s in keep)

    def with_(self, **changes: object) -> View:
        """Return a copy with ``changes`` applied (and checked)."""
        return replace(self, **changes)


def _check_subset(name: str, values: tuple[object, ...], allowed: tuple[object, ...]) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        msg = f"{name}: unknown value(s) {unknown}; allowed: {', '.join(map(str, allowed))}"
        raise ViewError(msg)


def check_bbox(bbox: Bbox) -> None:
    """Raise ViewError unless ``bbox`` is a west, south, east, north box in degrees."""
    if len(bbox) != 4:
        msg = f"bbox needs 4 numbers W,S,E,N; got {len(bbox)}"
        raise ViewError(msg)
    west, south, east, north = bbox
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        msg = (
            f"bbox {bbox} is not W,S,E,N in degrees with W < E and S < N "
            "(e.g. 28,45,31,47 for the Odesa region)"
        )
        raise ViewError(msg)


def parse_bbox(text: str) -> Bbox:
    """Parse ``"W,S,E,N"`` into a checked bbox tuple."""
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        msg = f"bbox {text!r} is not four comma-separated numbers W,S,E,N"
        raise ViewError(msg) from None
    check_bbox(parts)  # type: ignore[arg-type]
    return parts  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# Applying a view


def filter_strikes(strikes: gpd.GeoDataFrame, view: View) -> gpd.GeoDataFrame:
    """Keep the strikes passing the strike filters (status, dates, weapon, precision, bbox)."""
    keep = strikes["status"].isin(view.statuses).to_numpy()
    dates = pd.to_datetime(strikes["date"], errors="coerce")
    if view.date_from is not None:
        keep = keep & (dates >= pd.Timestamp(view.date_from)).to_numpy()
    if view.date_to is not None:
        keep = keep & (dates <= pd.Timestamp(view.date_to)).to_numpy()
    if view.weapons:
        keep = keep & strikes["weapon"].isin(view.weapons).to_numpy()
    if view.precisions:
        keep = keep & strikes["geo_precision"].isin(view.precisions).to_numpy()
    if view.bbox is not None:
        west, south, east, north = view.bbox
        x, y = strikes.geometry.x.to_numpy(), strikes.geometry.y.to_numpy()
        keep = keep & (x >= west) & (x <= east) & (y >= south) & (y <= north)
    return strikes[keep]


def filter_links(links: pd.DataFrame, view: View) -> pd.DataFrame:
    """Keep the link rows of the view's relations and at least its minimum confidence."""
    rank = {level: i for i, level in enumerate(CONFIDENCE_LEVELS)}
    keep = links["confidence"].map(rank).fillna(-1).to_numpy() >= rank[view.min_confidence]
    if view.relations:
        keep = keep & links["relation"].isin(view.relations).to_numpy()
    return links[keep]


def strikes_touching(
    links: pd.DataFrame, view: View, *, asset_types: Mapping[str, str] | None = None
) -> pd.Index:
    """Return the ids of strikes with a link to one of the view's countries or asset types.

    Parameters
    ----------
    links
        The impact table (``strike_id, asset_id, country, relation, confidence, ...``).
    view
        The view; both filters empty means every strike of ``links``.
    asset_types
        ``{asset id: asset_type}``, needed when ``view.asset_types`` is set.
    """
    keep = np.ones(len(links), dtype=bool)
    if view.countries:
        keep = keep & links["country"].isin(view.countries).to_numpy()
    if view.asset_types:
        types = links["asset_id"].map(asset_types or {})
        keep = keep & types.isin(view.asset_types).to_numpy()
    return pd.Index(links.loc[keep, "strike_id"].unique())


def apply_view(
    strikes: gpd.GeoDataFrame,
    links: pd.DataFrame,
    view: View,
    *,
    asset_types: Mapping[str, str] | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the strikes and links the view shows.

    1. Strike filters (status, dates, weapon, precision, extent) choose the strikes.
    2. Relation and minimum-confidence filters choose link rows; with either set, strikes
       without a remaining row drop out.
    3. Country and asset-type filters keep the strikes linked to one of those countries or asset
       types, with all their remaining rows, so that the chain through the asset stays whole
       (a strike linked to Azerbaijan keeps its target row too).
    """
    shown = filter_strikes(strikes, view)
    shown_links = filter_links(links[links["strike_id"].isin(shown["id"]).to_numpy()], view)
    if view.relations or view.min_confidence != "low":
        shown = shown[shown["id"].isin(shown_links["strike_id"]).to_numpy()]
    if view.countries or view.asset_types:
        touching = strikes_touching(shown_links, view, asset_types=asset_types)
        shown = shown[shown["id"].isin(touching).to_numpy()]
        shown_links = shown_links[shown_links["strike_id"].isin(touching).to_numpy()]
    return shown, shown_links


# --------------------------------------------------------------------------------------------
# URL query parameters


_LIST_FIELDS = ("weapons", "precisions", "countries", "asset_types", "relations")
_BOOL_FIELDS = ("include_reported", "include_context", "include_candidates")


def view_to_query(view: View) -> dict[str, str]:
    """Encode the non-default parts of a view as URL query parameters (strings)."""
    default = View()
    params: dict[str, str] = {}
    for f in fields(View):
        value = getattr(view, f.name)
        if f.name == "extra" or value == getattr(default, f.name):
            continue
        if f.name in _LIST_FIELDS:
            params[f.name] = ",".join(map(str, value))
        elif f.name in _BOOL_FIELDS:
            params[f.name] = "1" if value else "0"
        elif f.name == "bbox":
            params[f.name] = ",".join(f"{v:.4f}" for v in value)
        elif isinstance(value, dt.date):
            params[f.name] = value.isoformat()
        else:
            params[f.name] = str(value)
    return params


def view_from_query(params: Mapping[str, str]) -> tuple[View, list[str]]:
    """Decode URL query parameters into a view; bad values are dropped with a notice each.

    Returns
    -------
    tuple
        The view, and a list of human-readable notices for ignored parameters.
    """
    notices: list[str] = []
    view = View()
    known = {f.name for f in fields(View)} - {"extra"}
    for name, raw in params.items():
        if name not in known:
            continue
        try:
            view = view.with_(**{name: _decode(name, str(raw))})
        except (ValueError, TypeError) as exc:
            notices.append(f"Ignored URL parameter {name}={raw!r}: {exc}")
    return view, notices


def _decode(name: str, raw: str) -> object:
    if name in ("date_from", "date_to"):
        return dt.date.fromisoformat(raw)
    if name == "precisions":
        return tuple(int(p) for p in raw.split(",") if p)
    if name in _LIST_FIELDS:
        return tuple(p for p in raw.split(",") if p)
    if name in _BOOL_FIELDS:
        if raw not in ("0", "1", "true", "false"):
            msg = "expected 0 or 1"
            raise ViewError(msg)
        return raw in ("1", "true")
    if name == "bbox":
        return parse_bbox(raw)
    return raw


def strikes_extent(strikes: gpd.GeoDataFrame, *, pad_deg: float = 0.2) -> Bbox | None:
    """Return the padded W,S,E,N box around the strikes, or None when there are none."""
    if strikes.empty:
        return None
    west, south, east, north = strikes.total_bounds
    return (
        float(np.clip(west - pad_deg, -180, 180)),
        float(np.clip(south - pad_deg, -90, 90)),
        float(np.clip(east + pad_deg, -180, 180)),
        float(np.clip(north + pad_deg, -90, 90)),
    )
