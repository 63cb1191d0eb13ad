"""Synthetic tests of the impact join: one behaviour per test, exact rows and geodesic distances.

Why one long module: every test builds on the same small synthetic world (the helpers at the
top); the sections follow the join's steps (targets, nearby, countries, downstream, borders).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, Point, box

from strikemap.geo.assets import combine_assets
from strikemap.geo.errors import CRSError
from strikemap.geo.impact import LINK_COLUMNS, link_strikes
from strikemap.geo.rules import ImpactRules, tier_of
from strikemap.layers.catalog import ASSET_ROLES

WGS84 = "EPSG:4326"
GEOD = Geod(ellps="WGS84")
RELATION_COLUMNS = ["asset_id", "country", "relation", "valid_from", "valid_to", "note", "source"]


def strikes_frame(*rows: dict) -> gpd.GeoDataFrame:
    base = {"name": "strike", "geo_precision": 1, "status": "confirmed", "target_ids": []}
    records = [{**base, **row} for row in rows]
    geometry = [Point(r.pop("lon"), r.pop("lat")) for r in records]
    return gpd.GeoDataFrame(records, geometry=geometry, crs=WGS84)


def assets_frame(**layers: list[dict]) -> gpd.GeoDataFrame:
    frames = {}
    for layer, rows in layers.items():
        geometry = [r.pop("geometry") for r in rows]
        frames[layer] = gpd.GeoDataFrame(rows, geometry=geometry, crs=WGS84)
    return combine_assets(frames, layers=ASSET_ROLES)


def relations_frame(*rows: dict) -> pd.DataFrame:
    base = dict.fromkeys(RELATION_COLUMNS, "")
    return pd.DataFrame([{**base, **r} for r in rows], columns=RELATION_COLUMNS)


# Ukraine east of 29.9 E, Moldova a box to the north-west, Romania to the south-west.
COUNTRIES = gpd.GeoDataFrame(
    {"iso3": ["UKR", "MDA", "ROU"], "name": ["Ukraine", "Moldova", "Romania"]},
    geometry=[
        box(29.9, 45.0, 32.0, 48.0),
        box(28.0, 46.0, 29.9, 48.0),
        box(28.0, 44.0, 29.9, 46.0),
    ],
    crs=WGS84,
)
NO_COUNTRIES = COUNTRIES.iloc[0:0]
NO_RELATIONS = relations_frame().iloc[0:0]


def geodesic(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def rows(table: pd.DataFrame) -> list[tuple[str, str, str, str, str]]:
    cols = ["strike_id", "asset_id", "country", "relation", "confidence"]
    return [tuple(map(str, r)) for r in table[cols].itertuples(index=False)]


STATION = {"id": "fac-station", "name": "Station", "asset_type": "compressor_station"}


def test_named_target_is_high_and_distance_is_geodesic():
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5, "target_ids": ["fac-station"]}
    )
    assets = assets_frame(facilities=[{**STATION, "geometry": Point(30.52, 46.51)}])
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES)
    assert rows(table) == [("s1", "fac-station", "", "target", "high")]
    assert table["distance_m"].iat[0] == pytest.approx(geodesic(30.5, 46.5, 30.52, 46.51), abs=1)
    assert "named by sources as the target" in table["detail"].iat[0]


def test_hit_radius_gives_medium_target_and_threat_radius_gives_low_nearby():
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5})
    assets = assets_frame(
        facilities=[
            {**STATION, "geometry": Point(30.52, 46.5)},  # ~1.5 km: inside the 3 km hit radius
            {
                "id": "fac-far",
                "name": "Far",
                "asset_type": "oil_depot",
                "geometry": Point(30.6, 46.5),
            },
            {
                "id": "fac-out",
                "name": "Out",
                "asset_type": "oil_depot",
                "geometry": Point(30.7, 46.5),
            },
        ]
    )
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES)
    assert rows(table) == [
        ("s1", "fac-station", "", "target", "medium"),
        ("s1", "fac-far", "", "nearby", "low"),
    ]
    assert table["distance_m"].iat[1] == pytest.approx(geodesic(30.5, 46.5, 30.6, 46.5), abs=1)


def test_pipeline_counts_by_its_nearest_point():
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5})
    pipe = {
        "id": "pipe-1",
        "name": "Pipe",
        "asset_type": "gas_transmission",
        "flow_direction": "forward",
        "geometry": LineString([(30.4, 46.52), (30.6, 46.52)]),
    }
    table = link_strikes(strikes, assets_frame(pipelines=[pipe]), NO_RELATIONS, NO_COUNTRIES)
    assert rows(table) == [("s1", "pipe-1", "", "target", "medium")]
    # nearest point of a parallel, straight segment: almost due north of the strike
    expected = min(geodesic(30.5, 46.5, lon, 46.52) for lon in np.linspace(30.49, 30.51, 201))
    assert table["distance_m"].iat[0] == pytest.approx(expected, abs=1)


def test_precision_three_links_only_through_target_ids():
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5, "geo_precision": 3},
        {
            "id": "s2",
            "date": "2025-08-06",
            "lon": 30.5,
            "lat": 46.5,
            "geo_precision": 3,
            "target_ids": ["fac-far"],
        },
    )
    assets = assets_frame(
        facilities=[
            {**STATION, "geometry": Point(30.5001, 46.5)},
            {
                "id": "fac-far",
                "name": "Far",
                "asset_type": "oil_depot",
                "geometry": Point(31.5, 46.5),
            },
        ]
    )
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES)
    assert rows(table) == [("s2", "fac-far", "", "target", "high")]


def facility_at(fid: str, lon: float, lat: float, precision: int) -> dict:
    return {
        "id": fid,
        "name": fid.removeprefix("fac-").title(),
        "asset_type": "oil_depot",
        "geo_precision": precision,
        "geometry": Point(lon, lat),
    }


def test_combine_assets_keeps_geo_precision():
    assets = assets_frame(facilities=[facility_at("fac-a", 30.5, 46.5, 2)])
    assert list(assets["geo_precision"]) == [2]


def test_only_an_exactly_located_asset_is_a_target_by_distance():
    # strike and asset both at the Odesa city centroid (precision 1): 0 m apart, but that
    # says nothing about a hit; the same asset named by sources is a target
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.7233, "lat": 46.4825, "geo_precision": 1},
        {
            "id": "s2",
            "date": "2025-08-07",
            "lon": 30.7233,
            "lat": 46.4825,
            "geo_precision": 1,
            "target_ids": ["fac-town"],
        },
    )
    assets = assets_frame(facilities=[facility_at("fac-town", 30.7233, 46.4825, 1)])
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES)
    assert rows(table) == [
        ("s1", "fac-town", "", "nearby", "low"),
        ("s2", "fac-town", "", "target", "high"),
    ]


def test_pair_radii_come_from_the_coarser_of_strike_and_asset_precision():
    # a precise strike (hit 0.5 km, threat 5 km); assets 4 km and 8 km east of it
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5, "geo_precision": 0}
    )
    (lon4, lon8), _, _ = GEOD.fwd([30.5, 30.5], [46.5, 46.5], [90, 90], [4_000, 8_000])
    assets = assets_frame(
        facilities=[
            facility_at("fac-exact-4km", lon4, 46.5, 0),  # strike radii: nearby
            facility_at("fac-town-4km", lon4 + 1e-9, 46.5, 2),  # asset's radii, but not exact
            facility_at("fac-exact-8km", lon8, 46.5, 0),  # beyond the 5 km threat radius
            facility_at("fac-town-8km", lon8 + 1e-9, 46.5, 1),  # within its 10 km threat radius
        ]
    )
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES)
    # within the 10 km hit radius of precision 2, but an asset known only to part of a district
    # cannot be hit by geometry alone: it is nearby
    assert rows(table) == [
        ("s1", "fac-exact-4km", "", "nearby", "low"),
        ("s1", "fac-town-4km", "", "nearby", "low"),
        ("s1", "fac-town-8km", "", "nearby", "low"),
    ]
    detail = dict(zip(table["asset_id"].astype(str), table["detail"], strict=True))
    assert detail["fac-town-4km"].startswith(
        "Town-4Km lies 4.0 km from the strike (its location is only known to part of a "
        "district, so the distance is approximate)"
    )
    assert (
        "(nearby); context, not evidence: the asset is drawn at a point for part of a "
        in (detail["fac-town-4km"])
    )
    assert detail["fac-exact-4km"] == (
        "Exact-4Km lies 4.0 km from the strike, within the 5.0 km threat radius (nearby)"
    )
    assert "within the 10 km threat radius" in detail["fac-town-8km"]


def test_asset_at_a_region_stand_in_links_only_when_named():
    # the depot sits on the strike's point but is only known to the oblast (precision 3)
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5, "geo_precision": 1},
        {
            "id": "s2",
            "date": "2025-08-07",
            "lon": 30.5,
            "lat": 46.5,
            "geo_precision": 1,
            "target_ids": ["fac-depot"],
        },
    )
    assets = assets_frame(
        facilities=[{**facility_at("fac-depot", 30.5, 46.5, 3), "owner_country": "AZE"}]
    )
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES)
    assert rows(table) == [
        ("s2", "fac-depot", "", "target", "high"),
        ("s2", "fac-depot", "AZE", "owner", "high"),
    ]
    assert table["detail"].iat[0] == (
        "Depot lies 0 m from the strike (its location is only known to the district or "
        "oblast, so the distance is approximate) and is named by sources as the target"
    )


def test_relation_valid_on_strike_date_only():
    strikes = strikes_frame(
        {
            "id": "s-2023",
            "date": "2023-05-01",
            "lon": 30.5,
            "lat": 46.5,
            "target_ids": ["fac-station"],
        },
        {
            "id": "s-2025",
            "date": "2025-08-06",
            "lon": 30.5,
            "lat": 46.5,
            "target_ids": ["fac-station"],
        },
    )
    assets = assets_frame(facilities=[{**STATION, "geometry": Point(30.5, 46.5)}])
    relations = relations_frame(
        {
            "asset_id": "fac-station",
            "country": "AZE",
            "relation": "supply_origin",
            "valid_from": "2025-07-28",
            "source": "https://example.org",
        },
        {
            "asset_id": "fac-station",
            "country": "MDA",
            "relation": "serves",
            "valid_to": "2024-01-01",
            "source": "https://example.org",
        },
    )
    table = link_strikes(
        strikes, assets, relations, NO_COUNTRIES, country_names={"AZE": "Azerbaijan"}
    )
    assert rows(table) == [
        ("s-2023", "fac-station", "", "target", "high"),
        ("s-2023", "fac-station", "MDA", "serves", "high"),
        ("s-2025", "fac-station", "", "target", "high"),
        ("s-2025", "fac-station", "AZE", "supply_origin", "high"),
    ]
    assert table["detail"].iat[3] == (
        "Azerbaijan: supply origin of its gas since 2025-07-28, through Station (named by "
        "sources as the target, 0 m)"
    )


def test_country_rows_inherit_the_asset_link_confidence_and_distance():
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5})
    assets = assets_frame(facilities=[{**STATION, "geometry": Point(30.6, 46.5)}])
    relations = relations_frame(
        {"asset_id": "fac-station", "country": "ROU", "relation": "transit", "source": "x"}
    )
    table = link_strikes(strikes, assets, relations, NO_COUNTRIES)
    assert rows(table) == [
        ("s1", "fac-station", "", "nearby", "low"),
        ("s1", "fac-station", "ROU", "transit", "low"),
    ]
    assert table["distance_m"].iat[1] == table["distance_m"].iat[0]


def test_owner_country_gives_owner_link_once_and_not_for_the_home_country():
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5})
    assets = assets_frame(
        facilities=[
            {**STATION, "owner_country": "AZE", "geometry": Point(30.5, 46.5)},
            {
                "id": "fac-home",
                "name": "Home",
                "asset_type": "oil_depot",
                "owner_country": "UKR",
                "geometry": Point(30.51, 46.5),
            },
        ]
    )
    relations = relations_frame(
        {"asset_id": "fac-station", "country": "AZE", "relation": "owner", "source": "x"}
    )
    table = link_strikes(strikes, assets, relations, COUNTRIES)
    owners = table[table["relation"] == "owner"]
    assert rows(owners) == [("s1", "fac-station", "AZE", "owner", "medium")]
    assert not table.duplicated(["strike_id", "asset_id", "country", "relation"]).any()


def test_location_and_border_with_distance_to_the_boundary():
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 30.0, "lat": 46.5})
    table = link_strikes(strikes, assets_frame(), NO_RELATIONS, COUNTRIES)
    assert rows(table) == [
        ("s1", "", "UKR", "location", "high"),
        ("s1", "", "MDA", "border", "low"),
    ]
    assert table["distance_m"].iat[1] == pytest.approx(geodesic(30.0, 46.5, 29.9, 46.5), abs=1)
    assert (
        table["detail"]
        .iat[1]
        .startswith(
            "The strike lies 7.7 km from the land border of Moldova (its location is only known to "
            "a town or village, so the distance is approximate)"
        )
    )


def test_border_radius_holds_for_many_strikes_on_both_sides_of_it():
    # 2,000 strikes east of the Ukraine-Moldova line at 29.9 E (north of 46 N, so Romania is far)
    rng = np.random.default_rng(5)
    lat = rng.uniform(46.6, 47.8, 2_000)
    metres = np.where(np.arange(2_000) % 2 == 0, 24_990.0, 25_010.0)
    lon, _, _ = GEOD.fwd(np.full(2_000, 29.9), lat, np.full(2_000, 90.0), metres)
    strikes = gpd.GeoDataFrame(
        {
            "id": [f"s{k:04d}" for k in range(2_000)],
            "date": "2025-08-06",
            "geo_precision": 1,
            "target_ids": [[] for _ in range(2_000)],
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )
    table = link_strikes(strikes, assets_frame(), NO_RELATIONS, COUNTRIES)
    border = table[table["relation"] == "border"]
    assert set(border["strike_id"].astype(str)) == {f"s{k:04d}" for k in range(0, 2_000, 2)}
    assert set(border["country"].astype(str)) == {"MDA"}
    # the line of longitude is not quite the nearest way to a meridian; within a metre
    assert border["distance_m"].to_numpy() == pytest.approx(24_990.0, abs=1.0)


def test_same_geometries_with_other_precisions_are_searched_anew():
    # the asset index is cached per geometry set; the precision groups must be part of the key
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5, "geo_precision": 0}
    )
    (lon4,), _, _ = GEOD.fwd([30.5], [46.5], [90], [4_000])
    exact = assets_frame(facilities=[facility_at("fac-depot", lon4, 46.5, 0)])
    vague = assets_frame(facilities=[facility_at("fac-depot", lon4, 46.5, 3)])
    town = assets_frame(facilities=[facility_at("fac-depot", lon4, 46.5, 2)])
    relations = [
        rows(link_strikes(strikes, a, NO_RELATIONS, NO_COUNTRIES)) for a in (exact, vague, town)
    ]
    distances = [
        link_strikes(strikes, a, NO_RELATIONS, NO_COUNTRIES)["distance_m"].tolist()
        for a in (exact, town)
    ]
    assert relations == [
        [("s1", "fac-depot", "", "nearby", "low")],  # exact: beyond the 0.5 km hit radius
        [],  # precision 3: only when named
        [("s1", "fac-depot", "", "nearby", "low")],  # within the 10 km hit radius, not exact
    ]
    assert distances[0] == pytest.approx(distances[1])


def test_downstream_follows_flow_direction_through_a_backward_segment():
    strikes = strikes_frame(
        {
            "id": "s1",
            "date": "2025-08-06",
            "lon": 30.0,
            "lat": 46.2,
            "geo_precision": 3,
            "target_ids": ["pipe-a"],
        }
    )
    pipe = {"asset_type": "gas_transmission", "owner_country": "UKR"}
    assets = assets_frame(
        pipelines=[
            {
                **pipe,
                "id": "pipe-a",
                "name": "UA segment",
                "flow_direction": "forward",
                "geometry": LineString([(30.0, 46.2), (29.95, 46.4)]),
            },
            {
                **pipe,
                "id": "pipe-b",
                "name": "MD segment",
                "owner_country": "MDA",
                "flow_direction": "backward",
                "geometry": LineString([(29.5, 46.6), (29.95, 46.4)]),
            },
            {
                **pipe,
                "id": "pipe-c",
                "name": "RO spur",
                "owner_country": "ROU",
                "flow_direction": "forward",
                "geometry": LineString([(29.5, 45.5), (30.0, 46.2)]),
            },
        ]
    )
    table = link_strikes(
        strikes,
        assets,
        NO_RELATIONS,
        NO_COUNTRIES,
        rules=ImpactRules(relations=("target", "downstream")),
        country_names={"MDA": "Moldova"},
    )
    downstream = table[table["relation"] == "downstream"]
    assert rows(downstream) == [("s1", "pipe-a", "MDA", "downstream", "high")]
    assert downstream["detail"].iat[0] == (
        "Moldova: downstream along UA segment -> MD segment (MD segment has its owner in "
        "Moldova), through UA segment (named by sources as the target, 0 m)"
    )


def test_candidates_are_skipped_unless_the_rules_include_them():
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5, "status": "candidate"}
    )
    table = link_strikes(strikes, assets_frame(), NO_RELATIONS, COUNTRIES)
    assert table.empty
    table = link_strikes(
        strikes, assets_frame(), NO_RELATIONS, COUNTRIES, rules=ImpactRules(include_candidates=True)
    )
    assert rows(table) == [("s1", "", "UKR", "location", "high")]


def test_rows_are_ordered_by_date_then_id_then_relation():
    strikes = strikes_frame(
        {"id": "s-b", "date": "2025-01-02", "lon": 30.5, "lat": 46.5},
        {"id": "s-c", "date": "2025-01-01", "lon": 30.5, "lat": 46.5},
        {"id": "s-a", "date": "2025-01-02", "lon": 30.5, "lat": 46.5},
    )
    assets = assets_frame(facilities=[{**STATION, "geometry": Point(30.6, 46.5)}])
    table = link_strikes(strikes, assets, NO_RELATIONS, COUNTRIES)
    assert list(table["strike_id"].astype(str)) == ["s-c", "s-c", "s-a", "s-a", "s-b", "s-b"]
    assert list(table["relation"].astype(str)[:2]) == ["nearby", "location"]


def test_empty_inputs_give_an_empty_table_with_the_columns():
    strikes = gpd.GeoDataFrame(
        {"id": [], "date": [], "geo_precision": [], "target_ids": []},
        geometry=gpd.GeoSeries([], crs=WGS84),
    )
    table = link_strikes(strikes, assets_frame(), NO_RELATIONS, NO_COUNTRIES)
    assert list(table.columns) == list(LINK_COLUMNS)
    assert table.empty


def test_crs_mismatch_is_refused():
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5})
    with pytest.raises(CRSError, match="CRS mismatch: strikes is in EPSG:4326 but countries"):
        link_strikes(strikes, assets_frame(), NO_RELATIONS, COUNTRIES.to_crs("EPSG:3857"))


def test_missing_crs_is_refused():
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5})
    with pytest.raises(CRSError, match="strikes: no CRS set"):
        link_strikes(
            strikes.set_crs(None, allow_override=True), assets_frame(), NO_RELATIONS, COUNTRIES
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"border_radius_m": -1}, "border_radius_m = -1"),
        ({"hit_radius_m": {0: -5}}, r"hit_radius_m\[0\] = -5"),
        ({"threat_radius_m": {0: 100, 1: 10_000, 2: 25_000}}, r"hit_radius_m\[0\] = 500.0 m"),
        ({"relations": ("target", "enemy")}, "unknown 'enemy'"),
    ],
)
def test_rules_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ImpactRules(**kwargs)


def test_duplicate_asset_ids_across_layers_are_refused():
    with pytest.raises(ValueError, match="found twice: x"):
        assets_frame(
            facilities=[{**STATION, "id": "x", "geometry": Point(30, 46)}],
            fuel_stations=[{"id": "x", "name": "X", "brand": "B", "geometry": Point(30, 46)}],
        )


def test_missing_geometries_give_unknown_distances_not_errors():
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5, "target_ids": ["fac-station"]}
    )
    assets = assets_frame(facilities=[{**STATION, "geometry": None}])
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES)
    assert rows(table) == [("s1", "fac-station", "", "target", "high")]
    assert np.isnan(table["distance_m"].iat[0])
    assert "Station lies an unknown distance from the strike" in table["detail"].iat[0]


@pytest.mark.parametrize(("lon", "lat"), [(18.5, 36.5), (51.5, 57.5), (30.7, 46.5)])
def test_assets_just_inside_the_threat_radius_are_found_anywhere_in_the_region(lon, lat):
    azimuths = np.arange(0, 360, 45)
    inside_lon, inside_lat, _ = GEOD.fwd([lon] * 8, [lat] * 8, azimuths, [9_999.0] * 8)
    outside_lon, outside_lat, _ = GEOD.fwd([lon] * 8, [lat] * 8, azimuths, [10_001.0] * 8)
    facilities = [
        {
            "id": f"fac-{kind}-{k}",
            "name": f"{kind} {k}",
            "asset_type": "oil_depot",
            "geometry": Point(x, y),
        }
        for kind, xs, ys in (("in", inside_lon, inside_lat), ("out", outside_lon, outside_lat))
        for k, (x, y) in enumerate(zip(xs, ys, strict=True))
    ]
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": lon, "lat": lat})
    every = ImpactRules(max_nearby_per_layer=None)
    assets = assets_frame(facilities=facilities)
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES, rules=every)
    assert sorted(table["asset_id"].astype(str)) == sorted(f"fac-in-{k}" for k in range(8))
    assert table["distance_m"].to_numpy() == pytest.approx(9_999.0, abs=0.01)


# --------------------------------------------------------------------------------------------
# Downstream from the point of the pipeline that was hit


def line_west_east(**extra) -> dict:
    """A forward gas line drawn west to east at 46.3 N, 30.0-31.0 E, owned in Ukraine."""
    return {
        "id": "pipe-we",
        "name": "West-east line",
        "asset_type": "gas_transmission",
        "owner_country": "UKR",
        "flow_direction": "forward",
        "geo_precision": 0,
        "geometry": LineString([(30.0, 46.3), (31.0, 46.3)]),
        **extra,
    }


def station(fid: str, lon: float, *, name: str) -> dict:
    return {
        "id": fid,
        "name": name,
        "asset_type": "compressor_station",
        "geo_precision": 0,
        "geometry": Point(lon, 46.3),
    }


def downstream_rows(table: pd.DataFrame) -> list[tuple[str, str, str, str, str]]:
    return rows(table[table["relation"] == "downstream"])


def test_downstream_starts_at_the_hit_point_not_at_every_node_of_the_pipeline():
    # a hit at 30.95 E on a west-to-east line: the station at 30.2 E is upstream of it,
    # the one at 30.98 E downstream
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.95, "lat": 46.301, "geo_precision": 0}
    )
    assets = assets_frame(
        pipelines=[line_west_east()],
        facilities=[
            station("fac-upstream", 30.2, name="Upstream station"),
            station("fac-downstream", 30.98, name="Downstream station"),
        ],
    )
    relations = relations_frame(
        {"asset_id": "fac-upstream", "country": "MDA", "relation": "serves", "source": "x"},
        {"asset_id": "fac-downstream", "country": "ROU", "relation": "serves", "source": "x"},
    )
    table = link_strikes(strikes, assets, relations, COUNTRIES, country_names={"ROU": "Romania"})
    assert downstream_rows(table) == [("s1", "pipe-we", "ROU", "downstream", "medium")]
    detail = table.loc[table["relation"] == "downstream", "detail"].iat[0]
    assert detail == (
        "Romania: downstream along West-east line (Downstream station serves Romania), through "
        "West-east line (a target within the hit radius, 0.1 km)"
    )


def test_both_ways_flow_gives_no_downstream_row_to_the_pipelines_own_owner():
    # the line's own owner is linked as owner; the rest of the same line is no downstream
    strikes = strikes_frame(
        {
            "id": "s1",
            "date": "2025-08-06",
            "lon": 30.5,
            "lat": 46.3,
            "geo_precision": 0,
            "target_ids": ["pipe-we"],
        }
    )
    assets = assets_frame(pipelines=[line_west_east(owner_country="ROU", flow_direction="both")])
    table = link_strikes(strikes, assets, NO_RELATIONS, COUNTRIES)
    assert rows(table) == [
        ("s1", "pipe-we", "", "target", "high"),
        ("s1", "pipe-we", "ROU", "owner", "high"),
        ("s1", "", "UKR", "location", "high"),
    ]


def test_multilinestring_pipelines_join_the_network_at_every_parts_ends():
    # the line is mapped in two parts with a gap; a Moldovan branch leaves the first part's end
    strikes = strikes_frame(
        {
            "id": "s1",
            "date": "2025-08-06",
            "lon": 30.1,
            "lat": 46.3,
            "geo_precision": 0,
            "target_ids": ["pipe-we"],
        }
    )
    parts = MultiLineString([[(30.0, 46.3), (30.3, 46.3)], [(30.5, 46.3), (30.8, 46.3)]])
    branch = {
        "id": "pipe-branch",
        "name": "Branch",
        "asset_type": "gas_transmission",
        "owner_country": "MDA",
        "flow_direction": "forward",
        "geo_precision": 0,
        "geometry": LineString([(30.3, 46.3), (30.3, 46.6)]),
    }
    assets = assets_frame(pipelines=[line_west_east(geometry=parts), branch])
    rules = ImpactRules(relations=("target", "downstream"))
    table = link_strikes(strikes, assets, NO_RELATIONS, COUNTRIES, rules=rules)
    assert downstream_rows(table) == [("s1", "pipe-we", "MDA", "downstream", "high")]


def test_an_asset_across_the_antimeridian_is_found_at_its_geodesic_distance():
    # the what-if probe takes any longitude: Chukotka, a depot 9.99 km east across 180 E
    (lon,), (lat,), _ = GEOD.fwd([179.95], [65.0], [90.0], [9_990.0])
    assert lon < 0
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 179.95, "lat": 65.0})
    assets = assets_frame(facilities=[facility_at("fac-depot", lon, lat, 0)])
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES)
    assert rows(table) == [("s1", "fac-depot", "", "nearby", "low")]
    assert table["distance_m"].iat[0] == pytest.approx(9_990.0, abs=0.01)


# --------------------------------------------------------------------------------------------
# Land borders, the territorial sea, and the strike's precision


def border_rows(table: pd.DataFrame) -> list[tuple[str, str, str, str, str]]:
    return rows(table[table["relation"].isin(["location", "border"])])


def test_a_coastline_across_the_sea_is_not_a_border():
    # Ukraine and a Bulgaria-like box share no land boundary: 20 km of sea lie between them
    countries = gpd.GeoDataFrame(
        {"iso3": ["UKR", "BGR"], "name": ["Ukraine", "Bulgaria"]},
        geometry=[box(29.9, 45.0, 32.0, 48.0), box(27.0, 44.0, 29.85, 44.9)],
        crs=WGS84,
    )
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 30.0, "lat": 45.05})
    table = link_strikes(strikes, assets_frame(), NO_RELATIONS, countries)
    assert border_rows(table) == [("s1", "", "UKR", "location", "high")]


def test_a_strike_at_sea_lies_in_the_territorial_sea_of_the_nearest_coastal_state():
    # 7.9 km off Romania's coast, 11 km off Ukraine's: both within 12 nautical miles
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.0, "lat": 44.9, "geo_precision": 0}
    )
    table = link_strikes(strikes, assets_frame(), NO_RELATIONS, COUNTRIES)
    assert border_rows(table) == [
        ("s1", "", "ROU", "location", "high"),
        ("s1", "", "UKR", "border", "low"),
    ]
    location, border = table["distance_m"].to_numpy()
    assert location == pytest.approx(geodesic(30.0, 44.9, 29.9, 44.9), abs=1)
    # the Ukrainian-Romanian land border ends at the coast, at 29.9 E, 45.0 N
    assert border == pytest.approx(geodesic(30.0, 44.9, 29.9, 45.0), abs=1)
    assert table["detail"].iat[0] == (
        "The strike lies at sea, 7.9 km off the coast of Romania, within its "
        "12-nautical-mile (22 km) territorial sea"
    )


def test_a_strike_far_out_at_sea_has_no_location():
    strikes = strikes_frame({"id": "s1", "date": "2025-08-06", "lon": 32.5, "lat": 46.0})
    assert link_strikes(strikes, assets_frame(), NO_RELATIONS, COUNTRIES).empty


@pytest.mark.parametrize(
    ("precision", "lon", "expected"),
    [
        # known to the feature: 2.3 km from Moldova is well beyond its 0.5 km uncertainty
        (0, 29.93, [("UKR", "location", "high"), ("MDA", "border", "low")]),
        # known to the town (3 km): Moldova might be where it fell
        (1, 29.93, [("UKR", "location", "medium"), ("MDA", "border", "low")]),
        (1, 30.0, [("UKR", "location", "high"), ("MDA", "border", "low")]),
        # known only to a region: no distance to a border is meaningful
        (3, 29.93, [("UKR", "location", "medium")]),
    ],
)
def test_location_and_border_honour_the_strikes_precision(precision, lon, expected):
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": lon, "lat": 47.0, "geo_precision": precision}
    )
    table = link_strikes(strikes, assets_frame(), NO_RELATIONS, COUNTRIES)
    assert [r[2:] for r in border_rows(table)] == expected


# --------------------------------------------------------------------------------------------
# Evidence tiers: what every link rests on


def test_every_link_says_what_it_rests_on_and_country_rows_are_no_stronger():
    # a precise strike: one asset named by sources, one exactly located within the 0.5 km hit
    # radius, one exactly located within the 5 km threat radius, one at a town centroid 200 m off
    strikes = strikes_frame(
        {
            "id": "s1",
            "date": "2025-08-06",
            "lon": 30.5,
            "lat": 46.5,
            "geo_precision": 0,
            "target_ids": ["fac-named"],
        }
    )
    (lon_hit, lon_threat, lon_town), _, _ = GEOD.fwd(
        [30.5] * 3, [46.5] * 3, [90] * 3, [300, 3_000, 200]
    )
    assets = assets_frame(
        facilities=[
            facility_at("fac-named", 30.52, 46.5, 0),
            facility_at("fac-hit", lon_hit, 46.5, 0),
            facility_at("fac-threat", lon_threat, 46.5, 0),
            facility_at("fac-town", lon_town, 46.5, 1),
        ]
    )
    relations = relations_frame(
        *(
            {"asset_id": a, "country": "ROU", "relation": "transit", "source": "x"}
            for a in ("fac-named", "fac-hit", "fac-threat", "fac-town")
        )
    )
    table = link_strikes(strikes, assets, relations, COUNTRIES)
    got = {
        (r.asset_id, r.country, r.relation): (r.confidence, r.basis)
        for r in table.astype(str).itertuples(index=False)
    }
    assert got == {
        ("fac-named", "", "target"): ("high", "named"),
        ("fac-hit", "", "target"): ("medium", "hit_radius"),
        ("fac-threat", "", "nearby"): ("low", "threat_radius"),
        ("fac-town", "", "nearby"): ("low", "context"),
        ("fac-named", "ROU", "transit"): ("high", "named"),
        ("fac-hit", "ROU", "transit"): ("medium", "hit_radius"),
        ("fac-threat", "ROU", "transit"): ("low", "threat_radius"),
        ("fac-town", "ROU", "transit"): ("low", "context"),
        ("", "UKR", "location"): ("high", ""),
    }


def test_a_town_centroid_asset_near_a_strike_is_context_and_says_so():
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5, "geo_precision": 0}
    )
    assets = assets_frame(facilities=[facility_at("fac-town", 30.5, 46.5, 1)])
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES)
    assert rows(table) == [("s1", "fac-town", "", "nearby", "low")]
    assert (
        table["detail"]
        .iat[0]
        .endswith(
            "context, not evidence: the asset is drawn at the town's coordinates, so being "
            "near the strike does not show that it was hit"
        )
    )


def test_tiers_are_defined_once():
    assert [tier_of(c) for c in ("high", "medium", "low")] == ["affected", "affected", "exposed"]


# --------------------------------------------------------------------------------------------
# Dense layers: the nearest few nearby assets per layer


def dense_power_lines(n: int) -> list[dict]:
    """``n`` parallel exactly mapped power lines north of Odesa, 10 m apart, the first 1 km off."""
    return [
        {
            "id": f"power-{k:03d}",
            "name": f"Line {k}",
            "owner_country": "ROU" if k % 2 else "UKR",
            "geo_precision": 0,
            "geometry": LineString([(30.6, 46.509 + k * 0.00009), (30.8, 46.509 + k * 0.00009)]),
        }
        for k in range(n)
    ]


def test_a_dense_layer_gives_the_nearest_few_nearby_assets_per_layer():
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.7, "lat": 46.5, "geo_precision": 0}
    )
    assets = assets_frame(
        power_lines=dense_power_lines(300),
        facilities=[facility_at("fac-depot", 30.72, 46.49, 0)],  # another layer, 1.8 km off
    )
    everything = link_strikes(
        strikes, assets, NO_RELATIONS, COUNTRIES, rules=ImpactRules(max_nearby_per_layer=None)
    )
    assert (everything["relation"] == "nearby").sum() == 301  # all within the 5 km threat radius
    table = link_strikes(strikes, assets, NO_RELATIONS, COUNTRIES)
    nearby = table[table["relation"] == "nearby"]
    kept = nearby.groupby(nearby["asset_layer"].astype(str))["asset_id"].apply(list).to_dict()
    assert kept == {
        "facilities": ["fac-depot"],
        "power_lines": ["power-000", "power-001", "power-002"],
    }
    # the owner links come through the kept lines only, and stay low
    owners = table[table["relation"] == "owner"]
    assert rows(owners) == [("s1", "power-001", "ROU", "owner", "low")]


def test_named_and_hit_assets_are_never_dropped_by_the_nearby_limit():
    strikes = strikes_frame(
        {
            "id": "s1",
            "date": "2025-08-06",
            "lon": 30.7,
            "lat": 46.5,
            "geo_precision": 0,
            "target_ids": ["power-299"],
        }
    )
    assets = assets_frame(power_lines=dense_power_lines(300))
    rules = ImpactRules(max_nearby_per_layer=2)
    table = link_strikes(strikes, assets, NO_RELATIONS, NO_COUNTRIES, rules=rules)
    assert rows(table[table["relation"] != "owner"]) == [
        ("s1", "power-299", "", "target", "high"),
        ("s1", "power-000", "", "nearby", "low"),
        ("s1", "power-001", "", "nearby", "low"),
    ]


def test_country_rows_name_their_asset_briefly_instead_of_repeating_its_sentence():
    strikes = strikes_frame(
        {"id": "s1", "date": "2025-08-06", "lon": 30.5, "lat": 46.5, "target_ids": ["fac-station"]}
    )
    assets = assets_frame(facilities=[{**STATION, "geometry": Point(30.5, 46.5)}])
    relations = relations_frame(
        *(
            {"asset_id": "fac-station", "country": c, "relation": "transit", "source": "x"}
            for c in ("BGR", "GRC", "ROU")
        )
    )
    names = {"BGR": "Bulgaria", "GRC": "Greece", "ROU": "Romania"}
    table = link_strikes(strikes, assets, relations, NO_COUNTRIES, country_names=names)
    details = dict(zip(table["country"].astype(str), table["detail"], strict=True))
    assert details[""] == "Station lies 0 m from the strike and is named by sources as the target"
    for code, name in names.items():
        assert details[code] == (
            f"{name}: transit, through Station (named by sources as the target, 0 m)"
        )
