"""The impact join: strikes x assets x relations x countries -> one tidy table, one row per link.

Notes
-----
How the join runs, for a million strikes as for one:

1. Strikes are sorted by date and id; their lon/lat is projected once to ``geo.crs.METRIC_CRS``.
2. A pair's radii come from the coarser of the strike's and the asset's ``geo_precision``
   (an asset at a city centroid is no closer to a strike than the city allows); a precision
   without radii (3 by default) on either side links only through ``target_ids``, and only an
   asset located to the feature itself (precision 0) can be a ``target`` by distance alone.
   Assets go into one STRtree per precision in metric coordinates (cached per geometry set); strikes
   query each with the envelope of their pair threat radius (widened by
   ``geo.crs.search_margin`` for the projection's distortion at the strike),
   in blocks of strikes run on threads; no Python loop per strike or asset.
3. For every candidate pair the asset's nearest point is found in numpy (segments of lines,
   the point itself for points), which drops the pairs beyond the widened radius; the rest
   are unprojected and measured on the ellipsoid (``geo.crs.geodesic_distance_m``); radii are
   compared with that geodesic distance, so the table and the radii agree.
4. Country links (relations valid on the strike's date, ``owner_country``, downstream countries,
   location, borders) are derived from the pair arrays with vectorised joins.
5. All rows are integer codes until the end; one packed int64 key per row gives the order and
   drops repeats, and text columns become categoricals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.geo import countries as places
from strikemap.geo.assets import NETWORK_LINE, NETWORK_NODE
from strikemap.geo.crs import (
    WORKERS,
    geodesic_distance_m,
    lonlat_to_metric,
    require_crs,
    search_margin,
    to_storage,
)
from strikemap.geo.errors import ImpactInputError
from strikemap.geo.network import PipelineNetwork, network_for
from strikemap.geo.rules import (
    BASIS_ORDER,
    BORDER_CONFIDENCE,
    CONFIDENCE_ORDER,
    COUNTRY_RELATIONS,
    DEFAULT_RULES,
    LOCATION_CONFIDENCE,
    PRECISIONS,
    RELATION_ORDER,
    UNCERTAIN_LOCATION_CONFIDENCE,
    ImpactRules,
)
from strikemap.geo.search import AssetIndex, asset_index

log = logging.getLogger(__name__)

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
CANDIDATE_STATUS = "candidate"
VAGUE_PRECISION = PRECISIONS[-1]
"""A strike without a known geo_precision counts as a region stand-in (3). An asset without one
is taken at its mapped geometry (0): the layers require the field, synthetic frames may lack it."""
_REL = {name: code for code, name in enumerate(RELATION_ORDER)}
_LINK_DTYPES = {
    "strike": np.int32,
    "asset": np.int32,
    "country": np.int16,
    "relation": np.int8,
    "distance": np.float64,
    "confidence": np.int8,
    "basis": np.int8,
}
"""Compact codes: a million strikes' links fit in 21 bytes a row."""
_BLOCK_STRIKES = 8_192
"""Strikes per block of the spatial search; blocks run on threads and bound the temporaries."""
_CONF = {name: code for code, name in enumerate(CONFIDENCE_ORDER)}
_BASIS = {name: code for code, name in enumerate(BASIS_ORDER)}
_NO_BASIS = -1


@dataclass(frozen=True)
class _Links:
    """A block of links as parallel integer-coded arrays (-1 = empty asset or country)."""

    strike: np.ndarray
    asset: np.ndarray
    country: np.ndarray
    relation: np.ndarray
    distance: np.ndarray
    confidence: np.ndarray
    basis: np.ndarray

    def __post_init__(self) -> None:
        for name, dtype in _LINK_DTYPES.items():
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.dtype != dtype:
                object.__setattr__(self, name, np.asarray(value).astype(dtype, copy=False))

    @classmethod
    def empty(cls) -> _Links:
        """Return a block without rows."""
        return cls(*(np.empty(0, dtype) for dtype in _LINK_DTYPES.values()))

    @classmethod
    def concat(cls, blocks: list[_Links]) -> _Links:
        """Stack blocks, keeping their order; ``blocks`` is emptied as they are copied.

        Filling preallocated arrays block by block keeps the peak at the result plus one block,
        not twice the rows.
        """
        total = sum(len(b.strike) for b in blocks)
        out = {name: np.empty(total, dtype) for name, dtype in _LINK_DTYPES.items()}
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

    def take(self, rows: np.ndarray) -> _Links:
        """Return the rows at positions (or mask) ``rows``."""
        return _Links(*(getattr(self, f)[rows] for f in self._fields()))


