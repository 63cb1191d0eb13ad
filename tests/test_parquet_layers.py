"""GeoParquet strikes: strikes.parquet (file or partitioned folder) read, validated, written."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import run_cli

from strikemap.layers.catalog import BY_NAME, STRIKES
from strikemap.layers.errors import LayerWriteError
from strikemap.layers.history import list_versions
from strikemap.layers.io import layer_to_parquet, read_layer
from strikemap.layers.layer_files import layer_contents
from strikemap.layers.paths import SHIPPED_DATA_DIR
from strikemap.layers.validate import validate_data_dir
from strikemap.layers.validate.parquet import check_parquet_layer

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA_DIR, folder, ignore=shutil.ignore_patterns(".*"))
    return folder


def as_parquet(folder: Path) -> gpd.GeoDataFrame:
    """Replace the folder's strikes.geojson by strikes.parquet; return the strikes."""
    strikes = read_layer(STRIKES, data_dir=folder)
    (folder / "strikes.parquet").write_bytes(layer_to_parquet(strikes, STRIKES))
    (folder / "strikes.geojson").unlink()
    return strikes


def as_partitioned(folder: Path, parts: int) -> gpd.GeoDataFrame:
    """Replace the strikes by a folder of ``parts`` GeoParquet files (as Spark or Dask write)."""
    strikes = read_layer(STRIKES, data_dir=folder)
    table = pq.read_table(pa.BufferReader(layer_to_parquet(strikes, STRIKES)))
    out = folder / "strikes.parquet"
    out.mkdir()
    step = -(-table.num_rows // parts)
    for n in range(parts):
        pq.write_table(table.slice(n * step, step), out / f"part-{n:03d}.parquet")
    (folder / "strikes.geojson").unlink()
    return strikes


def impact_csv(folder: Path, out: Path, *extra: object) -> str:
    code, text = run_cli("impact", "--format", "csv", "--data-dir", folder, "--out", out, *extra)
    assert code == 0, text
    return out.read_text(encoding="utf-8")


def test_parquet_strikes_read_as_the_geojson_ones(shipped_copy):
    strikes = as_parquet(shipped_copy)
    back = read_layer(STRIKES, data_dir=shipped_copy)
    assert list(back.columns) == list(strikes.columns)
    expected = strikes.sort_values("id").reset_index(drop=True)
    for column in strikes.columns:
        assert back[column].astype(str).tolist() == expected[column].astype(str).tolist(), column
    assert validate_data_dir(shipped_copy).ok


@pytest.mark.parametrize("layout", ["file", "partitioned"])
def test_impact_on_parquet_strikes_gives_the_same_table(tmp_path, shipped_copy, layout):
    geojson = impact_csv(SHIPPED_DATA_DIR, tmp_path / "geojson.csv")
    if layout == "file":
        as_parquet(shipped_copy)
    else:
        as_partitioned(shipped_copy, 3)
    assert impact_csv(shipped_copy, tmp_path / "parquet.csv") == geojson
    assert geojson.count("\n") > 100


def test_both_files_present_is_refused(shipped_copy):
    strikes = read_layer(STRIKES, data_dir=shipped_copy)
    (shipped_copy / "strikes.parquet").write_bytes(layer_to_parquet(strikes, STRIKES))
    code, text = run_cli("validate", "--data-dir", shipped_copy)
    assert code == 1
    assert "both strikes.geojson and strikes.parquet hold the strikes layer; keep one" in text
    code, text = run_cli("impact", "--data-dir", shipped_copy)
    assert code == 1
    assert "keep one" in text
    assert "Traceback" not in text


def test_validator_reads_in_chunks_and_counts_rows_over_the_whole_layer(shipped_copy):
    strikes = read_layer(STRIKES, data_dir=shipped_copy).sort_values("id").reset_index(drop=True)
    strikes.loc[20, "date"] = "2026-06-01"  # a future date, in the third chunk of 8 rows
    strikes.loc[25, "id"] = strikes.loc[3, "id"]  # a repeated id, across chunks
    path = shipped_copy / "strikes.parquet"
    path.write_bytes(layer_to_parquet(strikes, STRIKES))
    problems, table = check_parquet_layer(path, STRIKES, today=date(2026, 1, 1), rows=8)
    by_code = {p.code: p for p in problems if p.severity == "error"}
    assert set(by_code) >= {"future-date", "duplicate-id"}, [str(p) for p in problems]
    sorted_ids = strikes.sort_values("id", kind="stable")["id"].tolist()
    assert by_code["future-date"].field == "date"
    assert sorted_ids[by_code["future-date"].row - 1] == strikes.loc[20, "id"]
    assert table is not None
    assert len(table) == len(strikes)


def test_wrong_crs_is_a_clear_error(shipped_copy):
    strikes = read_layer(STRIKES, data_dir=shipped_copy).to_crs("EPSG:3857")
    strikes.to_parquet(shipped_copy / "strikes.parquet")
    (shipped_copy / "strikes.geojson").unlink()
    code, text = run_cli("validate", "--data-dir", shipped_copy)
    assert code == 1
    assert "strikes.parquet" in text
    assert "reproject it to EPSG:4326" in text
    code, text = run_cli("layers", "--data-dir", shipped_copy)
    assert code == 1
    assert "Traceback" not in text


def test_not_parquet_is_a_clear_error(shipped_copy):
    (shipped_copy / "strikes.parquet").write_text("id,date\n", encoding="utf-8")
    (shipped_copy / "strikes.geojson").unlink()
    code, text = run_cli("validate", "--data-dir", shipped_copy)
    assert code == 1
    assert "cannot be read as Parquet" in text
    assert "Traceback" not in text


def test_import_firms_writes_geoparquet_through_the_journal(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", folder)
    before = read_layer(STRIKES, data_dir=folder)
    csv = FIXTURES / "firms_viirs.csv"
    code, text = run_cli("import", "firms", csv, "--data-dir", folder, "--format", "parquet")
    assert code in (0, 1), text  # 1 when the fixture's bad rows are rejected
    assert (folder / "strikes.parquet").is_file()
    assert not (folder / "strikes.geojson").exists()
    after = read_layer(STRIKES, data_dir=folder)
    assert set(before["id"]) < set(after["id"])
    assert any(i.startswith("firms-") for i in after["id"])
    assert validate_data_dir(folder).ok
    assert len(list_versions(data_dir=folder)) == 1  # the previous GeoJSON is kept
    # a later import (here: the same detections, nothing new) keeps the layer as GeoParquet
    code, text = run_cli("import", "firms", csv, "--data-dir", folder)
    assert (folder / "strikes.parquet").is_file()
    assert not (folder / "strikes.geojson").exists()
    assert len(read_layer(STRIKES, data_dir=folder)) == len(after)


def test_partitioned_strikes_are_not_rewritten(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", folder)
    as_partitioned(folder, 2)
    csv = FIXTURES / "firms_viirs.csv"
    code, text = run_cli("import", "firms", csv, "--data-dir", folder)
    assert code == 1
    assert "partitioned GeoParquet folder" in text
    assert "Traceback" not in text
    assert sorted(p.name for p in (folder / "strikes.parquet").iterdir()) == [
        "part-000.parquet",
        "part-001.parquet",
    ]


def test_only_strikes_may_be_geoparquet():
    folder = FIXTURES / "data"
    pipelines = read_layer(BY_NAME["pipelines"], data_dir=folder)
    with pytest.raises(LayerWriteError, match="pipelines layer is kept as GeoJSON"):
        layer_contents(pipelines, "pipelines", folder, "parquet")


# --------------------------------------------------------------------------------------------
# Dask reads GeoParquet strikes on its workers: the driver loads the data without them


def test_the_driver_loads_the_data_without_strikes_the_workers_read(shipped_copy):
    from strikemap.analysis import load_dataset
    from strikemap.scale.run import strikes_read_by_workers

    assert not strikes_read_by_workers(shipped_copy, "dask")  # GeoJSON: the driver reads them
    as_partitioned(shipped_copy, 3)
    assert strikes_read_by_workers(shipped_copy, "dask")
    assert not strikes_read_by_workers(shipped_copy, "partitioned")
    full = load_dataset(shipped_copy)
    without = load_dataset(shipped_copy, skip=[STRIKES.name])
    assert len(full.strikes) > 0
    assert len(without.strikes) == 0
    assert list(without.strikes.columns) == list(full.strikes.columns)
    assert len(without.assets) == len(full.assets) > 0


@pytest.mark.slow
def test_dask_on_parquet_strikes_writes_the_in_process_bytes(tmp_path, shipped_copy):
    as_partitioned(shipped_copy, 3)
    expected = impact_csv(shipped_copy, tmp_path / "in.csv")
    got = impact_csv(
        shipped_copy, tmp_path / "dask.csv", "--engine", "dask", "--workers", 2,
        "--partition-size", 4,
    )  # fmt: skip
    assert got == expected
