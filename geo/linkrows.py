"""The impact join's rows as integer codes: code tables, blocks of links, the prepared inputs.

The link builders of ``geo.impact`` (targets and nearby assets) and ``geo.country_links``
(countries through assets, location, borders) exchange blocks of parallel integer arrays
(``Links``); ``assemble`` orders them, drops repeats and labels them into the link table.
Internal to the join: the public names are those of ``geo.impact``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from strikemap.geo import countries as places
from strikemap.geo.rules import (
    BASIS_ORDER,
    CONFIDENCE_ORDER,
    PRECISIONS,
    RELATION_ORDER,
    ImpactRules,
)

LINK_COLUMNS: tuple[str, ...] = (
    "strike_id",
    "asset_id",
    "asset_layer",
    "country",
    "relation",
    "distance_m",
    "confidence",
    "basis",
    "detail",
)
"""Columns of the link table, in order (``docs/ARCHITECTURE.md`` describes each)."""
REL = {name: code for code, name in enumerate(RELATION_ORDER)}
LINK_DTYPES = {
    "strike": np.int32,
    "asset": np.int32,
    "country": np.int16,
    "relation": np.int8,
    "distance": np.float64,
    "confidence": np.int8,
    "basis": np.int8,
}
"""Compact codes: a million strikes' links fit in 21 bytes a row."""
CONF = {name: code for code, name in enumerate(CONFIDENCE_ORDER)}
BASIS = {name: code for code, name in enumerate(BASIS_ORDER)}
NO_BASIS = -1
"""The basis code of links that rest on no asset (location, border)."""


@dataclass(frozen=True)
class Links:
    """A block of links as parallel integer-coded arrays (-1 = empty asset or country)."""

    strike: np.ndarray
    asset: np.ndarray
    country: np.ndarray
    relation: np.ndarray
    distance: np.ndarray
    confidence: np.ndarray
    basis: np.ndarray

    def __post_init__(self) -> None:
        for name, dtype in LINK_DTYPES.items():
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.dtype != dtype:
                object.__setattr__(self, name, np.asarray(value).astype(dtype, copy=False))

    @classmethod
    def empty(cls) -> Links:
        """Return a block without rows."""
        return cls(*(np.empty(0, dtype) for dtype in LINK_DTYPES.values()))

    @classmethod
    def concat(cls, blocks: list[Links]) -> Links:
        """Stack blocks, keeping their order; ``blocks`` is emptied as they are copied.

        Filling preallocated arrays block by block keeps the peak at the result plus one block,
        not twice the rows.
        """
        total = sum(len(b.strike) for b in blocks)
        out = {name: np.empty(total, dtype) for name, dtype in LINK_DTYPES.items()}
        at = 0
        while blocks:
            block = blocks.pop(0)
            n = len(block.strike)
            for name in out:
                out[name][at : at + n] = getattr(block, name)
            at += n
        return cls(**out)

    @staticmethod
    def _fields() -> tuple[str, ...]:
        return ("strike", "asset", "country", "relation", "distance", "confidence", "basis")

    def take(self, rows: np.ndarray) -> Links:
        """Return the rows at positions (or mask) ``rows``."""
        return Links(*(getattr(self, f)[rows] for f in self._fields()))


@dataclass
class Join:
    """Everything the link builders share, prepared once."""

    strikes: pd.DataFrame
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    margin: np.ndarray
    day: np.ndarray
    precision: np.ndarray
    asset_precision: np.ndarray
    assets: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    codes: list[str]
    located: np.ndarray
    coast_m: np.ndarray
    lines: places.CountryLines
    relations: RelationIndex
    rules: ImpactRules