@dataclass
class _Join:
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
    relations: _RelationIndex
    rules: ImpactRules


@dataclass(frozen=True)
class _RelationIndex:
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


def link_strikes(
    strikes: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    relations: pd.DataFrame,
    countries: gpd.GeoDataFrame,
    *,
    rules: ImpactRules = DEFAULT_RULES,
    country_names: Mapping[str, str] | None = None,
    with_detail: bool = True,
) -> pd.DataFrame:
    """Return one row per strike-asset-country link, with the reason in words.

    Parameters
    ----------
    strikes
        The strikes layer (``layers.io.read_layer(STRIKES)``).
    assets
        The asset layers combined by ``geo.assets.combine_assets``.
    relations
        ``relations.csv`` as read by ``layers.io.read_relations``.
    countries
        The countries layer (``iso3``, ``name``, polygons).
    rules
        Radii, relations to follow, network on or off.
    country_names
        ``{ISO3: name}`` for countries missing from ``countries`` (e.g. from
        ``data/country_codes.csv``); unknown codes are shown as codes.
    with_detail
        Fill ``detail`` now. Large joins may pass ``False`` and ask ``geo.detail.LinkExplainer``
        for the sentences of the rows they show or export.

    Returns
    -------
    pandas.DataFrame
        Columns ``LINK_COLUMNS``; ``asset_id`` and ``asset_layer`` are ``""`` for direct
        country links and ``country`` is ``""`` for asset links. Text columns are categorical.
        Rows are ordered by strike date, strike id, relation (``RELATION_ORDER``), asset id and
        country, without duplicates.

    Raises
    ------
    CRSError
        When a frame has no CRS or the frames' CRSs differ.
    ImpactInputError
        When strike ids repeat.
    """
    require_crs({"strikes": strikes, "assets": assets, "countries": countries})
    table = _link(strikes, assets, relations, countries, rules)
    if with_detail and len(table):
        from strikemap.geo.detail import LinkExplainer

        explainer = LinkExplainer(
            strikes, assets, relations, countries, rules=rules, country_names=country_names
        )
        table["detail"] = explainer.describe(table).to_numpy()
    return table


def _link(
    strikes: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    relations: pd.DataFrame,
    countries: gpd.GeoDataFrame,
    rules: ImpactRules,
) -> pd.DataFrame:
    """Build the link table without ``detail`` (see ``link_strikes``)."""
    join = _prepare(strikes, assets, relations, countries, rules)
    # what needs no asset links (the network's reach, borders) runs beside the search: the
    # network is mostly Python, the search mostly GEOS and numpy, which release the GIL
    with ThreadPoolExecutor(2) as pool:
        reach = pool.submit(_network_reach, join)
        borders = pool.submit(_near_borders, join)
        asset_links = _asset_links(join)
        blocks = [
            asset_links,
            _relation_links(join, asset_links),
            _owner_links(join, asset_links),
            _downstream_links(join, asset_links, reach.result()),
            _location_links(join, borders.result()),
            _border_links(join, borders.result()),
        ]
    del asset_links  # the blocks list owns the rows now; _assemble empties it
    return _assemble(join, blocks)


# --------------------------------------------------------------------------------------------
# Preparation


