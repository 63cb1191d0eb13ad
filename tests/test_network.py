"""The pipeline network: endpoints snapped, facilities placed, flow directions honoured."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, MultiLineString, Point

from strikemap.geo.assets import combine_assets
from strikemap.geo.network import build_network, network_for
from strikemap.layers.catalog import ASSET_ROLES

WGS84 = "EPSG:4326"


def network_assets(directions: tuple[str, str, str], *, facility_at: tuple[float, float]):
    pipes = gpd.GeoDataFrame(
        {
            "id": ["p1", "p2", "p3"],
            "name": ["P1", "P2", "P3"],
            "flow_direction": list(directions),
            "owner_country": ["UKR", "MDA", "UKR"],
        },
        geometry=[
            LineString([(30.0, 46.0), (30.2, 46.0)]),
            # drawn ending at the shared node, 300 m off: snapped within the tolerance
            LineString([(30.4, 46.0), (30.2, 46.0027)]),
            LineString([(30.4, 46.0), (30.6, 46.0)]),
        ],
        crs=WGS84,
    )
    facilities = gpd.GeoDataFrame(
        {"id": ["f-mid"], "name": ["Mid station"]}, geometry=[Point(*facility_at)], crs=WGS84
    )
    return combine_assets({"pipelines": pipes, "facilities": facilities}, layers=ASSET_ROLES)


def test_downstream_crosses_a_backward_segment_in_drawing_order():
    assets = network_assets(("forward", "backward", "forward"), facility_at=(30.1, 46.0))
    network = build_network(assets, snap_tolerance_m=500)
    assert network.downstream("p1") == {
        "f-mid": ("p1",),
        "p2": ("p1", "p2"),
        "p3": ("p1", "p2", "p3"),
    }


def test_upstream_assets_are_not_downstream():
    assets = network_assets(("forward", "backward", "forward"), facility_at=(30.1, 46.0))
    network = build_network(assets, snap_tolerance_m=500)
    assert network.downstream("p3") == {}
    assert set(network.downstream("p2")) == {"p3"}


def test_facility_in_the_middle_of_a_line_splits_it():
    assets = network_assets(("forward", "backward", "forward"), facility_at=(30.1, 46.0))
    network = build_network(assets, snap_tolerance_m=500)
    assert network.downstream("f-mid") == {
        "p1": ("p1",),
        "p2": ("p1", "p2"),
        "p3": ("p1", "p2", "p3"),
    }


def test_a_gap_larger_than_the_tolerance_breaks_the_chain():
    assets = network_assets(("forward", "backward", "forward"), facility_at=(30.1, 46.0))
    network = build_network(assets, snap_tolerance_m=100)
    assert set(network.downstream("p1")) == {"f-mid"}


def test_both_ways_reaches_up_and_down():
    assets = network_assets(("both", "both", "both"), facility_at=(30.1, 46.0))
    network = build_network(assets, snap_tolerance_m=500)
    assert set(network.downstream("p3")) == {"p1", "p2", "f-mid"}


def test_facility_off_the_network_reaches_nothing():
    assets = network_assets(("forward", "forward", "forward"), facility_at=(31.0, 47.0))
    network = build_network(assets, snap_tolerance_m=500)
    assert network.downstream("f-mid") == {}


def test_network_is_cached_per_asset_set():
    assets = network_assets(("forward", "backward", "forward"), facility_at=(30.1, 46.0))
    first = network_for(assets, snap_tolerance_m=500)
    assert network_for(assets.copy(), snap_tolerance_m=500) is first
    assert network_for(assets, snap_tolerance_m=100) is not first


def test_reach_masks_cover_a_cycle_and_what_leaves_it():
    # p1 flows both ways, p2 backward and p3 forward: p1 and f-mid form a cycle that p2 leaves
    assets = network_assets(("both", "backward", "forward"), facility_at=(30.1, 46.0))
    network = build_network(assets, snap_tolerance_m=500)
    labels = {"p1": 1, "p2": 2, "p3": 4, "f-mid": 8}
    masks = network.reach_masks(labels)
    assert masks[network.facility_nodes["f-mid"]] == 1 | 2 | 4 | 8
    assert set(masks.values()) >= {4}  # the node p3 leaves reaches only p3


def test_downstream_of_a_hit_starts_where_the_line_was_hit():
    # f-mid sits at 30.1 E on p1 (forward, 30.0 -> 30.2): a hit east of it leaves it upstream
    assets = network_assets(("forward", "backward", "forward"), facility_at=(30.1, 46.0))
    network = build_network(assets, snap_tolerance_m=500)
    assert set(network.downstream("p1", at=Point(30.15, 46.0))) == {"p2", "p3"}
    assert set(network.downstream("p1", at=Point(30.05, 46.0))) == {"f-mid", "p2", "p3"}
    assert network.downstream("p1", at=Point(30.15, 46.0))["p3"] == ("p1", "p2", "p3")


def test_a_hit_on_a_line_flowing_both_ways_reaches_both_sides_of_the_hit():
    assets = network_assets(("both", "both", "both"), facility_at=(30.1, 46.0))
    network = build_network(assets, snap_tolerance_m=500)
    assert set(network.downstream("p2", at=Point(30.3, 46.0))) == {"p1", "p3", "f-mid"}


def test_every_part_of_a_multilinestring_is_joined_at_its_ends():
    pipes = gpd.GeoDataFrame(
        {"id": ["multi", "branch"], "name": ["Multi", "Branch"], "flow_direction": ["forward"] * 2},
        geometry=[
            MultiLineString([[(30.0, 46.0), (30.2, 46.0)], [(30.4, 46.0), (30.6, 46.0)]]),
            LineString([(30.2, 46.0), (30.2, 46.3)]),
        ],
        crs=WGS84,
    )
    network = build_network(
        combine_assets({"pipelines": pipes}, layers=ASSET_ROLES), snap_tolerance_m=500
    )
    assert set(network.downstream("multi", at=Point(30.1, 46.0))) == {"branch"}
    assert network.downstream("multi", at=Point(30.5, 46.0)) == {}
