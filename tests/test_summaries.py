"""Per-country and per-strike summaries, and the CSV/JSON/GeoJSON conversions of the links."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, box

from strikemap.exports.links import links_to_csv, links_to_geojson, links_to_json
from strikemap.geo.assets import combine_assets
from strikemap.geo.impact import LINK_COLUMNS, link_strikes
from strikemap.geo.summaries import COUNTRY_SUMMARY_COLUMNS, country_summary, strike_summary
from strikemap.layers.catalog import ASSET_ROLES

WGS84 = "EPSG:4326"
STRIKES = gpd.GeoDataFrame(
    {
        "id": ["s1", "s2"],
        "name": ["One", "Two"],
        "date": ["2025-08-06", "2025-08-18"],
        "geo_precision": [1, 1],
        "status": ["confirmed", "confirmed"],
        "target_ids": [["depot"], []],
    },
    geometry=[Point(30.5, 46.5), Point(30.52, 46.5)],
    crs=WGS84,
)
ASSETS = combine_assets(
    {
        "facilities": gpd.GeoDataFrame(
            {
                "id": ["depot"],
                "name": ["Depot"],
                "asset_type": ["oil_depot"],
                "owner_country": ["AZE"],
            },
            geometry=[Point(30.51, 46.5)],
            crs=WGS84,
        ),
        "pipelines": gpd.GeoDataFrame(
            {"id": ["pipe"], "name": ["Pipe"], "asset_type": ["oil"], "flow_direction": ["both"]},
            geometry=[LineString([(30.4, 46.55), (30.6, 46.55)])],
            crs=WGS84,
        ),
    },
    layers=ASSET_ROLES,
)
COUNTRIES = gpd.GeoDataFrame(
    {"iso3": ["UKR"], "name": ["Ukraine"]}, geometry=[box(29.9, 45, 32, 48)], crs=WGS84
)
RELATIONS = pd.DataFrame(
    columns=["asset_id", "country", "relation", "valid_from", "valid_to", "note", "source"]
)
TABLE = link_strikes(STRIKES, ASSETS, RELATIONS, COUNTRIES)


def link_rows(*rows: tuple[str, str, str, str, str]) -> pd.DataFrame:
    """A link table from ``(strike, asset, country, relation, confidence)`` rows."""
    frame = pd.DataFrame(
        rows, columns=["strike_id", "asset_id", "country", "relation", "confidence"]
    )
    return frame.assign(asset_layer="", distance_m=0.0, basis="", detail="")


TIER_STRIKES = pd.DataFrame(
    {
        "id": ["s1", "s2", "s3", "s4"],
        "date": ["2025-08-01", "2025-08-02", "2025-08-03", "2025-08-04"],
    }
)
TIER_LINKS = link_rows(
    # s1 reaches Azerbaijan at high (a named depot) and at low (a nearby one): affected, once
    ("s1", "depot", "AZE", "owner", "high"),
    ("s1", "station", "AZE", "supply_origin", "low"),
    ("s1", "", "UKR", "location", "high"),
    # s2 reaches Azerbaijan only through a nearby station: exposed
    ("s2", "station", "AZE", "supply_origin", "low"),
    ("s2", "", "UKR", "location", "medium"),
    # s3 hits a station by distance (medium): Romania affected by transit
    ("s3", "station", "ROU", "transit", "medium"),
    ("s3", "", "MDA", "border", "low"),
    ("s4", "", "UKR", "location", "high"),
)


def test_country_summary_counts_strikes_per_tier_not_the_strongest_link_overall():
    summary = country_summary(TIER_LINKS, TIER_STRIKES, country_names={"AZE": "Azerbaijan"})
    assert list(summary.columns) == list(COUNTRY_SUMMARY_COLUMNS)
    by = summary.set_index("country")
    counts = by[["affected", "exposed", "strikes", "high", "medium", "low"]].to_dict("index")
    assert counts == {
        "UKR": {"affected": 3, "exposed": 0, "strikes": 3, "high": 2, "medium": 1, "low": 0},
        "AZE": {"affected": 1, "exposed": 1, "strikes": 2, "high": 1, "medium": 0, "low": 1},
        "ROU": {"affected": 1, "exposed": 0, "strikes": 1, "high": 0, "medium": 1, "low": 0},
        "MDA": {"affected": 0, "exposed": 1, "strikes": 1, "high": 0, "medium": 0, "low": 1},
    }
    assert (by.loc["AZE", "affected_by"], by.loc["AZE", "exposed_by"]) == ("owner", "supply_origin")
    assert by.loc["AZE", "name"] == "Azerbaijan"
    assert (by.loc["AZE", "first_date"], by.loc["AZE", "last_date"]) == ("2025-08-01", "2025-08-02")
    # affected first, most affected first; exposed-only countries after
    assert list(summary["country"]) == ["UKR", "AZE", "ROU", "MDA"]


def test_country_summary_of_no_links_has_the_columns():
    summary = country_summary(TIER_LINKS.iloc[:0], TIER_STRIKES)
    assert list(summary.columns) == list(COUNTRY_SUMMARY_COLUMNS)
    assert summary.empty


def test_strike_summary_is_one_line_per_strike():
    summary = strike_summary(TABLE, STRIKES)
    assert list(summary["strike_id"]) == ["s1", "s2"]
    assert summary["summary"].iat[0] == "AZE (owner); UKR (location)"


def test_csv_and_json_have_the_link_columns():
    csv_text = links_to_csv(TABLE)
    assert csv_text.splitlines()[0] == ",".join(LINK_COLUMNS)
    records = json.loads(links_to_json(TABLE))
    assert len(records) == len(TABLE)
    assert list(records[0]) == list(LINK_COLUMNS)


def test_geojson_draws_lines_to_the_nearest_point_and_points_for_country_links():
    collection = json.loads(links_to_geojson(TABLE, STRIKES, ASSETS))
    by_kind = {}
    for feature in collection["features"]:
        props = feature["properties"]
        by_kind.setdefault((props["strike_id"], props["asset_id"], props["relation"]), feature)
    pipe = by_kind[("s1", "pipe", "nearby")]["geometry"]
    assert pipe["type"] == "LineString"
    (lon0, lat0), (lon1, lat1) = pipe["coordinates"]
    assert (lon0, lat0) == (30.5, 46.5)
    assert abs(lon1 - 30.5) < 0.001
    assert abs(lat1 - 46.55) < 0.0005
    location = by_kind[("s1", "", "location")]["geometry"]
    assert location == {"type": "Point", "coordinates": [30.5, 46.5]}


def test_every_link_file_defuses_spreadsheet_formulas_in_text():
    hostile = TABLE.astype({"detail": object}).assign(detail='=HYPERLINK("http://evil.example")')
    csv_text = links_to_csv(hostile)
    assert "'=HYPERLINK" in csv_text
    assert "\n=HYPERLINK" not in csv_text
    assert ",=HYPERLINK" not in csv_text
    categorical = hostile.astype({"detail": "category"})
    assert links_to_csv(categorical) == csv_text
