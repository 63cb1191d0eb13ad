"""Strikes in spatially coherent partitions, for a join whose memory is bounded by a partition.

Notes
-----
A strike's links depend only on that strike and on what every strike shares (assets,
relations, countries, the pipeline network: ``geo.impact.prepare_context``), so the link table
of all strikes is the union of the tables of any partition of them. Partitions are cut along a
Hilbert curve over the strikes' extent: neighbours in a partition are neighbours on the ground,
so a partition queries a compact part of the asset index and of the country borders. Text
outputs cut the strikes in the join's order instead (``join_order_partitions``), so that each
partition's rows are a contiguous piece of the output file.

Within a partition, rows come in the join's order (strike date, strike id, relation, asset id,
country). The whole table is the partitions' rows ordered by strike date then strike id, a
stable sort (each strike's rows lie in one partition): ``merge_ordered`` does it.
"""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.geo.impact import JoinContext, link_prepared

HILBERT_ORDER = 16
"""Bits per axis of the Hilbert curve: cells of about 20 m over the Odesa region."""
DEFAULT_PARTITION_STRIKES = 25_000
"""Strikes per partition. Measured on 2e5 synthetic strikes over the shipped assets (7.6 links a
strike, ``detail`` written): a partition of 100,000 strikes adds about 1.0 GB to the peak, one of
25,000 about 0.3 GB, and 10,000 saves little more (docs/SCALING.md)."""


def hilbert_keys(
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    order: int = HILBERT_ORDER,
) -> np.ndarray:
    """Return each point's distance along a Hilbert curve over ``bounds`` (their extent).

    Points outside ``bounds`` are clamped to it; missing coordinates get key 0.
    """
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    n = len(lon)
    if n == 0:
        return np.empty(0, np.int64)
    finite = np.isfinite(lon) & np.isfinite(lat)
    if bounds is None:
        if not finite.any():
            return np.zeros(n, np.int64)
        bounds = (lon[finite].min(), lat[finite].min(), lon[finite].max(), lat[finite].max())
    west, south, east, north = bounds
    side = (1 << order) - 1
    x = _cells(lon, west, east, side)
    y = _cells(lat, south, north, side)
    key = np.zeros(n, np.int64)
    s = 1 << (order - 1)
    while s > 0:
        rx = (x & s) > 0
        ry = (y & s) > 0
        key += np.int64(s) * s * ((3 * rx.astype(np.int64)) ^ ry.astype(np.int64))
        turn = ~ry  # rotate the quadrant so that the curve stays continuous
        flip = turn & rx
        x[flip] = side - x[flip]
        y[flip] = side - y[flip]
        x[turn], y[turn] = y[turn], x[turn].copy()
        s >>= 1
    key[~finite] = 0
    return key


def _cells(values: np.ndarray, low: float, high: float, side: int) -> np.ndarray:
    span = high - low
    scaled = (values - low) / span * side if span > 0 else np.zeros_like(values)
    return np.clip(np.nan_to_num(scaled), 0, side).astype(np.int64)


def spatial_partitions(
    lon: np.ndarray, lat: np.ndarray, *, size: int = DEFAULT_PARTITION_STRIKES
) -> list[np.ndarray]:
    """Return row positions of consecutive runs of ``size`` strikes along the Hilbert curve.

    Each partition's positions are ascending (the rows keep their order within it).
    """
    if size < 1:
        msg = f"partition size {size}: give at least 1 strike per partition"
        raise ValueError(msg)
    order = np.argsort(hilbert_keys(lon, lat), kind="stable")
    n_parts = max(1, -(-len(order) // size))
    return [np.sort(part) for part in np.array_split(order, n_parts) if len(part) or n_parts == 1]


def strike_partitions(
    strikes: gpd.GeoDataFrame, *, size: int = DEFAULT_PARTITION_STRIKES
) -> Iterator[gpd.GeoDataFrame]:
    """Yield the strikes in spatially coherent partitions of at most ``size`` rows."""
    points = np.asarray(strikes.geometry.values)
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    for rows in spatial_partitions(lon, lat, size=size):
        yield strikes.take(rows)


def join_order_partitions(
    strikes: pd.DataFrame, *, size: int = DEFAULT_PARTITION_STRIKES
) -> Iterator[pd.DataFrame]:
    """Yield the strikes in the join's order, in consecutive runs of at most ``size`` rows.

    The order is the join's (``join_order``: strike date, then strike id), so the link table of
    the strikes is the partitions' link tables one after another: each partition's rows are a
    contiguous piece of the whole (the text outputs are written so).
    """
    if size < 1:
        msg = f"partition size {size}: give at least 1 strike per partition"
        raise ValueError(msg)
    order = join_order(strikes["date"].to_numpy(object), strikes["id"].to_numpy(object))
    for start in range(0, max(len(order), 1), size):
        yield strikes.take(order[start : start + size])


def link_partitions(
    strikes: gpd.GeoDataFrame,
    context: JoinContext,
    *,
    size: int = DEFAULT_PARTITION_STRIKES,
) -> Iterator[pd.DataFrame]:
    """Yield the links (no ``detail``) of the strikes, one spatial partition at a time.

    Strike ids must be unique across all partitions (``require_unique_ids``).
    """
    require_unique_ids(strikes["id"])
    for part in strike_partitions(strikes, size=size):
        yield link_prepared(part, context)


def require_unique_ids(ids: pd.Series) -> None:
    """Raise ImpactInputError when a strike id occurs more than once (across partitions)."""
    from strikemap.geo.errors import ImpactInputError

    repeated = ids[ids.duplicated()]
    if len(repeated):
        msg = f"strikes: id {repeated.iloc[0]!r} occurs more than once; strike ids must be unique"
        raise ImpactInputError(msg)


def join_order(dates: np.ndarray, strike_ids: np.ndarray) -> np.ndarray:
    """Return the positions that put rows of partition tables into the join's order.

    ``dates`` and ``strike_ids`` give each row's strike date and id. The sort is stable, so the
    rows of one strike keep their order (relation, asset id, country) from their partition.
    """
    keys = pd.DataFrame(
        {"date": np.asarray(dates, dtype=object), "id": np.asarray(strike_ids, dtype=object)}
    )
    return keys.sort_values(["date", "id"], kind="stable").index.to_numpy()


def merge_ordered(parts: list[pd.DataFrame], strikes: pd.DataFrame) -> pd.DataFrame:
    """Return partition link tables as one table in the join's order (text columns as text).

    ``strikes`` holds (at least) the partitions' strikes, with ``id`` and ``date``.
    """
    table = pd.concat([_plain(p) for p in parts], ignore_index=True)
    ids = table["strike_id"].to_numpy(object)
    date_of = pd.Series(strikes["date"].to_numpy(object), index=strikes["id"].astype(str))
    dates = date_of.reindex(ids).to_numpy(object)
    return table.take(join_order(dates, ids)).reset_index(drop=True)


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with categorical columns as object (partitions' categories differ)."""
    kinds = {c: object for c in table.columns if isinstance(table[c].dtype, pd.CategoricalDtype)}
    return table.astype(kinds)
