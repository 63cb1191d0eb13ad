"""Layers are written one way (sorted, rounded, RFC 7946) and replaced atomically."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from strikemap.layers.catalog import CATALOG, COUNTRIES, STRIKES, LayerSpec
from strikemap.layers.errors import LayerWriteError
from strikemap.layers.io import (
    normalise_layer,
    read_layer,
    read_relations,
    write_layer,
    write_relations,
)


def strikes_frame() -> gpd.GeoDataFrame:
    """Three strikes out of id order, with more decimals than the writer keeps."""
    frame = gpd.GeoDataFrame(
        {
            "id": ["strike-c", "strike-a", "strike-b"],
            "name": ["C", "A", "Bé «quoted»"],
            "sources": [["https://example.org/c"], ["https://example.org/a"], ["dataset:ACLED"]],
            "geo_precision": [1, 2, 3],
            "date": ["2025-08-06", "2024-01-02", "2023-12-31"],
            "date_precision": ["day", "week", "month"],
            "weapon": ["drone", "missile", "unknown"],
            "status": ["confirmed", "context", "candidate"],
            "target_ids": [["fac-b", "fac-a"], [], []],
            "zz_extra": ["z", None, "z"],
            "aa_extra": [1, 2, 3],
        },
        geometry=[
            shapely.Point(28.123456789, 45.987654321),
            shapely.Point(30.7, 46.5),
            shapely.Point(29.000000449, 46.000000551),
        ],
        crs="EPSG:4326",
    )
    return normalise_layer(frame, STRIKES)


def clockwise_countries_frame() -> gpd.GeoDataFrame:
    """A country drawn clockwise with a counter-clockwise hole: the opposite of RFC 7946."""
    shell = [(20, 40), (20, 50), (30, 50), (30, 40), (20, 40)]
    hole = [(24, 44), (26, 44), (26, 46), (24, 46), (24, 44)]
    polygon = shapely.Polygon(shell, [hole])
    assert not shapely.is_ccw(polygon.exterior)
    frame = gpd.GeoDataFrame(
        {
            "id": ["country-x"],
            "name": ["X"],
            "sources": [["https://example.org"]],
            "geo_precision": [0],
            "iso3": ["XXX"],
        },
        geometry=[polygon],
        crs="EPSG:4326",
    )
    return normalise_layer(frame, COUNTRIES)


def write_read_write(frame: gpd.GeoDataFrame, spec: LayerSpec, folder: Path) -> tuple[str, str]:
    first = write_layer(frame, spec, data_dir=folder / "first").read_text(encoding="utf-8")
    back = read_layer(spec, data_dir=folder / "first")
    second = write_layer(back, spec, data_dir=folder / "second").read_text(encoding="utf-8")
    return first, second


@pytest.mark.parametrize("spec", CATALOG, ids=[s.name for s in CATALOG])
def test_every_layer_round_trips_to_identical_bytes(
    spec: LayerSpec, valid_data_dir: Path, tmp_path: Path
) -> None:
    frame = read_layer(spec, data_dir=valid_data_dir)
    assert len(frame) > 0
    first, second = write_read_write(frame, spec, tmp_path)
    assert first == second


def test_written_file_is_sorted_rounded_and_identical_after_a_round_trip(tmp_path: Path) -> None:
    first, second = write_read_write(strikes_frame(), STRIKES, tmp_path)
    assert first == second
    data = json.loads(first)
    assert [f["properties"]["id"] for f in data["features"]] == ["strike-a", "strike-b", "strike-c"]
    coordinates = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in data["features"]}
    assert coordinates["strike-c"] == [28.123457, 45.987654]
    assert coordinates["strike-b"] == [29.0, 46.000001]
    assert "crs" not in data
    decimals = re.findall(r"\d+\.(\d+)", first.split('"geometry"', 1)[1].split("}", 1)[0])
    assert all(len(d) <= 6 for d in decimals)


def test_written_file_keeps_lists_dates_text_and_extra_properties(tmp_path: Path) -> None:
    path = write_layer(strikes_frame(), STRIKES, data_dir=tmp_path)
    features = {
        f["properties"]["id"]: f["properties"]
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]
    }
    assert features["strike-c"]["target_ids"] == ["fac-b", "fac-a"]
    assert features["strike-a"]["target_ids"] == []
    assert features["strike-b"]["name"] == "Bé «quoted»"
    assert features["strike-b"]["date"] == "2023-12-31"
    assert features["strike-a"]["weapon_detail"] is None
    keys = list(features["strike-a"])
    assert keys[: len(STRIKES.field_names)] == list(STRIKES.field_names)
    assert keys[len(STRIKES.field_names) :] == ["aa_extra", "zz_extra"]
    assert "«" in path.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_polygons_are_written_counter_clockwise_with_clockwise_holes(tmp_path: Path) -> None:
    write_layer(clockwise_countries_frame(), COUNTRIES, data_dir=tmp_path)
    [polygon] = read_layer(COUNTRIES, data_dir=tmp_path).geometry
    assert shapely.is_ccw(polygon.exterior)
    assert not shapely.is_ccw(polygon.interiors[0])
    first, second = write_read_write(clockwise_countries_frame(), COUNTRIES, tmp_path)
    assert first == second


def test_relations_round_trip_sorted(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "asset_id": ["pipe-b", "fac-a", "fac-a"],
            "country": ["MDA", "UKR", "AZE"],
            "relation": ["serves", "owner", "supply_origin"],
            "valid_from": ["", "", "2025-07-28"],
            "valid_to": ["", "", ""],
            "note": ["", "a, with comma", ""],
            "source": ["https://example.org/1", "https://example.org/2", "https://example.org/3"],
        }
    )
    first = write_relations(table, data_dir=tmp_path / "first").read_text(encoding="utf-8")
    back = read_relations(data_dir=tmp_path / "first")
    second = write_relations(back, data_dir=tmp_path / "second").read_text(encoding="utf-8")
    assert first == second
    assert [line.split(",")[0:2] for line in first.splitlines()[1:]] == [
        ["fac-a", "AZE"],
        ["fac-a", "UKR"],
        ["pipe-b", "MDA"],
    ]


# --------------------------------------------------------------------------------------------
# Atomic writes: a failed write leaves the previous file byte-identical


@pytest.fixture
def previous(valid_data_dir: Path) -> Callable[[], bytes]:
    path = valid_data_dir / STRIKES.file
    before = path.read_bytes()

    def unchanged() -> bytes:
        assert path.read_bytes() == before
        assert not [p.name for p in valid_data_dir.iterdir() if p.name.endswith(".tmp")]
        return before

    return unchanged


def test_write_refuses_another_crs_and_keeps_the_previous_file(
    valid_data_dir: Path, previous: Callable[[], bytes]
) -> None:
    frame = strikes_frame().to_crs("EPSG:3857")
    with pytest.raises(LayerWriteError, match=r"reproject to EPSG:4326"):
        write_layer(frame, STRIKES, data_dir=valid_data_dir)
    previous()


def test_write_failing_midway_keeps_the_previous_file(
    valid_data_dir: Path, previous: Callable[[], bytes]
) -> None:
    frame = strikes_frame()
    frame["name"] = frame["name"].astype(object)  # Arrow strings refuse lone surrogates
    frame.loc[2, "name"] = "lone surrogate \ud800 cannot be encoded"  # fails while writing
    with pytest.raises(LayerWriteError, match=r"strikes\.geojson.*previous file is left untouched"):
        write_layer(frame, STRIKES, data_dir=valid_data_dir)
    previous()


def test_write_failing_at_replace_leaves_no_temporary_file(tmp_path: Path) -> None:
    blocked = tmp_path / STRIKES.file
    blocked.mkdir()  # a folder where the file should go: the final replace fails
    (blocked / "keep.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(LayerWriteError, match="could not be written"):
        write_layer(strikes_frame(), STRIKES, data_dir=tmp_path)
    assert (blocked / "keep.txt").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == [STRIKES.file]
