"""Merge rules: provenance matches, same-strike matches, stable ids, the diff."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely import Point

from strikemap.layers.catalog import FACILITIES, STRIKES
from strikemap.layers.io import STORAGE_CRS, normalise_layer
from strikemap.layers.merge import merge_layer, targets_compatible

KM_LAT = 1 / 111.2
"""Degrees of latitude in one kilometre."""


def strikes(*rows: dict) -> gpd.GeoDataFrame:
    records = []
    for row in rows:
        record = {
            "id": "strike-2025-08-06-orlivka",
            "name": "Strike",
            "sources": ["https://example.org/a"],
            "geo_precision": 1,
            "date": "2025-08-06",
            "date_precision": "day",
            "weapon": "drone",
            "status": "confirmed",
            "target_ids": [],
            "lat": 45.39,
            "lon": 28.53,
        }
        record.update(row)
        records.append(record)
    table = pd.DataFrame(records)
    geometry = [
        Point(lon, lat) for lon, lat in zip(table.pop("lon"), table.pop("lat"), strict=True)
    ]
    frame = normalise_layer(gpd.GeoDataFrame(table, geometry=geometry, crs=STORAGE_CRS), STRIKES)
    frame["_where"] = [f"row {i + 2}" for i in range(len(frame))]
    return frame


EXISTING = {"provenance": "research:B-E15", "target_ids": ["fac-orlivka-cs"]}


def test_same_provenance_updates_and_keeps_the_id():
    existing = strikes({"provenance": "acled:1", "id": "strike-old-id"})
    incoming = strikes({"provenance": "acled:1", "id": "strike-new-id", "weapon": "missile"})
    diff = merge_layer(existing.drop(columns="_where"), incoming, STRIKES)
    assert diff.updated == {"strike-old-id": ["weapon"]}
    assert list(diff.frame["id"]) == ["strike-old-id"]


def test_same_rows_again_change_nothing():
    existing = strikes({"provenance": "acled:1"})
    diff = merge_layer(existing.drop(columns="_where"), strikes({"provenance": "acled:1"}), STRIKES)
    assert (diff.added, diff.updated, diff.unchanged) == ([], {}, ["strike-2025-08-06-orlivka"])


def test_same_strike_a_day_later_nearby_merges_sources():
    existing = strikes(EXISTING)
    incoming = strikes(
        {
            "provenance": "acled:9",
            "date": "2025-08-07",
            "lat": 45.39 + 1.5 * KM_LAT,
            "sources": ["dataset:ACLED (Suspilne)"],
            "id": "strike-2025-08-07-x",
        }
    )
    diff = merge_layer(existing.drop(columns="_where"), incoming, STRIKES)
    merged = diff.frame.iloc[0]
    assert merged["sources"] == ["https://example.org/a", "dataset:ACLED (Suspilne)"]
    assert merged["provenance"] == "research:B-E15"


def test_other_report_does_not_move_or_overwrite():
    existing = strikes(EXISTING)
    incoming = strikes({"provenance": "acled:9", "weapon": "missile", "lat": 45.39 + KM_LAT})
    merged = merge_layer(existing.drop(columns="_where"), incoming, STRIKES).frame.iloc[0]
    assert (merged["weapon"], merged.geometry.y) == ("drone", 45.39)


def test_three_km_away_is_another_strike():
    existing = strikes(EXISTING)
    incoming = strikes({"provenance": "acled:9", "lat": 45.39 + 3 * KM_LAT})
    diff = merge_layer(existing.drop(columns="_where"), incoming, STRIKES)
    assert diff.added == ["strike-2025-08-06-orlivka-2"]


def test_two_days_apart_is_another_strike():
    existing = strikes(EXISTING)
    incoming = strikes({"provenance": "acled:9", "date": "2025-08-08", "id": "strike-2025-08-08-x"})
    diff = merge_layer(existing.drop(columns="_where"), incoming, STRIKES)
    assert diff.added == ["strike-2025-08-08-x"]


def test_candidate_never_merges_into_confirmed_strike():
    existing = strikes(EXISTING)
    incoming = strikes(
        {
            "provenance": "firms:fac-orlivka-cs:2025-08-06",
            "status": "candidate",
            "target_ids": ["fac-orlivka-cs"],
            "id": "firms-2025-08-06-fac-orlivka-cs",
        }
    )
    diff = merge_layer(existing.drop(columns="_where"), incoming, STRIKES)
    assert diff.added == ["firms-2025-08-06-fac-orlivka-cs"]


def test_different_named_targets_are_different_strikes():
    existing = strikes(EXISTING)
    incoming = strikes({"provenance": "x:1", "target_ids": ["fac-other"], "id": "strike-y"})
    assert merge_layer(existing.drop(columns="_where"), incoming, STRIKES).added == ["strike-y"]


def test_target_classes():
    assert not targets_compatible([], "port infrastructure", [], "gas compressor station")
    assert targets_compatible([], "energy", [], "oil depot")
    assert targets_compatible([], None, ["fac-a"], "port")


def test_new_id_avoids_ids_of_other_layers():
    incoming = strikes({"provenance": "acled:1", "id": "fac-orlivka-cs"})
    diff = merge_layer(
        strikes({}).iloc[:0].drop(columns="_where"), incoming, STRIKES, taken_ids={"fac-orlivka-cs"}
    )
    assert diff.added == ["fac-orlivka-cs-2"]


def test_duplicate_source_rows_in_one_file_become_one_feature():
    incoming = strikes({"provenance": "acled:1"}, {"provenance": "acled:1", "weapon": "missile"})
    diff = merge_layer(strikes({}).iloc[:0].drop(columns="_where"), incoming, STRIKES)
    assert (diff.added, list(diff.frame["weapon"])) == (["strike-2025-08-06-orlivka"], ["missile"])


def test_outcomes_name_incoming_rows():
    existing = strikes({"provenance": "acled:1"})
    incoming = strikes(
        {"provenance": "acled:1"},
        {"provenance": "acled:2", "date": "2025-09-01", "id": "strike-2025-09-01-x"},
    )
    diff = merge_layer(existing.drop(columns="_where"), incoming, STRIKES)
    assert diff.outcomes == [
        ("row 2", "strike-2025-08-06-orlivka", "unchanged"),
        ("row 3", "strike-2025-09-01-x", "added"),
    ]


def test_assets_match_only_by_provenance():
    def facility(provenance: str, fid: str, operator: str) -> gpd.GeoDataFrame:
        frame = gpd.GeoDataFrame(
            pd.DataFrame(
                [
                    {
                        "id": fid,
                        "name": "Depot",
                        "sources": ["https://example.org"],
                        "geo_precision": 0,
                        "provenance": provenance,
                        "asset_type": "oil_depot",
                        "operator": operator,
                    }
                ]
            ),
            geometry=[Point(30.7, 46.5)],
            crs=STORAGE_CRS,
        )
        return normalise_layer(frame, FACILITIES).assign(_where=provenance)

    existing = facility("osm:way/1", "fac-osm-way-1", "Old Co").drop(columns="_where")
    incoming = pd.concat(
        [
            facility("osm:way/1", "fac-osm-way-1", "New Co"),
            facility("osm:way/2", "fac-osm-way-2", "Old Co"),
        ]
    )
    diff = merge_layer(existing, gpd.GeoDataFrame(incoming, crs=STORAGE_CRS), FACILITIES)
    assert (diff.updated, diff.added) == ({"fac-osm-way-1": ["operator"]}, ["fac-osm-way-2"])
