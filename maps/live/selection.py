"""The selected strike (or the what-if probe) on the live map: what ``runtime.js`` draws.

A ring on the strike, its uncertainty circle (or, for a strike located only to a region, the
region's outline), a line to each linked asset, the supply and transit routes along the pipeline
network, and the touched countries outlined and named: *affected* when a high- or medium-
confidence link reaches them, *exposed* when only low-confidence ones do.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.geo.assets import combine_assets
from strikemap.geo.network import network_for
from strikemap.geo.routes import Route, relation_routes
from strikemap.geo.rules import (
    AFFECTED_CONFIDENCES,
    ASSET_RELATIONS,
    CONFIDENCE_ORDER,
    SNAP_TOLERANCE_M,
)
from strikemap.layers.catalog import ASSET_ROLES, BY_NAME
from strikemap.maps import popups, style
from strikemap.maps.latlon import folium_location, folium_locations
from strikemap.maps.live.config import (
    COUNTRIES_LAYER,
    PIPELINES_LAYER,
    REGIONS_LAYER,
    UNCERTAINTY_RADIUS_M,
)
from strikemap.maps.live.labels import label_points
from strikemap.maps.live.layers import outline_geometry

COORD_DECIMALS = 5
LABEL_REACH_DEG = 1.0
"""A touched country's label goes within this many degrees of the strike when it can."""


def selection_payload(
    strike: pd.Series,
    links: pd.DataFrame | None,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    radius_m: Mapping[int, float] = UNCERTAINTY_RADIUS_M,
    country_names: Mapping[str, str] | None = None,
    probe: bool = False,
    assets: gpd.GeoDataFrame | None = None,
    snap_tolerance_m: float = SNAP_TOLERANCE_M,
) -> dict[str, object]:
    """Return the drawing of one selected strike and its links (all text escaped).

    Parameters
    ----------
    strike
        The strike's row (``id``, ``name``, ``geo_precision``, geometry).
    links
        Its impact-table rows (other strikes' rows are ignored).
    layers
        The catalogue layers (assets, countries, regions, pipelines).
    radius_m
        Uncertainty circle by ``geo_precision`` (the rules' hit radii).
    country_names
        ISO3 -> name.
    probe
        The strike is the what-if probe.
    assets
        The combined asset frame, when the caller has it (``Dataset.assets``).
    snap_tolerance_m
        The network snapping of the rules the links were made with (for the routes).
    """
    names = country_names or {}
    own = _own_links(links, strike["id"])
    point = strike.geometry
    precision = int(pd.to_numeric(pd.Series([strike.get("geo_precision")])).fillna(3).iloc[0])
    region = _region_of(point, layers.get(REGIONS_LAYER)) if precision == 3 else None
    tiers = country_tiers(own)
    label = f"{'what-if probe' if probe else 'selected'}: {strike.get('name')}"
    if tiers:
        label += "; " + "; ".join(
            f"{tier}: " + ", ".join(names.get(c, c) for c in codes)
            for tier, codes in _by_tier(tiers).items()
        )
    return {
        "point": _latlon(point),
        "radius": None if region is not None else float(radius_m.get(precision, 25_000.0)),
        "region": region,
        "label": popups.text(label),
        "probe": probe,
        "pan": True,
        "links": link_lines(point, own, layers),
        "countries": country_outlines(tiers, layers.get(COUNTRIES_LAYER), names, near=point),
        "routes": route_lines(own, layers, names, assets=assets, snap_tolerance_m=snap_tolerance_m),
        "linkColor": style.LINK_COLOR,
        "countryColor": style.AFFECTED_EDGE_COLOR,
        "routeColor": style.ROUTE_COLOR,
    }


def _own_links(links: pd.DataFrame | None, strike_id: object) -> pd.DataFrame:
    if links is None or links.empty:
        return pd.DataFrame(columns=["strike_id", "asset_id", "country", "relation", "confidence"])
    own = links[(links["strike_id"].astype(object) == strike_id).to_numpy()]
    columns = [c for c in own.columns if c != "detail"]
    return pd.DataFrame({c: own[c].astype(object).to_numpy() for c in columns})


def country_tiers(links: pd.DataFrame) -> dict[str, str]:
    """Return ``{ISO3: "affected" | "exposed"}`` for the countries the links reach."""
    rows = links[links["country"].fillna("").astype(str) != ""]
    if rows.empty:
        return {}
    strong = rows["confidence"].isin(AFFECTED_CONFIDENCES).to_numpy()
    affected = set(rows.loc[strong, "country"].astype(str))
    return {
        code: "affected" if code in affected else "exposed"
        for code in sorted(set(rows["country"].astype(str)))
    }


