"""NASA FIRMS fire detections -> candidate strikes near assets."""

from __future__ import annotations

from pathlib import Path

import pytest

from strikemap.layers.importers import ImportFileError, parse_firms
from strikemap.layers.io import read_layers

FIXTURES = Path(__file__).parent / "fixtures" / "import"
VIIRS = FIXTURES / "firms_viirs.csv"
MODIS = FIXTURES / "firms_modis.csv"


@pytest.fixture(scope="module")
def assets():
    return read_layers(data_dir=FIXTURES / "data")


@pytest.fixture(scope="module")
def viirs(assets):
    return parse_firms(VIIRS, assets=assets)


def candidates(parsed):
    return parsed.layers["strikes"].set_index("id")


def test_detections_grouped_per_asset_and_day_window(viirs):
    assert sorted(candidates(viirs).index) == [
        "firms-2025-08-06-fac-orlivka-cs",
        "firms-2025-08-20-fac-orlivka-cs",
        "firms-2025-09-01-fuel-socar-odesa",
    ]


def test_candidate_fields(viirs):
    row = candidates(viirs).loc["firms-2025-08-06-fac-orlivka-cs"]
    assert (row["status"], row["weapon"], row["target_ids"], row["date"]) == (
        "candidate",
        "unknown",
        ["fac-orlivka-cs"],
        "2025-08-06",
    )


def test_description_counts_detections_and_distance(viirs):
    text = candidates(viirs).loc["firms-2025-08-06-fac-orlivka-cs"]["description"]
    assert text.startswith("3 VIIRS fire detection(s) from 2025-08-06 00:12 to 2025-08-07 00:30")


def test_sources_name_the_dataset_and_satellites(viirs):
    sources = candidates(viirs).loc["firms-2025-08-06-fac-orlivka-cs"]["sources"]
    assert sources == ["dataset:NASA FIRMS (VIIRS N, N20)"]


def test_low_confidence_skipped_and_counted(viirs):
    assert "skipped 1 detections below nominal confidence" in viirs.notes


def test_low_confidence_kept_on_request(assets):
    parsed = parse_firms(VIIRS, assets=assets, min_confidence="low")
    text = candidates(parsed).loc["firms-2025-09-01-fuel-socar-odesa"]["description"]
    assert text.startswith("2 VIIRS")


def test_bad_rows_rejected(viirs):
    assert [r.where for r in viirs.rejected] == ["row 10", "row 11"]


def test_smaller_radius_keeps_fewer(assets):
    parsed = parse_firms(VIIRS, assets=assets, radius_m=150)
    assert sorted(candidates(parsed).index) == ["firms-2025-08-20-fac-orlivka-cs"]


def test_longer_window_merges_events(assets):
    parsed = parse_firms(VIIRS, assets=assets, window_days=30)
    orlivka = [i for i in candidates(parsed).index if "orlivka" in i]
    assert orlivka == ["firms-2025-08-06-fac-orlivka-cs"]


def test_chunked_reading_gives_the_same_result(assets, viirs):
    chunked = parse_firms(VIIRS, assets=assets, chunksize=3)
    assert (
        chunked.layers["strikes"]
        .drop(columns="geometry")
        .equals(viirs.layers["strikes"].drop(columns="geometry"))
    )


def test_progress_reaches_the_file_size(assets):
    calls = []
    parse_firms(VIIRS, assets=assets, chunksize=3, progress=lambda d, t: calls.append(d))
    assert calls[-1] == VIIRS.stat().st_size
    assert calls == sorted(calls)


def test_modis_precision_one(assets):
    parsed = parse_firms(MODIS, assets=assets)
    assert list(parsed.layers["strikes"]["geo_precision"]) == [1]


def test_unknown_columns(tmp_path, assets):
    path = tmp_path / "fires.csv"
    path.write_text("lat,lon,date\n45.0,30.0,2025-01-01\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"unknown columns .*not a FIRMS file"):
        parse_firms(path, assets=assets)


def test_acled_file_given_as_firms(assets):
    with pytest.raises(ImportFileError, match=r"not a FIRMS file"):
        parse_firms(FIXTURES / "acled_odesa.csv", assets=assets)