@dataclass
class JoinContext:
    """What every strike's links share, prepared once (``geo.impact.prepare_context``).

    Assets sorted by id, the countries and their codes, relations.csv grouped by asset and the
    rules; the pipeline network's reach is computed on the first ``reach()`` and kept.
    """

    assets: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    codes: list[str]
    polygon_codes: np.ndarray
    asset_precision: np.ndarray
    relations: RelationIndex
    rules: ImpactRules
    _reach: list[Any] = field(default_factory=list, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def reach(self) -> Any:
        """Return ``geo.country_links.network_reach`` of these inputs, computed once."""
        from strikemap.geo.country_links import network_reach  # it builds on this module

        with self._lock:
            if not self._reach:
                self._reach.append(network_reach(self))
            return self._reach[0]


@dataclass(frozen=True)
class RelationIndex:
    """relations.csv rows grouped by asset (CSR arrays), with validity as day numbers."""

    asset: np.ndarray
    country: np.ndarray
    relation: np.ndarray
    valid_from: np.ndarray
    valid_to: np.ndarray
    start: np.ndarray
    count: np.ndarray

    def expand(self, link_asset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(link row, relation row)`` for every relation of every link's asset."""
        with_relations = np.flatnonzero(self.count[link_asset] > 0)  # few assets have any
        assets = link_asset[with_relations]
        count = self.count[assets]
        link = np.repeat(with_relations, count)
        offsets = np.cumsum(count) - count
        row = np.repeat(self.start[assets] - offsets, count) + np.arange(len(link))
        return link, row

    def valid_on(self, row: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Whether relation ``row[k]`` holds on ``day[k]`` (NaN bounds are open)."""
        start, end = self.valid_from[row], self.valid_to[row]
        return (np.isnan(start) | (day >= start)) & (np.isnan(end) | (day <= end))


def radius_table(radii: Mapping[int, float]) -> np.ndarray:
    """Radius per precision code (NaN where the rules give none: links only by name)."""
    table = np.full(len(PRECISIONS), np.nan)
    for code, metres in radii.items():
        table[code] = metres
    return table


def day_numbers(dates: pd.Series) -> np.ndarray:
    """ISO dates as float day numbers (NaN when missing), for vectorised validity checks."""
    parsed = pd.to_datetime(dates.astype(object), format="%Y-%m-%d", errors="coerce")
    days = parsed.to_numpy(dtype="datetime64[D]").astype("int64").astype(float)
    days[parsed.isna().to_numpy()] = np.nan
    return days


def assemble(join: Join, blocks: list[Links]) -> pd.DataFrame:
    """Order rows (strike date, strike id, relation, asset id, country), drop repeats, label.

    Empties ``blocks`` as it goes, so the rows are not held twice.
    """
    ordered = _ordered_unique(blocks, len(join.assets), len(join.codes))
    layers = join.assets["asset_layer"].to_numpy(object)
    layer_names = sorted(set(layers))
    layer_code = np.concatenate([[-1], np.searchsorted(layer_names, layers)]).astype(np.int8)
    n = len(ordered.strike)
    asset, country = ordered.asset, ordered.country
    asset += 1  # in place: codes with 0 for "no asset" / "no country"
    country += 1
    return pd.DataFrame(
        {
            "strike_id": pd.Categorical.from_codes(ordered.strike, _as_index(join.strikes["id"])),
            "asset_id": _with_empty(asset, join.assets["id"]),
            "asset_layer": pd.Categorical.from_codes(layer_code[asset] + 1, ["", *layer_names]),
            "country": _with_empty(country, join.codes),
            "relation": pd.Categorical.from_codes(ordered.relation, RELATION_ORDER),
            "distance_m": ordered.distance,
            "confidence": pd.Categorical.from_codes(ordered.confidence, CONFIDENCE_ORDER),
            "basis": pd.Categorical.from_codes(ordered.basis + 1, ["", *BASIS_ORDER]),
            "detail": pd.Categorical.from_codes(np.zeros(n, np.int8), [""]),
        },
        columns=list(LINK_COLUMNS),
        copy=False,  # the arrays are this table's own: no second copy of every row
    )


def _ordered_unique(blocks: list[Links], n_assets: int, n_countries: int) -> Links:
    """Return the links of ``blocks`` sorted by (strike, relation, asset, country), no repeats.

    The four codes (and the confidence and basis, equal for repeats since both inherit the same
    asset link) are packed block by block into one int64 whose sort gives the order; the codes are
    unpacked from the sorted keys, so only the keys, their order and the distances are ever
    held for all rows at once. ``blocks`` is emptied.
    """
    widths = {
        "relation": len(RELATION_ORDER).bit_length(),
        "asset": int(n_assets + 1).bit_length(),
        "country": int(n_countries + 1).bit_length(),
        "confidence": len(CONFIDENCE_ORDER).bit_length(),
        "basis": int(len(BASIS_ORDER) + 1).bit_length(),
    }
    strike_max = max((int(b.strike.max(initial=0)) for b in blocks), default=0)
    if (strike_max + 1).bit_length() + sum(widths.values()) > 63:
        links = Links.concat(blocks)
        blocks.clear()
        return _ordered_unique_lexsort(links)
    offsets = {"relation": 0, "asset": 1, "country": 1, "confidence": 0, "basis": 1}
    total = sum(len(b.strike) for b in blocks)
    key, distance = np.empty(total, np.int64), np.empty(total)
    at = 0
    while blocks:  # fill preallocated arrays block by block: no second copy of all rows
        block = blocks.pop(0)
        n = len(block.strike)
        part = key[at : at + n]
        part[:] = block.strike
        for name, width in widths.items():
            part <<= width
            part |= getattr(block, name).astype(np.int64) + offsets[name]
        distance[at : at + n] = block.distance
        at += n
        del block, part
    order = np.argsort(key, kind="stable")
    key = key[order]
    shift = widths["confidence"] + widths["basis"]  # repeats differ in neither
    unique = np.concatenate(
        [np.ones(min(1, len(key)), bool), (key[1:] >> shift) != (key[:-1] >> shift)]
    )
    key = key[unique]
    order = order[unique]
    del unique
    distance = distance[order]
    del order
    codes = {}
    for name, width in reversed(widths.items()):
        field = (key & ((1 << width) - 1)) - offsets[name]
        codes[name] = field.astype(LINK_DTYPES[name])
        del field
        key >>= width
    key = key.astype(LINK_DTYPES["strike"])
    return Links(
        key,
        codes["asset"],
        codes["country"],
        codes["relation"],
        distance,
        codes["confidence"],
        codes["basis"],
    )


def _ordered_unique_lexsort(links: Links) -> Links:
    """Fallback of ``_ordered_unique`` for code ranges too wide for one int64 key."""
    order = np.lexsort((links.country, links.asset, links.relation, links.strike))
    taken = links.take(order)
    stacked = np.column_stack([taken.strike, taken.relation, taken.asset, taken.country])
    repeats = (stacked[1:] == stacked[:-1]).all(axis=1)
    return taken.take(np.concatenate([np.ones(min(1, len(order)), bool), ~repeats]))


def _as_index(values: pd.Series) -> pd.Index:
    return pd.Index(values.astype(str).to_numpy(object))


def _with_empty(codes: np.ndarray, names: object) -> pd.Categorical:
    """Categorical of ``names[codes - 1]`` with ``""`` for code 0."""
    categories = pd.Index(np.concatenate([[""], np.asarray(names, dtype=object).astype(str)]))
    return pd.Categorical.from_codes(codes, categories)