def _by_tier(tiers: Mapping[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for code, tier in sorted(tiers.items(), key=lambda item: (item[1], item[0])):
        grouped.setdefault(tier, []).append(code)
    return grouped


def country_outlines(
    tiers: Mapping[str, str],
    countries: gpd.GeoDataFrame | None,
    names: Mapping[str, str],
    *,
    near: shapely.Point | None = None,
) -> list[dict[str, object]]:
    """Return the outline, tier and label point of each touched country on the map.

    The label goes inside the part of the country within ``LABEL_REACH_DEG`` of ``near`` (the
    strike), where the reader looks, else inside the country's largest part.
    """
    if not tiers or countries is None or countries.empty:
        return []
    shown = countries[countries["iso3"].isin(list(tiers)).to_numpy()]
    if shown.empty:
        return []
    outlines = outline_geometry(shown)
    areas = shown.geometry.values
    if near is not None:
        reach = shapely.buffer(near, LABEL_REACH_DEG, quad_segs=4).envelope
        close = shapely.intersection(areas, reach)
        areas = np.where(shapely.is_empty(close) | (shapely.area(close) == 0), areas, close)
    points = label_points(areas)
    return [
        {
            "iso3": popups.text(code),
            "name": popups.text(names.get(code, code)),
            "tier": tiers[code],
            "geometry": shapely.geometry.mapping(shape),
            "label": _latlon(where),
        }
        for code, shape, where in zip(shown["iso3"].astype(str), outlines, points, strict=True)
    ]


def link_lines(
    point: shapely.Point, links: pd.DataFrame, layers: Mapping[str, gpd.GeoDataFrame]
) -> list[dict[str, object]]:
    """Return a line from the strike to each asset it hit or threatened, strongest link first."""
    rows = links[links["relation"].isin(ASSET_RELATIONS)]
    if rows.empty:
        return []
    rank = {level: i for i, level in enumerate(CONFIDENCE_ORDER)}
    best = (
        rows.assign(_rank=rows["confidence"].map(rank).fillna(len(rank)))
        .sort_values(["_rank", "relation"], kind="stable")
        .drop_duplicates("asset_id")
    )
    assets = linked_assets(best, layers)
    if assets.empty:
        return []
    lines = shapely.shortest_line(point, assets.geometry.values)
    found = best.set_index("asset_id").loc[assets["id"]]
    return [
        {
            "coords": _latlons(line),
            "confidence": str(confidence),
            "label": popups.text(f"{relation}: {name} (confidence {confidence})"),
        }
        for line, name, relation, confidence in zip(
            lines, assets["name"], found["relation"], found["confidence"], strict=True
        )
    ]


def linked_assets(links: pd.DataFrame, layers: Mapping[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return the asset features (id, name, geometry) that ``links`` name."""
    ids = set(links["asset_id"].dropna().astype(str)) - {""}
    parts = [
        frame.loc[frame["id"].isin(ids), ["id", "name", "geometry"]]
        for name, frame in layers.items()
        if BY_NAME.get(name) is not None and BY_NAME[name].is_asset and not frame.empty
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")


def route_lines(
    links: pd.DataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    names: Mapping[str, str],
    *,
    assets: gpd.GeoDataFrame | None = None,
    snap_tolerance_m: float = SNAP_TOLERANCE_M,
) -> list[dict[str, object]]:
    """Return the supply and transit routes of the links along the pipeline network."""
    pipelines = layers.get(PIPELINES_LAYER)
    countries = layers.get(COUNTRIES_LAYER)
    wanted = links["relation"].isin(["supply_origin", "transit"])
    if pipelines is None or pipelines.empty or countries is None or not wanted.any():
        return []
    assets = assets if assets is not None else combine_assets(layers, layers=ASSET_ROLES)
    network = network_for(assets, snap_tolerance_m=snap_tolerance_m)
    routes = relation_routes(links[wanted.to_numpy()], network, pipelines, countries)
    asset_names = dict(zip(assets["id"].astype(str), assets["name"], strict=True))
    return [
        {
            "geometry": shapely.geometry.mapping(_rounded(r.geometry)),
            "label": route_label(r, names, asset_names),
        }
        for r in routes
        if not r.geometry.is_empty
    ]


def route_label(route: Route, names: Mapping[str, str], asset_names: Mapping[str, str]) -> str:
    """Return e.g. ``Supply from Azerbaijan (supply_origin) to Orlivka CS: 4 pipelines``."""
    country = names.get(route.country, route.country)
    asset = asset_names.get(route.asset_id, route.asset_id)
    verb = "Supply from" if route.relation == "supply_origin" else "Transit through"
    text = f"{verb} {country} ({route.relation}) to {asset}: {len(route.pipelines)} pipeline(s)"
    if not route.reaches_country:
        text += (
            f"; {country} lies beyond the mapped network, drawn from its furthest upstream point"
        )
    return popups.text(text)


def _region_of(point: shapely.Point, regions: gpd.GeoDataFrame | None) -> dict | None:
    """Return the outline (GeoJSON) of the region a precision-3 point stands in for, if any."""
    if regions is None or regions.empty:
        return None
    hits = shapely.STRtree(regions.geometry.values).query(point, predicate="within")
    if not len(hits):
        return None
    return shapely.geometry.mapping(outline_geometry(regions.iloc[[int(np.min(hits))]]).iloc[0])


def _rounded(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.set_precision(geometry, 10.0**-COORD_DECIMALS)


def _latlon(point: shapely.Geometry) -> list[float]:
    return [round(v, COORD_DECIMALS) for v in folium_location(point)]


def _latlons(line: shapely.Geometry) -> list[list[float]]:
    return [[round(v, COORD_DECIMALS) for v in pair] for pair in folium_locations(line)]
