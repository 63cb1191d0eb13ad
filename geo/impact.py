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
   location, borders) are derived from the pair arrays with vectorised joins
   (``geo.country_links``).
5. All rows are integer codes until the end (``geo.linkrows``); one packed int64 key per row
   gives the order and drops repeats, and text columns become categoricals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.geo import countries as places
from strikemap.geo import country_links
from strikemap.geo.crs import (
    WORKERS,
    geodesic_distance_m,
    lonlat_to_metric,
    require_crs,
    search_margin,
    to_storage,
)
from strikemap.geo.errors import ImpactInputError
from strikemap.geo.linkrows import (
    BASIS,
    CONF,
    LINK_COLUMNS,
    REL,
    Join,
    JoinContext,
    Links,
    RelationIndex,
    assemble,
    day_numbers,
    radius_table,
)
from strikemap.geo.rules import COUNTRY_RELATIONS, DEFAULT_RULES, PRECISIONS, ImpactRules
from strikemap.geo.search import AssetIndex, asset_index

__all__ = ["LINK_COLUMNS", "JoinContext", "link_prepared", "link_strikes", "prepare_context"]
log = logging.getLogger(__name__)

CANDIDATE_STATUS = "candidate"
VAGUE_PRECISION = PRECISIONS[-1]
"""A strike without a known geo_precision counts as a region stand-in (3). An asset without one
is taken at its mapped geometry (0): the layers require the field, synthetic frames may lack it."""
_BLOCK_STRIKES = 8_192
"""Strikes per block of the spatial search; blocks run on threads and bound the temporaries."""


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
        table["detail"] = explainer.describe(table).array
    return table


def _link(
    strikes: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    relations: pd.DataFrame,
    countries: gpd.GeoDataFrame,
    rules: ImpactRules,
) -> pd.DataFrame:
    """Build the link table without ``detail`` (see ``link_strikes``)."""
    return link_prepared(strikes, prepare_context(assets, relations, countries, rules))


def link_prepared(strikes: gpd.GeoDataFrame, context: JoinContext) -> pd.DataFrame:
    """Return the links of ``strikes`` (without ``detail``) against a prepared context.

    The table is that of ``link_strikes(..., with_detail=False)`` for the same inputs; strikes
    are linked each on its own, so the links of any subset of strikes are exactly that
    subset's rows of the whole table (``geo.partition`` relies on it).
    """
    require_crs({"strikes": strikes, "assets": context.assets})
    join = _prepare(strikes, context)
    # what needs no asset links (the network's reach, borders) runs beside the search: the
    # network is mostly Python, the search mostly GEOS and numpy, which release the GIL
    with ThreadPoolExecutor(2) as pool:
        reach = pool.submit(context.reach)
        borders = pool.submit(country_links.near_borders, join)
        asset_links = _asset_links(join)
        blocks = [
            asset_links,
            country_links.relation_links(join, asset_links),
            country_links.owner_links(join, asset_links),
            country_links.downstream_links(join, asset_links, reach.result()),
            country_links.location_links(join, borders.result()),
            country_links.border_links(join, borders.result()),
        ]
    del asset_links  # the blocks list owns the rows now; _assemble empties it
    return assemble(join, blocks)


# --------------------------------------------------------------------------------------------
# Preparation


def prepare_context(
    assets: gpd.GeoDataFrame,
    relations: pd.DataFrame,
    countries: gpd.GeoDataFrame,
    rules: ImpactRules = DEFAULT_RULES,
) -> JoinContext:
    """Prepare what every strike's links share: assets, country codes, relations, the network.

    Built once and reused for any number of strike sets (``link_prepared``); the pipeline
    network's reach is computed on first use.
    """
    require_crs({"assets": assets, "countries": countries})
    assets = to_storage(assets).sort_values("id", kind="stable", ignore_index=True)
    countries = to_storage(countries).reset_index(drop=True)
    codes = _country_codes(assets, relations, countries)
    code_of = {c: i for i, c in enumerate(codes)}
    return JoinContext(
        assets=assets,
        countries=countries,
        codes=codes,
        polygon_codes=np.array([code_of[c] for c in countries["iso3"]], dtype=np.int64),
        asset_precision=_precision_codes(_column(assets, "geo_precision"), missing=0),
        relations=_index_relations(relations, assets, code_of, rules),
        rules=rules,
    )


