"""The partitioned join gives the in-process join's rows, in process and on a 2-worker Dask cluster.

Synthetic data comes from the impact benchmark's generator (random strikes, point and line
assets, relations, the shipped countries); the shipped data runs through the real command.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

from strikemap.analysis import Dataset, analyse
from strikemap.analysis.view import View
from strikemap.exports.link_dataset import (
    DATE_COLUMN,
    DatasetFolder,
    read_links,
    write_part,
)
from strikemap.exports.links import link_table
from strikemap.geo.errors import ImpactInputError
from strikemap.geo.impact import link_strikes, prepare_context
from strikemap.geo.partition import (
    hilbert_keys,
    join_order,
    join_order_partitions,
    link_partitions,
    merge_ordered,
    spatial_partitions,
)
from strikemap.geo.rules import DEFAULT_RULES
from strikemap.scale.job import JOIN_STRIKE_COLUMNS, PartitionJob
from strikemap.scale.local import run_in_process

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "impact.py"


def _benchmark():
    spec = importlib.util.spec_from_file_location("impact_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("impact_benchmark", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synthetic() -> dict[str, object]:
    """20,000 strikes x 2,000 assets, 1 % naming a target, relations on 10 % of the assets."""
    return _benchmark().make_data(20_000, 2_000)


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    kinds = {c: object for c in table.columns if isinstance(table[c].dtype, pd.CategoricalDtype)}
    return table.astype(kinds).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# The curve and the partitions


def test_hilbert_keys_visit_every_cell_once_moving_to_a_neighbour_each_step():
    order = 4
    side = 1 << order
    x, y = np.meshgrid(np.arange(side), np.arange(side))
    lon, lat = x.ravel().astype(float), y.ravel().astype(float)
    keys = hilbert_keys(lon, lat, bounds=(0, 0, side - 1, side - 1), order=order)
    assert sorted(keys.tolist()) == list(range(side * side))
    path = np.argsort(keys)
    steps = np.abs(np.diff(lon[path])) + np.abs(np.diff(lat[path]))
    assert (steps == 1).all()


def test_partitions_are_compact_on_the_ground():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(28.5, 31.5, 20_000), rng.uniform(45.3, 47.8, 20_000)
    parts = spatial_partitions(lon, lat, size=2_000)
    assert len(parts) == 10
    assert sorted(np.concatenate(parts).tolist()) == list(range(20_000))
    whole = np.ptp(lon) * np.ptp(lat)
    areas = [np.ptp(lon[p]) * np.ptp(lat[p]) for p in parts]
    # a tenth of the strikes covers about a tenth of the ground, not the whole extent
    assert np.mean(areas) < 0.3 * whole


def _join_ordered_ids(strikes: pd.DataFrame) -> list[str]:
    order = join_order(strikes["date"].astype(str), strikes["id"].astype(str))
    return strikes["id"].take(order).tolist()


@pytest.mark.parametrize("dates", ["synthetic", "one date"])
def test_join_order_partitions_are_consecutive_runs_of_the_joins_order(synthetic, dates):
    strikes = synthetic["strikes"]
    if dates == "one date":
        strikes = strikes.assign(date="2024-07-28")
    parts = list(join_order_partitions(strikes, size=3_000))
    assert [len(p) for p in parts] == [3_000] * 6 + [2_000]
    assert [i for p in parts for i in p["id"]] == _join_ordered_ids(strikes)


def test_join_order_keys_cut_one_busy_date_into_partitions_of_about_the_size():
    """On Dask the cuts come from a sample of (date, id) keys: one date does not make one part."""
    import dask.dataframe as dd

    from strikemap.scale.dask_engine import SORT_COLUMN, _join_keys, join_order_divisions

    ids = [f"s{i}" for i in np.random.default_rng(5).permutation(30_000)]
    dates = ["2025-01-01"] * 24_000 + ["2025-1-2"] * 6_000  # dates of different lengths too
    strikes = pd.DataFrame({"id": ids, "date": dates})
    frame = dd.from_pandas(strikes, npartitions=7, sort=False)
    keyed = frame.assign(
        **{SORT_COLUMN: frame.map_partitions(_join_keys, meta=(SORT_COLUMN, object))}
    )
    divisions = join_order_divisions(keyed, 30_000, 10)
    ordered = keyed.set_index(SORT_COLUMN, divisions=divisions)
    sizes = np.asarray(ordered.map_partitions(len).compute(scheduler="sync"))
    assert len(sizes) == 10
    assert ((sizes >= 2_500) & (sizes <= 3_500)).all(), sizes
    assert ordered.compute(scheduler="sync")["id"].tolist() == _join_ordered_ids(strikes)


# --------------------------------------------------------------------------------------------
# Row for row


@pytest.mark.parametrize("kind", ["benchmark rules", "default rules"])
def test_partitioned_join_gives_the_whole_joins_rows_in_order(synthetic, kind):
    rules = _benchmark().RULES if kind == "benchmark rules" else DEFAULT_RULES
    args = (synthetic["strikes"], synthetic["assets"], synthetic["relations"])
    whole = link_strikes(*args, synthetic["countries"], rules=rules, with_detail=False)
    context = prepare_context(*args[1:], synthetic["countries"], rules)
    parts = list(link_partitions(synthetic["strikes"], context, size=3_000))
    assert len(parts) == 7
    merged = merge_ordered(parts, synthetic["strikes"])
    assert len(merged) > 50_000
    pd.testing.assert_frame_equal(_plain(whole), merged)


def test_repeated_ids_in_different_partitions_are_refused(synthetic):
    strikes = synthetic["strikes"].head(4_000).copy()
    far_apart = [0, int(np.argmax(strikes.geometry.x.to_numpy()))]
    strikes.loc[strikes.index[far_apart[1]], "id"] = strikes["id"].iat[far_apart[0]]
    context = prepare_context(
        synthetic["assets"], synthetic["relations"], synthetic["countries"], DEFAULT_RULES
    )
    with pytest.raises(ImpactInputError, match="occurs more than once"):
        list(link_partitions(strikes, context, size=500))


def _synthetic_dataset(synthetic) -> Dataset:
    layers = {"strikes": synthetic["strikes"].assign(name="s"), "countries": synthetic["countries"]}
    dataset = Dataset.from_frames(layers, relations=synthetic["relations"])
    dataset.__dict__["assets"] = synthetic["assets"]  # the generator combines its own assets
    return dataset


def test_parquet_parts_read_back_as_the_explained_table(synthetic, tmp_path):
    dataset = _synthetic_dataset(synthetic)
    expected = link_table(analyse(dataset).explain())
    job = PartitionJob.from_dataset(dataset)
    stats = run_in_process(job, dataset.strikes, tmp_path, size=4_000)
    assert stats.partitions == len(list(tmp_path.glob("part-*.parquet"))) == 5
    assert stats.links == len(expected)
    got = read_links(tmp_path)
    pd.testing.assert_frame_equal(expected, got)
    assert expected["detail"].str.len().min() > 10  # the sentences were written, not blanks


def test_a_failed_dataset_write_leaves_the_previous_folder(tmp_path, synthetic):
    out = tmp_path / "links.parquet"
    out.mkdir()
    (out / "part-00000.parquet").write_bytes(b"previous")
    part = _one_part(synthetic)

    def failing_run() -> None:
        with DatasetFolder(out) as building:
            write_part(part, building, 0)
            raise RuntimeError("partition 3 failed")

    with pytest.raises(RuntimeError, match="partition 3 failed"):
        failing_run()
    assert [p.name for p in tmp_path.iterdir()] == ["links.parquet"]
    assert (out / "part-00000.parquet").read_bytes() == b"previous"


def _one_part(synthetic):
    from strikemap.exports.link_dataset import parquet_table

    strikes = synthetic["strikes"].head(50)
    links = link_strikes(
        strikes, synthetic["assets"], synthetic["relations"], synthetic["countries"]
    )
    table = parquet_table(links, strikes)
    assert table.column_names[-1] == DATE_COLUMN
    return table


# --------------------------------------------------------------------------------------------
# The command: same bytes from every engine


FORMATS = ("csv", "json", "geojson")


def _impact(tmp_path: Path, name: str, *options: object) -> bytes:
    out = tmp_path / name
    code, text = run_cli("impact", "--out", out, *options)
    assert code == 0, text
    return out.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_partitioned_command_writes_the_same_bytes_on_the_shipped_data(tmp_path, fmt):
    expected = _impact(tmp_path, f"in.{fmt}", "--format", fmt)
    got = _impact(
        tmp_path, f"p.{fmt}", "--format", fmt, "--engine", "partitioned",
        "--partition-size", 4,
    )  # fmt: skip
    assert got == expected
    assert len(expected) > 10_000


@pytest.mark.parametrize(
    "view",
    [("--include-candidates", "--include-context"), ("--country", "AZE"), ("--to", "2024-12-31")],
)
def test_partitioned_command_applies_the_view_as_in_process(tmp_path, view):
    expected = _impact(tmp_path, "in.csv", *view)
    got = _impact(tmp_path, "p.csv", *view, "--engine", "partitioned", "--partition-size", 3)
    assert got == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_view_without_strikes_writes_the_in_process_empty_file(tmp_path, fmt):
    expected = _impact(tmp_path, f"in.{fmt}", "--format", fmt, "--to", "1900-01-01")
    got = _impact(
        tmp_path, f"p.{fmt}", "--format", fmt, "--to", "1900-01-01", "--engine", "partitioned"
    )
    assert got == expected
    assert len(expected) < 300  # the header, or the empty array or collection


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_is_joined_from_per_partition_fragments_which_are_then_removed(
    synthetic, tmp_path, fmt
):
    from strikemap.exports.links import links_to_csv, links_to_geojson, links_to_json
    from strikemap.scale.run import EngineOptions, write_links

    dataset = _synthetic_dataset(synthetic)
    links = analyse(dataset).explain()
    expected = {
        "csv": lambda: links_to_csv(links),
        "json": lambda: links_to_json(links),
        "geojson": lambda: links_to_geojson(links, dataset.strikes, dataset.assets),
    }[fmt]()
    out = tmp_path / f"links.{fmt}"
    options = EngineOptions(engine="partitioned", size=4_000)
    stats = write_links(dataset, None, fmt=fmt, out=out, options=options)
    assert stats.partitions == 5
    assert stats.links == len(links) > 50_000
    assert out.read_text(encoding="utf-8") == expected
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no fragments left beside it


def test_partitioned_text_on_stdout_is_the_in_process_text():
    import subprocess

    command = [sys.executable, "-m", "strikemap.cli", "impact", "--format", "json"]
    expected = subprocess.run(command, capture_output=True, check=True).stdout
    got = subprocess.run(
        [*command, "--engine", "partitioned", "--partition-size", "4"],
        capture_output=True,
        check=True,
    )
    assert got.stdout == expected
    assert b"(6 partitions, engine partitioned)" in got.stderr  # fragments joined on stdout
    code, text = run_cli("impact", "--format", "json", "--engine", "partitioned")
    assert code == 0
    assert text.startswith(expected.decode("utf-8"))  # stdout replaced by a text stream


def test_a_failed_text_run_leaves_the_previous_file_and_no_fragments(synthetic, tmp_path):
    from strikemap.scale.run import EngineOptions, write_links

    strikes = synthetic["strikes"].copy()
    strikes.loc[strikes.index[-1], "id"] = strikes["id"].iat[0]  # repeated: the run fails
    dataset = _synthetic_dataset({**synthetic, "strikes": strikes})
    out = tmp_path / "links.csv"
    out.write_text("previous\n")
    options = EngineOptions(engine="partitioned", size=4_000)
    with pytest.raises(ImpactInputError, match="occurs more than once"):
        write_links(dataset, None, fmt="csv", out=out, options=options)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    assert out.read_text() == "previous\n"


def test_parquet_dataset_of_the_shipped_data_reads_back_as_the_csv(tmp_path):
    csv = _impact(tmp_path, "in.csv")
    out = tmp_path / "links.parquet"
    code, text = run_cli(
        "impact", "--engine", "partitioned", "--partition-size", 5, "--format", "parquet",
        "--out", out,
    )  # fmt: skip
    assert code == 0, text
    assert "(5 partitions, engine partitioned)" in text
    from strikemap.exports.links import links_to_csv

    assert links_to_csv(read_links(out)).encode() == csv


def test_geoparquet_file_holds_link_lines_in_wgs84(tmp_path):
    out = tmp_path / "links.parquet"
    code, text = run_cli("impact", "--format", "geoparquet", "--out", out)
    assert code == 0, text
    frame = gpd.read_parquet(out)
    assert frame.crs.to_epsg() == 4326
    lines = frame[frame["asset_id"] != ""]
    assert set(lines.geom_type) == {"LineString"}
    assert set(frame.loc[frame["asset_id"] == "", "relation"]) <= {"location", "border"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--workers", 2), "--workers and --scheduler need --engine dask"),
        (("--format", "parquet"), "writes binary files: give --out"),
        (("--engine", "partitioned", "--summary"), "--summary runs in process"),
        (
            ("--engine", "dask", "--workers", 2, "--scheduler", "tcp://127.0.0.1:1"),
            "give --workers",
        ),
        (("--partition-size", 0), "at least 1"),
    ],
)
def test_engine_usage_errors_exit_2(options, message):
    code, text = run_cli("impact", *options)
    assert code == 2
    assert message in text
    assert "Traceback" not in text


def test_an_existing_dataset_folder_needs_force(tmp_path):
    out = tmp_path / "links.parquet"
    out.mkdir()
    options = ("impact", "--engine", "partitioned", "--format", "parquet", "--out", out)
    code, text = run_cli(*options)
    assert code == 2
    assert "add --force" in text
    code, text = run_cli(*options, "--force")
    assert code == 0, text
    assert len(list(out.glob("part-*.parquet"))) == 1


# --------------------------------------------------------------------------------------------
# Dask


@pytest.mark.slow
def test_dask_engine_on_two_local_workers_writes_the_same_bytes(tmp_path):
    expected = _impact(tmp_path, "in.csv", "--include-candidates")
    out = tmp_path / "dask.csv"
    code, text = run_cli(
        "impact", "--engine", "dask", "--workers", 2, "--partition-size", 4,
        "--include-candidates", "--out", out,
    )  # fmt: skip
    assert code == 0, text
    assert "Dask dashboard: http://127.0.0.1:" in text
    assert out.read_bytes() == expected


@pytest.mark.slow
def test_dask_engine_synthetic_parquet_dataset_matches_in_process(synthetic, tmp_path):
    from strikemap.scale.dask_engine import dask_client, run_on_dask

    dataset = _synthetic_dataset(synthetic)
    expected = link_table(analyse(dataset).explain())
    job = PartitionJob.from_dataset(dataset)
    out = tmp_path / "links.parquet"
    with dask_client(workers=2) as client, DatasetFolder(out) as building:
        stats = run_on_dask(client, job, dataset.strikes, building, size=5_000)
    assert stats.partitions == 4
    pd.testing.assert_frame_equal(expected, read_links(out))


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path):
    code, text = run_cli(
        "impact",
        "--engine",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
        "--out",
        tmp_path / "x.csv",
    )
    assert code == 2
    assert "--scheduler tcp://127.0.0.1:9: no Dask scheduler answers there" in text


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_dask_workers_read_partitioned_geoparquet_strikes_with_the_same_bytes(tmp_path, fmt):
    """The CLI hands a GeoParquet strikes folder to the workers, which read their own parts."""
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    from strikemap.layers.catalog import STRIKES
    from strikemap.layers.io import layer_to_parquet, read_layer
    from strikemap.layers.paths import SHIPPED_DATA_DIR

    expected = _impact(tmp_path, f"in.{fmt}", "--include-candidates", "--format", fmt)
    folder = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA_DIR, folder, ignore=shutil.ignore_patterns(".*"))
    table = pq.read_table(
        pa.BufferReader(layer_to_parquet(read_layer(STRIKES, data_dir=folder), STRIKES))
    )
    (folder / STRIKES.file).unlink()
    parts = folder / STRIKES.large_file
    parts.mkdir()
    for n, start in enumerate(range(0, table.num_rows, 10)):
        pq.write_table(table.slice(start, 10), parts / f"part-{n}.parquet")
    out = tmp_path / f"dask.{fmt}"
    code, text = run_cli(
        "impact", "--engine", "dask", "--workers", 2, "--partition-size", 4,
        "--include-candidates", "--data-dir", folder, "--out", out, "--format", fmt,
    )  # fmt: skip
    assert code == 0, text
    assert out.read_bytes() == expected


@pytest.mark.parametrize(
    "view",
    [
        View(),
        View(weapons=("drone",), precisions=(1, 2)),
        View(date_from=dt.date(2025, 1, 1), include_candidates=True),
    ],
)
def test_the_strike_columns_dask_reads_give_every_link_and_sentence(view):
    """Dask reads only JOIN_STRIKE_COLUMNS of strikes.parquet: the rest must not change a link."""
    from strikemap.analysis import load_dataset
    from strikemap.layers.catalog import STRIKES
    from strikemap.layers.io import normalise_layer

    dataset = load_dataset()
    whole = PartitionJob.from_dataset(dataset, view)
    cut = normalise_layer(dataset.strikes[list(JOIN_STRIKE_COLUMNS)], STRIKES)
    assert cut["sources"].map(len).eq(0).all()  # the other columns really are gone
    shown_whole, links_whole = whole.explained_links(whole.shown_strikes(dataset.strikes))
    shown_cut, links_cut = whole.explained_links(whole.shown_strikes(cut))
    assert shown_cut == shown_whole > 0
    pd.testing.assert_frame_equal(_plain(links_cut), _plain(links_whole))
