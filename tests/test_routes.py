"""Supply and transit routes along the pipeline network (geo.routes)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from strikemap.geo.assets import combine_assets
from strikemap.geo.network import build_network
from strikemap.geo.routes import relation_routes
from strikemap.layers.catalog import ASSET_ROLES

WGS84 = "EPSG:4326"
# a Trans-Balkan-like chain drawn through boxes standing in for the countries (test geometry)
KULATA = (23.35, 41.40)
NEGRU_VODA = (28.21, 43.82)
ISACCEA = (28.46, 45.27)
ORLIVKA = (28.53, 45.39)
CAUSENI = (29.41, 46.64)
COUNTRIES = {
    "GRC": box(20.0, 36.0, 26.0, 41.40),
    "BGR": box(22.4, 41.40, 28.6, 43.82),
    "ROU": box(20.3, 43.82, 29.7, 45.30),
    "UKR": box(28.3, 45.30, 40.0, 46.50),
    "MDA": box(26.6, 46.50, 30.1, 48.5),
    "AZE": box(44.7, 38.3, 50.4, 41.9),
}


@pytest.fixture
def network_layers():
    pipelines = gpd.GeoDataFrame(
        {
            "id": ["pipe-gr", "pipe-bg", "pipe-ro", "pipe-ua", "pipe-md"],
            "name": [
                "Greek part",
                "Bulgarian part",
                "Romanian part",
                "Isaccea-Orlivka",
                "Orlivka-Causeni",
            ],
            "flow_direction": ["forward"] * 5,
        },
        geometry=[
            LineString([(23.4, 38.0), (23.0, 40.0), KULATA]),
            LineString([KULATA, (26.0, 42.6), NEGRU_VODA]),
            LineString([NEGRU_VODA, (28.6, 44.6), ISACCEA]),
            LineString([ISACCEA, ORLIVKA]),
            LineString([ORLIVKA, CAUSENI]),
        ],
        crs=WGS84,
    )
    facilities = gpd.GeoDataFrame(
        {"id": ["fac-orlivka"], "name": ["Orlivka station"]}, geometry=[Point(ORLIVKA)], crs=WGS84
    )
    countries = gpd.GeoDataFrame(
        {"iso3": list(COUNTRIES), "name": list(COUNTRIES)},
        geometry=list(COUNTRIES.values()),
        crs=WGS84,
    )
    assets = combine_assets({"pipelines": pipelines, "facilities": facilities}, layers=ASSET_ROLES)
    return build_network(assets, snap_tolerance_m=1_000), pipelines, countries


def links(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [("s-1", asset, country, relation) for asset, country, relation in rows],
        columns=["strike_id", "asset_id", "country", "relation"],
    )


def test_a_transit_country_upstream_gets_the_route_from_where_it_enters(network_layers):
    network, pipelines, countries = network_layers
    (route,) = relation_routes(
        links(("fac-orlivka", "BGR", "transit")), network, pipelines, countries
    )
    assert route.pipelines == ("pipe-bg", "pipe-ro", "pipe-ua")
    assert route.reaches_country
    coords = list(route.geometry.coords)
    assert coords[0] == pytest.approx(KULATA)  # from the border crossing, in flow order ...
    assert coords[-1] == pytest.approx(ORLIVKA)  # ... to the asset


def test_a_transit_country_downstream_gets_the_route_onwards(network_layers):
    network, pipelines, countries = network_layers
    (route,) = relation_routes(
        links(("fac-orlivka", "MDA", "transit")), network, pipelines, countries
    )
    assert route.pipelines == ("pipe-md",)
    assert list(route.geometry.coords)[-1] == pytest.approx(CAUSENI)


def test_a_supply_origin_beyond_the_network_is_drawn_from_its_furthest_point(network_layers):
    network, pipelines, countries = network_layers
    (route,) = relation_routes(
        links(("fac-orlivka", "AZE", "supply_origin")), network, pipelines, countries
    )
    assert route.pipelines == ("pipe-gr", "pipe-bg", "pipe-ro", "pipe-ua")
    assert not route.reaches_country  # and the label says so


def test_no_route_without_a_country_polygon_or_for_other_relations(network_layers):
    network, pipelines, countries = network_layers
    rows = links(
        ("fac-orlivka", "USA", "supply_origin"),  # no polygon on the map
        ("fac-orlivka", "UKR", "owner"),  # not a route relation
        ("", "ROU", "border"),
        ("fac-nowhere", "ROU", "transit"),  # off the network
    )
    assert relation_routes(rows, network, pipelines, countries) == []


def test_routes_do_not_change_the_join(network_layers):
    network, _, _ = network_layers
    # node positions are for drawing only: downstream reach is what it was
    assert set(network.downstream("pipe-bg")) == {"pipe-ro", "pipe-ua", "pipe-md", "fac-orlivka"}
    assert network.node_points[network.facility_nodes["fac-orlivka"]] == pytest.approx(ORLIVKA)