def _prepare(
    strikes: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    relations: pd.DataFrame,
    countries: gpd.GeoDataFrame,
    rules: ImpactRules,
) -> _Join:
    frame, lon, lat = _selected_strikes(to_storage(strikes), rules)
    x, y = lonlat_to_metric(lon, lat) if len(frame) else (lon.copy(), lat.copy())
    assets = to_storage(assets).sort_values("id", kind="stable", ignore_index=True)
    countries = to_storage(countries).reset_index(drop=True)
    codes = _country_codes(assets, relations, countries)
    code_of = {c: i for i, c in enumerate(codes)}
    polygon_codes = np.array([code_of[c] for c in countries["iso3"]], dtype=np.int64)
    lines = places.country_lines(
        countries.geometry.values, polygon_codes, near=_search_box(x, y, lon, lat, rules)
    )
    located = places.locate(lon, lat, countries.geometry.values, polygon_codes)
    coast_m = np.zeros(len(located))
    if len(countries):  # at sea: the coastal state whose territorial sea holds the strike
        sea, code, distance = places.territorial_sea(lon, lat, x, y, located, lines)
        located[sea], coast_m[sea] = code, distance
    return _Join(
        strikes=frame,
        lon=lon,
        lat=lat,
        x=x,
        y=y,
        margin=search_margin(lon, lat),
        day=_day_numbers(frame["date"]),
        precision=_precision_codes(frame["geo_precision"], missing=VAGUE_PRECISION),
        asset_precision=_precision_codes(_column(assets, "geo_precision"), missing=0),
        assets=assets,
        countries=countries,
        codes=codes,
        located=located,
        coast_m=coast_m,
        lines=lines,
        relations=_index_relations(relations, assets, code_of, rules),
        rules=rules,
    )


def _search_box(
    x: np.ndarray, y: np.ndarray, lon: np.ndarray, lat: np.ndarray, rules: ImpactRules
) -> tuple[float, float, float, float]:
    """Return the strikes' metric extent widened by the farthest a country search reaches."""
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return (0.0, 0.0, -1.0, -1.0)  # an empty box: no segment meets it
    radii = [places.TERRITORIAL_SEA_M, rules.border_radius_m, *rules.hit_radius_m.values()]
    reach = max(radii) * float(search_margin(lon[finite], lat[finite]).max())
    return (
        float(x[finite].min() - reach),
        float(y[finite].min() - reach),
        float(x[finite].max() + reach),
        float(y[finite].max() + reach),
    )


def _precision_codes(values: pd.Series, *, missing: int) -> np.ndarray:
    """``geo_precision`` as int8 codes 0-3; missing or unknown values become ``missing``."""
    codes = pd.to_numeric(values, errors="coerce").to_numpy(float)
    known = np.isin(codes, PRECISIONS)
    return np.where(known, np.nan_to_num(codes), missing).astype(np.int8)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(None, index=frame.index)


