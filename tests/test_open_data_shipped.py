"""The shipped layers built from open data: real routes, a connected network, honest precision."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from strikemap.geo.assets import combine_assets
from strikemap.geo.crs import METRIC_CRS
from strikemap.geo.network import build_network
from strikemap.geo.rules import SNAP_TOLERANCE_M
from strikemap.layers.catalog import ASSET_LAYERS, ASSET_ROLES, CATALOG, OPEN_DATA_BOUNDS
from strikemap.layers.credits import CREDITS
from strikemap.layers.io import read_layers
from strikemap.layers.paths import SHIPPED_DATA_DIR

KEPT_SCHEMATIC = {
    "pipe-tb-ua-orlivka-causeni",
    "pipe-tb-causeni-ananiv",
    "power-vulcanesti-chisinau",
}
"""Research lines no open dataset draws better (docs/DATA.md says why)."""
ROUTE_1 = [
    "pipe-tb-gr-revithoussa-kulata",
    "pipe-tb-bg-kulata-negru-voda",
    "pipe-tb-ro-negru-voda-isaccea",
    "pipe-tb-isaccea-orlivka",
    "pipe-tb-ua-orlivka-causeni",
    "pipe-tb-causeni-ananiv",
]


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return read_layers(data_dir=SHIPPED_DATA_DIR)


@pytest.fixture(scope="module")
def network(layers):
    return build_network(
        combine_assets(layers, layers=ASSET_ROLES), snap_tolerance_m=SNAP_TOLERANCE_M
    )


def test_the_trans_balkan_line_connects_turkey_to_orlivka_in_the_flow_direction(network):
    assert network.path_to("pipe-gem-p3933", "fac-orlivka-cs") == (
        "pipe-gem-p3933",
        "pipe-tb-ro-negru-voda-isaccea",
        "pipe-tb-isaccea-orlivka",
    )


def test_route_1_flows_from_the_greek_lng_terminal_to_ananiv(network):
    assert network.path_to(ROUTE_1[0], ROUTE_1[-1]) == tuple(ROUTE_1)
    reached = network.downstream_hops(ROUTE_1[0])
    assert {"fac-isaccea-orlivka-ip", "fac-orlivka-cs", "fac-causeni-gms"} <= set(reached)


def test_nothing_flows_back_south_from_orlivka(network):
    reached = set(network.downstream_hops("fac-orlivka-cs"))
    assert reached == {"pipe-tb-ua-orlivka-causeni", "fac-causeni-gms", "pipe-tb-causeni-ananiv"}


def test_the_turkish_part_crosses_the_turkish_bulgarian_border(layers):
    countries = layers["countries"].set_index("iso3").geometry
    line = layers["pipelines"].set_index("id").geometry["pipe-gem-p3933"]
    assert line.intersects(countries["TUR"])
    assert line.intersects(countries["BGR"])


def metric_length(geometry: shapely.Geometry) -> float:
    return float(gpd.GeoSeries([geometry], crs="EPSG:4326").to_crs(METRIC_CRS).length.iloc[0])


def test_the_greek_route_runs_over_land_not_across_the_aegean(layers):
    countries = layers["countries"].set_index("iso3").geometry
    land = shapely.union(countries["GRC"], countries["BGR"])
    line = layers["pipelines"].set_index("id").geometry["pipe-tb-gr-revithoussa-kulata"]
    at_sea = metric_length(line.difference(land)) / metric_length(line)
    assert at_sea < 0.05  # the landfall near Revithoussa and coastal simplification


def test_odesa_brody_stays_in_ukraine(layers):
    countries = layers["countries"].set_index("iso3").geometry
    line = layers["pipelines"].set_index("id").geometry["pipe-odesa-brody"]
    assert not line.intersects(countries["MDA"])


def test_only_the_documented_research_lines_stay_schematic_between_towns(layers):
    lines = pd.concat([layers["pipelines"], layers["power_lines"]])
    research = lines[lines["provenance"].str.startswith("research:")]
    town_to_town = set(research.loc[research["geo_precision"] == 3, "id"])
    assert town_to_town == KEPT_SCHEMATIC
    redrawn = research[~research["id"].isin(KEPT_SCHEMATIC)]
    assert redrawn["location_note"].str.startswith("Route from ").all()
    kept = research[research["id"].isin(KEPT_SCHEMATIC)]
    assert kept["location_note"].str.contains("Not redrawn from open data: ").all()


def test_merged_research_assets_keep_their_id_and_name_the_record(layers):
    facilities = layers["facilities"].set_index("id")
    izmail = facilities.loc["fac-izmail-port"]
    assert izmail["provenance"] == "research:B-A14; wpi:43625"
    assert "World Port Index" in izmail["location_note"]
    refinery = facilities.loc["fac-odesa-refinery"]
    assert refinery["provenance"].endswith("pypsa-refinery:odesa-refinery-lukoil")
    artsyz = layers["substations"].set_index("id").loc["fac-artsyz-substation"]
    assert artsyz["provenance"] == "research:B-A23; gridkit:station/3817"
    assert not (layers["substations"]["provenance"] == "gridkit:station/3817").any()


def test_open_data_assets_are_never_located_to_the_feature_itself(layers):
    for spec in ASSET_LAYERS:
        frame = layers[spec.name]
        opened = frame[~frame["provenance"].fillna("").str.startswith("research:")]
        assert (opened["geo_precision"] >= 1).all(), spec.name
    grid = layers["power_lines"][layers["power_lines"]["provenance"].str.startswith("gridkit:")]
    assert set(grid["route_accuracy"]) == {"schematic"}


DATASET_OF = {
    "research": "research",
    "gem": "gem",
    "scigrid": "scigrid",
    "gridkit": "gridkit",
    "ppm": "powerplantmatching",
    "pypsa-refinery": "refineries",
    "wpi": "wpi",
    "geonames": "geonames",
    "naturalearth": "naturalearth",
    "ucdp": "ucdp",
    "dataset": "naturalearth",  # the countries: 'dataset:Natural Earth 10m admin-0 ...'
}
"""Provenance prefix -> the credit of its dataset."""


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_each_layer_credits_every_dataset_its_features_come_from(layers, spec):
    frame = layers[spec.name]
    records = frame["provenance"].dropna().str.split(";").explode().str.strip()
    datasets = {DATASET_OF[p.split(":")[0]] for p in records}
    assert datasets <= {c.key for c in spec.credits}
    assert all(CREDITS[key].licence in spec.attribution for key in datasets)


def test_open_data_stays_in_the_map_region(layers):
    box = shapely.box(*OPEN_DATA_BOUNDS).buffer(1e-6)
    for name in ("power_lines", "substations", "power_plants", "places", "conflict_events"):
        frame = layers[name]
        opened = frame[~frame["provenance"].fillna("").str.startswith("research:")]
        assert shapely.covered_by(opened.geometry.values, box).all(), name


def test_crimea_is_ukrainian_de_jure_with_a_note(layers):
    regions = layers["regions"]
    crimea = regions[regions.contains(shapely.Point(34.1, 44.95))]
    assert list(crimea["iso3"]) == ["UKR"]
    assert crimea["notes"].iloc[0].startswith("De jure part of Ukraine.")


def test_places_around_the_danube_include_the_villages_strikes_are_placed_at(layers):
    names = set(layers["places"]["name"])
    assert {"Orlivka", "Novosilske", "Isaccea", "Reni", "Izmayil", "Hrebenyky"} <= names