def _prepare(strikes: gpd.GeoDataFrame, context: JoinContext) -> Join:
    rules = context.rules
    frame, lon, lat = _selected_strikes(to_storage(strikes), rules)
    x, y = lonlat_to_metric(lon, lat) if len(frame) else (lon.copy(), lat.copy())
    countries, polygon_codes = context.countries, context.polygon_codes
    lines = places.country_lines(
        countries.geometry.values, polygon_codes, near=_search_box(x, y, lon, lat, rules)
    )
    located = places.locate(lon, lat, countries.geometry.values, polygon_codes)
    coast_m = np.zeros(len(located))
    if len(countries):  # at sea: the coastal state whose territorial sea holds the strike
        sea, code, distance = places.territorial_sea(lon, lat, x, y, located, lines)
        located[sea], coast_m[sea] = code, distance
    return Join(
        strikes=frame,
        lon=lon,
        lat=lat,
        x=x,
        y=y,
        margin=search_margin(lon, lat),
        day=day_numbers(frame["date"]),
        precision=_precision_codes(frame["geo_precision"], missing=VAGUE_PRECISION),
        asset_precision=context.asset_precision,
        assets=context.assets,
        countries=countries,
        codes=context.codes,
        located=located,
        coast_m=coast_m,
        lines=lines,
        relations=context.relations,
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
) -> RelationIndex:
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
        _relation=table["relation"].map(REL),
    )
    table = table[(table["_asset"] >= 0) & (table["_country"] >= 0)]
    table = table.sort_values(["_asset", "_relation", "_country"], kind="stable")
    asset_codes = table["_asset"].to_numpy(np.int64)
    count = np.bincount(asset_codes, minlength=len(assets))
    return RelationIndex(
        asset=asset_codes,
        country=table["_country"].to_numpy(np.int64),
        relation=table["_relation"].to_numpy(np.int64),
        valid_from=day_numbers(table["valid_from"].replace("", None)),
        valid_to=day_numbers(table["valid_to"].replace("", None)),
        start=np.cumsum(count) - count,
        count=count,
    )


# --------------------------------------------------------------------------------------------
# Strike -> asset links


def _asset_links(join: Join) -> Links:
    """``target`` and ``nearby`` links: assets named in ``target_ids``, then the spatial search."""
    rules = join.rules
    if not (rules.follows("target") or rules.follows("nearby")) or not len(join.assets):
        return Links.empty()
    hit = radius_table(rules.hit_radius_m)
    threat = radius_table(rules.threat_radius_m if rules.follows("nearby") else rules.hit_radius_m)
    searchable = np.isfinite(threat[join.asset_precision])
    group = np.where(searchable, join.asset_precision, -1)
    index = asset_index(join.assets.geometry.values, group)
    named_s, named_a = _named_pairs(join)
    named_key = np.sort(named_s * len(join.assets) + named_a)
    named = _classify(join, index, named_s, named_a, hit, threat, named=True)

    def search(block: np.ndarray) -> Links:
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
    links = _nearest_nearby(join, Links.concat(found))
    if rules.follows("target") and rules.follows("nearby"):
        return links
    wanted = [REL[r] for r in ("target", "nearby") if rules.follows(r)]
    return links.take(np.isin(links.relation, wanted))


def _nearest_nearby(join: Join, links: Links) -> Links:
    """Keep every target and, per strike and asset layer, the nearest ``nearby`` assets.

    ``rules.max_nearby_per_layer`` of them (all when None), ranked by distance then asset id.
    """
    limit = join.rules.max_nearby_per_layer
    nearby = np.flatnonzero(links.relation == REL["nearby"])
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
    join: Join, index: AssetIndex, block: np.ndarray, threat: np.ndarray
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
    join: Join,
    index: AssetIndex,
    s: np.ndarray,
    a: np.ndarray,
    hit: np.ndarray,
    threat: np.ndarray,
    *,
    named: bool,
) -> Links:
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
        confidence = np.full(len(s), CONF["high"])
        basis = np.full(len(s), BASIS["named"])
    else:
        keep = is_hit | (distance <= threat[pair_precision])
        confidence = np.where(is_hit, CONF["medium"], CONF["low"])
        nearby = np.where(join.asset_precision[a] == 0, BASIS["threat_radius"], BASIS["context"])
        basis = np.where(is_hit, BASIS["hit_radius"], nearby)
    relation = np.where(named | is_hit, REL["target"], REL["nearby"])
    links = Links(s, a, np.full(len(s), -1), relation, distance, confidence, basis)
    return links.take(keep)


def _named_pairs(join: Join) -> tuple[np.ndarray, np.ndarray]:
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