def _selected_strikes(
    strikes: gpd.GeoDataFrame, rules: ImpactRules
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """Strikes to link, sorted by date and id (candidates only when the rules say so), lon, lat.

    Coordinates are read before sorting, while the geometries still lie in memory order
    (reading them scattered costs ten times more at a million strikes).
    """
    frame = strikes
    if not rules.include_candidates and "status" in frame.columns:
        frame = frame[frame["status"].astype(object) != CANDIDATE_STATUS]
    repeated = frame["id"][frame["id"].duplicated()]
    if len(repeated):
        msg = f"strikes: id {repeated.iloc[0]!r} occurs more than once; strike ids must be unique"
        raise ImpactInputError(msg)
    points = np.asarray(frame.geometry.values)
    lon = np.asarray(shapely.get_x(points), dtype=float)
    lat = np.asarray(shapely.get_y(points), dtype=float)
    keys = frame[["date", "id"]].reset_index(drop=True)
    order = keys.sort_values(["date", "id"], kind="stable").index.to_numpy()
    return frame.take(order).reset_index(drop=True), lon[order], lat[order]


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """ISO dates as float day numbers (NaN when missing), for vectorised validity checks."""
    parsed = pd.to_datetime(dates.astype(object), format="%Y-%m-%d", errors="coerce")
    days = parsed.to_numpy(dtype="datetime64[D]").astype("int64").astype(float)
    days[parsed.isna().to_numpy()] = np.nan
    return days


def _country_codes(
    assets: gpd.GeoDataFrame, relations: pd.DataFrame, countries: gpd.GeoDataFrame
) -> list[str]:
    found = {
        *countries["iso3"].to_numpy(object),
        *relations["country"].to_numpy(object),
        *assets["owner_country"].to_numpy(object),
    }
    return sorted(c for c in found if isinstance(c, str) and c)


def _index_relations(
    relations: pd.DataFrame, assets: gpd.GeoDataFrame, code_of: dict[str, int], rules: ImpactRules
) -> _RelationIndex:
    wanted = [r for r in COUNTRY_RELATIONS if rules.follows(r)]
    if rules.follows("downstream"):  # what a downstream asset serves is reached through it
        wanted.append("serves")
    table = relations[relations["relation"].isin(wanted)]
    asset = pd.Index(assets["id"]).get_indexer(table["asset_id"])
    unknown = table.loc[asset < 0, "asset_id"].unique()
    if len(unknown):
        log.warning(
            "relations.csv: no asset with id %s; those rows are ignored", ", ".join(unknown)
        )
    table = table.assign(
        _asset=asset,
        _country=[code_of.get(c, -1) for c in table["country"]],
        _relation=table["relation"].map(_REL),
    )
    table = table[(table["_asset"] >= 0) & (table["_country"] >= 0)]
    table = table.sort_values(["_asset", "_relation", "_country"], kind="stable")
    asset_codes = table["_asset"].to_numpy(np.int64)
    count = np.bincount(asset_codes, minlength=len(assets))
    return _RelationIndex(
        asset=asset_codes,
        country=table["_country"].to_numpy(np.int64),
        relation=table["_relation"].to_numpy(np.int64),
        valid_from=_day_numbers(table["valid_from"].replace("", None)),
        valid_to=_day_numbers(table["valid_to"].replace("", None)),
        start=np.cumsum(count) - count,
        count=count,
    )


# --------------------------------------------------------------------------------------------
# Strike -> asset links


def _radius_table(radii: Mapping[int, float]) -> np.ndarray:
    """Radius per precision code (NaN where the rules give none: links only by name)."""
    table = np.full(len(PRECISIONS), np.nan)
    for code, metres in radii.items():
        table[code] = metres
    return table


def _asset_links(join: _Join) -> _Links:
    """``target`` and ``nearby`` links: assets named in ``target_ids``, then the spatial search."""
    rules = join.rules
    if not (rules.follows("target") or rules.follows("nearby")) or not len(join.assets):
        return _Links.empty()
    hit = _radius_table(rules.hit_radius_m)
    threat = _radius_table(rules.threat_radius_m if rules.follows("nearby") else rules.hit_radius_m)
    searchable = np.isfinite(threat[join.asset_precision])
    group = np.where(searchable, join.asset_precision, -1)
    index = asset_index(join.assets.geometry.values, group)
    named_s, named_a = _named_pairs(join)
    named_key = np.sort(named_s * len(join.assets) + named_a)
    named = _classify(join, index, named_s, named_a, hit, threat, named=True)

    def search(block: np.ndarray) -> _Links:
        s, a = _candidate_pairs(join, index, block, threat)
        keep = ~_member(s * len(join.assets) + a, named_key)
        return _classify(join, index, s[keep], a[keep], hit, threat, named=False)

    searched = np.flatnonzero(np.isfinite(threat[join.precision]))
    n_blocks = max(-(-len(searched) // _BLOCK_STRIKES), min(4 * WORKERS, len(searched) // 256), 1)
    blocks = np.array_split(searched, n_blocks)
    if len(blocks) > 1 and WORKERS > 1:
        with ThreadPoolExecutor(WORKERS) as pool:
            found = list(pool.map(search, blocks))
    else:
        found = [search(block) for block in blocks]
    found.insert(0, named)
    del named
    links = _nearest_nearby(join, _Links.concat(found))
    if rules.follows("target") and rules.follows("nearby"):
        return links
    wanted = [_REL[r] for r in ("target", "nearby") if rules.follows(r)]
    return links.take(np.isin(links.relation, wanted))


def _nearest_nearby(join: _Join, links: _Links) -> _Links:
    """Keep every target and, per strike and asset layer, the nearest ``nearby`` assets.

    ``rules.max_nearby_per_layer`` of them (all when None), ranked by distance then asset id.
    """
    limit = join.rules.max_nearby_per_layer
    nearby = np.flatnonzero(links.relation == _REL["nearby"])
    if limit is None or not nearby.size:
        return links
    layer = pd.factorize(join.assets["asset_layer"].to_numpy(object))[0][links.asset[nearby]]
    strike, distance = links.strike[nearby], links.distance[nearby]
    order = np.lexsort((links.asset[nearby], np.nan_to_num(distance, nan=np.inf), layer, strike))
    group = np.column_stack([strike[order], layer[order]])
    starts = np.flatnonzero(np.r_[True, (group[1:] != group[:-1]).any(axis=1)])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    keep = np.ones(len(links.strike), bool)
    keep[nearby[order[rank >= limit]]] = False
    return links.take(keep)


def _candidate_pairs(
    join: _Join, index: AssetIndex, block: np.ndarray, threat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(strike, asset)`` whose envelopes come within the pair's widened threat radius.

    One query per asset precision group, each strike with the radius of the coarser precision.
    """
    strikes, assets = [], []
    for code in index.groups:
        reach = threat[np.maximum(join.precision[block], code)] * join.margin[block]
        ok = np.isfinite(reach)
        s = block[ok]
        k, a = index.candidates(code, join.x[s], join.y[s], reach[ok])
        strikes.append(s[k])
        assets.append(a)
    if not strikes:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(strikes), np.concatenate(assets)


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` occurs in ``sorted_keys``."""
    if not len(sorted_keys):
        return np.zeros(len(keys), bool)
    at = np.searchsorted(sorted_keys, keys).clip(max=len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def _classify(
    join: _Join,
    index: AssetIndex,
    s: np.ndarray,
    a: np.ndarray,
    hit: np.ndarray,
    threat: np.ndarray,
    *,
    named: bool,
) -> _Links:
    """Measure strike-asset pairs on the ellipsoid and label them target/nearby with confidence.

    Named pairs are targets (high) at any distance; others are targets (medium) within the hit
    radius, nearby (low) within the threat radius, and dropped beyond it; both radii are those
    of the coarser of the two precisions (``hit``/``threat`` are tables by precision code).
    Only an asset located to the feature itself (precision 0) can be hit by geometry alone: one
    placed at a town centroid is no evidence that a strike at the same town hit it, so within
    the hit radius it is ``nearby`` (low).
    """
    x, y = join.x[s], join.y[s]
    qx, qy = index.nearest_metric(a, x, y, parallel=False)
    pair_precision = np.maximum(join.precision[s], join.asset_precision[a])
    if not named:  # the planar distance drops envelope-only candidates cheaply
        reach = threat[pair_precision] * join.margin[s]
        near = np.flatnonzero((qx - x) ** 2 + (qy - y) ** 2 <= reach * reach)
        s, a, qx, qy, pair_precision = s[near], a[near], qx[near], qy[near], pair_precision[near]
    lon, lat = index.to_lonlat(a, qx, qy)
    distance = geodesic_distance_m(join.lon[s], join.lat[s], lon, lat, parallel=False)
    is_hit = distance <= hit[pair_precision]
    if not named:
        is_hit = is_hit & (join.asset_precision[a] == 0)
    if named:
        keep = np.ones(len(s), bool)
        confidence = np.full(len(s), _CONF["high"])
        basis = np.full(len(s), _BASIS["named"])
    else:
        keep = is_hit | (distance <= threat[pair_precision])
        confidence = np.where(is_hit, _CONF["medium"], _CONF["low"])
        nearby = np.where(join.asset_precision[a] == 0, _BASIS["threat_radius"], _BASIS["context"])
        basis = np.where(is_hit, _BASIS["hit_radius"], nearby)
    relation = np.where(named | is_hit, _REL["target"], _REL["nearby"])
    links = _Links(s, a, np.full(len(s), -1), relation, distance, confidence, basis)
    return links.take(keep)


def _named_pairs(join: _Join) -> tuple[np.ndarray, np.ndarray]:
    """``(strike, asset)`` for assets named in ``target_ids``; unknown ids are logged."""
    if "target_ids" not in join.strikes.columns:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    named = join.strikes["target_ids"].explode().dropna()
    named = named[named.astype(str) != ""]
    asset = pd.Index(join.assets["id"]).get_indexer(named.astype(str))
    if (asset < 0).any():
        missing = sorted(set(named[asset < 0].astype(str)))
        log.warning("strikes: target_ids name unknown assets %s; ignored", ", ".join(missing))
    pairs = pd.DataFrame({"s": named.index.to_numpy(np.int64), "a": asset})
    pairs = pairs[pairs["a"] >= 0].drop_duplicates()
    return pairs["s"].to_numpy(np.int64), pairs["a"].to_numpy(np.int64)


# --------------------------------------------------------------------------------------------
# Asset -> country links


def _relation_links(join: _Join, links: _Links) -> _Links:
    """relations.csv rows valid on the strike's date, through target and nearby assets."""
    link, row = join.relations.expand(links.asset)
    valid = join.relations.valid_on(row, join.day[links.strike[link]])
    if not join.rules.follows("serves"):  # indexed only for the downstream walk
        valid &= join.relations.relation[row] != _REL["serves"]
    link, row = link[valid], row[valid]
    return _Links(
        links.strike[link],
        links.asset[link],
        join.relations.country[row],
        join.relations.relation[row],
        links.distance[link],
        links.confidence[link],
        links.basis[link],
    )


def _owner_links(join: _Join, links: _Links) -> _Links:
    """``owner`` from an asset's ``owner_country`` when it differs from the strike's country."""
    if not join.rules.follows("owner") or not len(links.strike):
        return _Links.empty()
    code_of = {c: i for i, c in enumerate(join.codes)}
    owners = join.assets["owner_country"].to_numpy(object)
    owner = np.array([code_of.get(c, -1) for c in owners], dtype=_LINK_DTYPES["country"])
    has_owner = owner >= 0
    keep = np.flatnonzero(has_owner[links.asset])
    keep = keep[owner[links.asset[keep]] != join.located[links.strike[keep]]]
    taken = links.take(keep)
    return _Links(
        taken.strike,
        taken.asset,
        owner[taken.asset],
        np.full(len(keep), _REL["owner"]),
        taken.distance,
        taken.confidence,
        taken.basis,
    )


@dataclass(frozen=True)
class _NetworkReach:
    """What lies downstream of every network node, as bit masks (see ``_network_reach``)."""

    network: PipelineNetwork
    masks: dict[int, int]
    bit_of: np.ndarray
    carriers: dict[int, int]
    serving: np.ndarray


def _network_reach(join: _Join) -> _NetworkReach | None:
    """Per node, the labelled assets downstream as bit masks; None when the network is off.

    Every line whose ``owner_country`` is known and every asset with ``serves`` relations gets
    its own bit (``bit_of[asset]``, -1 for none), so that a start can leave out the asset that
    was hit itself. ``carriers[c]`` holds the bits of the lines owned in country code ``c``;
    ``serving`` the assets with ``serves`` relations, by bit. Computed once for all starts.
    """
    if not (join.rules.network and join.rules.follows("downstream")):
        return None
    network = network_for(join.assets, snap_tolerance_m=join.rules.snap_tolerance_m)
    relations = join.relations
    code_of = {c: i for i, c in enumerate(join.codes)}
    owner = np.array(
        [code_of.get(c, -1) for c in join.assets["owner_country"].to_numpy(object)], np.int64
    )
    is_line = join.assets["network"].to_numpy(object) == NETWORK_LINE
    serves = np.zeros(len(join.assets), bool)
    serves[relations.asset[relations.relation == _REL["serves"]]] = True
    labelled = np.flatnonzero((is_line & (owner >= 0)) | serves)
    bit_of = np.full(len(join.assets), -1, np.int64)
    bit_of[labelled] = np.arange(len(labelled))
    ids = join.assets["id"].to_numpy(object)
    labels = {ids[a]: 1 << int(bit_of[a]) for a in labelled}
    carriers: dict[int, int] = {}
    for a in np.flatnonzero(is_line & (owner >= 0)).tolist():
        carriers[int(owner[a])] = carriers.get(int(owner[a]), 0) | (1 << int(bit_of[a]))
    serving = labelled[serves[labelled]]
    return _NetworkReach(network, network.reach_masks(labels), bit_of, carriers, serving)


def _downstream_links(join: _Join, links: _Links, reach: _NetworkReach | None) -> _Links:
    """Countries reached along the pipeline network from where each target was hit.

    Only ``target`` links start a walk (a damaged asset stops the flow), at the nodes at or
    after the hit point in the flow direction (``PipelineNetwork.start_nodes``); the hit asset
    itself is left out (its owner is an ``owner`` row), as is the strike's own country (its
    ``location`` row says it). Rows inherit the target's distance and confidence.
    """
    if reach is None:
        return _Links.empty()
    targets = links.take(links.relation == _REL["target"])
    role = join.assets["network"].to_numpy(object)
    targets = targets.take(np.isin(role[targets.asset], [NETWORK_LINE, NETWORK_NODE]))
    if not len(targets.strike):
        return _Links.empty()
    ids = join.assets["id"].to_numpy(object)
    starts = reach.network.start_nodes(
        ids[targets.asset], join.x[targets.strike], join.y[targets.strike]
    )
    keys = np.column_stack([targets.asset.astype(np.int64), starts])
    groups, group_of = np.unique(keys, axis=0, return_inverse=True)
    table = _reach_table(join, reach, groups)
    # expand every target link by the rows its group reaches (CSR over the sorted reach table)
    count = np.bincount(table["group"], minlength=len(groups))
    first = np.cumsum(count) - count
    n = count[group_of]
    link = np.repeat(np.arange(len(group_of)), n)
    row = np.repeat(first[group_of] - (np.cumsum(n) - n), n) + np.arange(len(link))
    strike = targets.strike[link]
    relation_row = table["relation_row"][row]
    is_serves = relation_row >= 0
    valid = np.ones(len(row), bool)
    valid[is_serves] = join.relations.valid_on(relation_row[is_serves], join.day[strike[is_serves]])
    country = table["country"][row]
    keep = valid & (country != join.located[strike])
    link, strike, country = link[keep], strike[keep], country[keep]
    return _Links(
        strike,
        targets.asset[link],
        country,
        np.full(len(link), _REL["downstream"]),
        targets.distance[link],
        targets.confidence[link],
        targets.basis[link],
    )


def _reach_table(join: _Join, reach: _NetworkReach, groups: np.ndarray) -> dict[str, np.ndarray]:
    """Rows ``(group, country, relation row or -1 for owner_country)`` sorted by group.

    ``groups`` holds ``(hit asset, start node, start node or -1)``. A ``relation_row`` >= 0 is a
    ``serves`` relation of an asset downstream of the start; -1 the ``owner_country`` of a
    downstream line. The hit asset's own bit is left out.
    """
    relations = join.relations
    serving_mask = 0
    for a in reach.serving.tolist():
        serving_mask |= 1 << int(reach.bit_of[a])
    rows: list[tuple[int, int, int]] = []
    for g, (asset, *nodes) in enumerate(groups.tolist()):
        mask = 0
        for node in nodes:
            mask |= reach.masks.get(node, 0) if node >= 0 else 0
        if reach.bit_of[asset] >= 0:
            mask &= ~(1 << int(reach.bit_of[asset]))
        for country, carried in reach.carriers.items():
            if mask & carried:
                rows.append((g, country, -1))
        if not mask & serving_mask:
            continue
        for a in reach.serving.tolist():
            if not mask >> int(reach.bit_of[a]) & 1:
                continue
            first = int(relations.start[a])
            for r in range(first, first + int(relations.count[a])):
                if relations.relation[r] == _REL["serves"]:
                    rows.append((g, int(relations.country[r]), r))
    table = np.array(rows, dtype=np.int64).reshape(-1, 3)
    table = table[np.argsort(table[:, 0], kind="stable")]
    return {"group": table[:, 0], "country": table[:, 1], "relation_row": table[:, 2]}


# --------------------------------------------------------------------------------------------
# Strike -> country links


def _near_borders(join: _Join) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(strike, country code, metres)`` for foreign land borders near strikes located by distance.

    Within the border radius (for ``border`` rows) or the strike's hit radius (how far off its
    point may be, for the ``location`` confidence), whichever is larger; strikes whose precision
    has no radius (region stand-ins) are left out: their distance to a border means nothing.
    """
    rules = join.rules
    hit = _radius_table(rules.hit_radius_m)
    wanted = [hit[np.isfinite(hit)].max(initial=0.0)]
    if rules.follows("border"):
        wanted.append(rules.border_radius_m)
    searched = np.flatnonzero(np.isfinite(_radius_table(rules.threat_radius_m)[join.precision]))
    if not len(join.countries) or not searched.size or max(wanted) <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    strike, country, distance = places.near_borders(
        join.lon[searched],
        join.lat[searched],
        join.x[searched],
        join.y[searched],
        join.located[searched],
        join.lines,
        radius_m=max(wanted),
    )
    return searched[strike], country, distance


def _location_links(join: _Join, borders: tuple[np.ndarray, np.ndarray, np.ndarray]) -> _Links:
    """Link each strike to the country it lies in, on land or in its territorial sea.

    Confidence ``LOCATION_CONFIDENCE`` (high) when the strike's point is known to within its
    hit radius and no other country's land border lies that close; otherwise
    ``UNCERTAIN_LOCATION_CONFIDENCE`` (medium): a region stand-in, or a point that may lie
    across the border. At sea, the distance is to the coast.
    """
    if not join.rules.follows("location"):
        return _Links.empty()
    uncertainty = _radius_table(join.rules.hit_radius_m)[join.precision]
    strike, _, distance = borders
    near = np.zeros(len(join.precision), bool)
    near[strike[distance <= uncertainty[strike]]] = True
    certain = np.isfinite(uncertainty) & ~near
    located = np.flatnonzero(join.located >= 0)
    n = len(located)
    confidence = np.where(
        certain[located], _CONF[LOCATION_CONFIDENCE], _CONF[UNCERTAIN_LOCATION_CONFIDENCE]
    )
    return _Links(
        located,
        np.full(n, -1),
        join.located[located],
        np.full(n, _REL["location"]),
        join.coast_m[located],
        confidence,
        np.full(n, _NO_BASIS),
    )


def _border_links(join: _Join, borders: tuple[np.ndarray, np.ndarray, np.ndarray]) -> _Links:
    """Foreign land borders within the border radius of strikes located by distance."""
    if not join.rules.follows("border"):
        return _Links.empty()
    strike, country, distance = borders
    keep = distance <= join.rules.border_radius_m
    n = int(keep.sum())
    return _Links(
        strike[keep],
        np.full(n, -1),
        country[keep],
        np.full(n, _REL["border"]),
        distance[keep],
        np.full(n, _CONF[BORDER_CONFIDENCE]),
        np.full(n, _NO_BASIS),
    )


# --------------------------------------------------------------------------------------------
# Assembly


def _assemble(join: _Join, blocks: list[_Links]) -> pd.DataFrame:
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


def _ordered_unique(blocks: list[_Links], n_assets: int, n_countries: int) -> _Links:
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
        links = _Links.concat(blocks)
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
        codes[name] = field.astype(_LINK_DTYPES[name])
        del field
        key >>= width
    key = key.astype(_LINK_DTYPES["strike"])
    return _Links(
        key,
        codes["asset"],
        codes["country"],
        codes["relation"],
        distance,
        codes["confidence"],
        codes["basis"],
    )


def _ordered_unique_lexsort(links: _Links) -> _Links:
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
