"""Benchmark the impact join against buffer+sjoin and DuckDB's spatial pair search.

Every method runs in its own subprocess on the same seeded synthetic data, so peak memory
(``ru_maxrss``) is comparable. Usage::

    python benchmarks/impact.py --sizes small            # seconds; CI smoke test
    python benchmarks/impact.py --sizes medium
    python benchmarks/impact.py --sizes large            # 1e6 strikes x 1e4 assets, by hand
    python benchmarks/impact.py --sizes 10000x10000,100000x10000 --methods impact,duckdb

Methods: ``impact`` (the whole join in memory), ``partitioned`` (spatial partitions of
``geo.partition.DEFAULT_PARTITION_STRIKES`` strikes, each partition's links written as Parquet
into a temporary folder), ``dask`` (the same partitions on a local cluster of two worker
processes; ``worker_mb`` is the largest worker's peak ``VmHWM``, the cluster's start is not timed),
``sjoin`` (buffer + geopandas sjoin) and ``duckdb`` (DuckDB's spatial pair search).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from strikemap.analysis.view import View  # noqa: E402
from strikemap.geo.crs import METRIC_CRS, STORAGE_CRS, lonlat_to_metric  # noqa: E402
from strikemap.geo.impact import link_strikes  # noqa: E402  (imported before any timer starts)
from strikemap.geo.rules import ImpactRules  # noqa: E402
from strikemap.layers.catalog import COUNTRIES  # noqa: E402
from strikemap.layers.io import read_layer  # noqa: E402
from strikemap.layers.paths import SHIPPED_DATA_DIR  # noqa: E402
from strikemap.scale.job import PartitionJob  # noqa: E402
from strikemap.scale.local import run_in_process  # noqa: E402

PRESETS = {
    "small": [(1_000, 1_000)],
    "medium": [(10_000, 10_000), (100_000, 10_000), (10_000, 100_000)],
    "large": [(1_000_000, 10_000)],
}
METHODS = ("impact", "partitioned", "dask", "sjoin", "duckdb")
DASK_WORKERS = 2
COLUMNS = (
    "strikes",
    "assets",
    "method",
    "pairs",
    "links",
    "seconds",
    "peak_mb",
    "worker_mb",
    "time_vs_duckdb",
    "mem_vs_duckdb",
    "sjoin_vs_impact",
)
REGION = (28.5, 45.3, 31.5, 47.8)
"""Odesa oblast and the Danube area: west, south, east, north."""
RADIUS_M = 5_000.0
RULES = ImpactRules(
    hit_radius_m={0: 500.0, 1: 500.0, 2: 500.0},
    threat_radius_m={0: RADIUS_M, 1: RADIUS_M, 2: RADIUS_M},
    max_nearby_per_layer=None,
)
"""A threat radius of 5 km for every strike, as the issue asks; every pair kept, as the peers
keep them (the default keeps the nearest three nearby assets per layer)."""
RELATION_FRACTION = 0.1
OWNERS, OWNER_SHARES = np.array(["UKR", "AZE", "ROU", "MDA"]), [0.94, 0.02, 0.02, 0.02]
"""Most assets are domestic; a few foreign-owned ones give ``owner`` links."""
NAMED_FRACTION = 0.01
STEP_M = 300.0
SEED = 7


# --------------------------------------------------------------------------------------------
# Synthetic data


def make_strikes(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    west, south, east, north = REGION
    days = rng.integers(0, 4 * 365, n)
    dates = (np.datetime64("2022-03-01") + days).astype(str)
    return gpd.GeoDataFrame(
        {
            "id": np.char.add("strike-", np.arange(n).astype(str)),
            "date": dates,
            "geo_precision": rng.integers(0, 3, n),
            "status": "confirmed",
            "target_ids": [[] for _ in range(n)],
        },
        geometry=shapely.points(rng.uniform(west, east, n), rng.uniform(south, north, n)),
        crs=STORAGE_CRS,
    )


def make_assets(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Half points (facilities), half random-walk lines of 5-50 vertices (pipelines)."""
    west, south, east, north = REGION
    n_points, n_lines = n // 2, n - n // 2
    lon, lat = rng.uniform(west, east, n), rng.uniform(south, north, n)
    vertices = rng.integers(5, 51, n_lines)
    owner = np.repeat(np.arange(n_lines), vertices)
    walk = np.cumsum(rng.normal(0.0, STEP_M, (vertices.sum(), 2)), axis=0)
    first = np.cumsum(vertices) - vertices
    walk -= np.repeat(walk[first], vertices, axis=0)
    x0, y0 = lonlat_to_metric(lon[n_points:], lat[n_points:])
    xy = np.repeat(np.column_stack([x0, y0]), vertices, axis=0) + walk
    lines = gpd.GeoSeries(shapely.linestrings(xy, indices=owner), crs=METRIC_CRS).to_crs(
        STORAGE_CRS
    )
    geometry = np.concatenate([shapely.points(lon[:n_points], lat[:n_points]), lines.values])
    layer = np.where(np.arange(n) < n_points, "facilities", "pipelines")
    return gpd.GeoDataFrame(
        {
            "id": np.char.add("asset-", np.arange(n).astype(str)),
            "name": np.char.add("Asset ", np.arange(n).astype(str)),
            "asset_layer": layer,
            "asset_type": np.where(layer == "facilities", "oil_depot", "gas_transmission"),
            "operator": None,
            "owner_country": rng.choice(OWNERS, n, p=OWNER_SHARES),
            "status": "operating",
            "flow_direction": np.where(layer == "pipelines", "forward", None),
            "geo_precision": 0,
            "sources": [[] for _ in range(n)],
            "network": np.where(layer == "pipelines", "line", "node"),
        },
        geometry=geometry,
        crs=STORAGE_CRS,
    )


def make_relations(assets: gpd.GeoDataFrame, rng: np.random.Generator) -> pd.DataFrame:
    chosen = rng.choice(len(assets), int(len(assets) * RELATION_FRACTION), replace=False)
    ids = assets["id"].to_numpy()[np.sort(chosen)]
    supply = pd.DataFrame(
        {
            "asset_id": ids,
            "country": "AZE",
            "relation": "supply_origin",
            "valid_from": "2025-07-28",
            "valid_to": "",
        }
    )
    transit = pd.DataFrame(
        {"asset_id": ids, "country": "ROU", "relation": "transit", "valid_from": "", "valid_to": ""}
    )
    table = pd.concat([supply, transit], ignore_index=True)
    return table.assign(note="", source="dataset:synthetic")


def make_data(n_strikes: int, n_assets: int) -> dict[str, object]:
    rng = np.random.default_rng(SEED)
    strikes = make_strikes(n_strikes, rng)
    assets = make_assets(n_assets, rng)
    named = rng.choice(n_strikes, int(n_strikes * NAMED_FRACTION), replace=False)
    picks = assets["id"].to_numpy()[rng.integers(0, n_assets, len(named))]
    targets = list(strikes["target_ids"])
    for strike, asset in zip(named, picks, strict=True):
        targets[strike] = [asset]
    strikes["target_ids"] = targets
    return {
        "strikes": strikes,
        "assets": assets,
        "relations": make_relations(assets, rng),
        "countries": read_layer(COUNTRIES, data_dir=SHIPPED_DATA_DIR),
    }


# --------------------------------------------------------------------------------------------
# Methods (each runs in a worker subprocess)


def run_impact(data: dict[str, object]) -> tuple[int, int]:
    table = link_strikes(
        data["strikes"],
        data["assets"],
        data["relations"],
        data["countries"],
        rules=RULES,
        with_detail=False,
    )
    pairs = int(table["relation"].isin(["target", "nearby"]).sum())
    return pairs, len(table)


def _job(data: dict[str, object]) -> PartitionJob:
    return PartitionJob(
        assets=data["assets"],
        relations=data["relations"],
        countries=data["countries"],
        country_names={},
        asset_types={},
        view=View(),
        rules=RULES,
        explain=False,
    )


def _pairs(folder: Path) -> int:
    relation = pq.read_table(folder, columns=["relation"])["relation"].to_numpy()
    return int(np.isin(relation, ["target", "nearby"]).sum())


def run_partitioned(data: dict[str, object]) -> tuple[int, int]:
    """Run the join in spatial partitions, writing each partition's links as Parquet."""
    with tempfile.TemporaryDirectory() as tmp:
        stats = run_in_process(_job(data), data["strikes"], Path(tmp))
        _stop_timer()
        return _pairs(Path(tmp)), stats.links


def run_dask(data: dict[str, object]) -> tuple[int, int]:
    """Run the same partitions on a local cluster of two worker processes (started untimed)."""
    global _started, _worker_mb
    from strikemap.scale.dask_engine import dask_client, run_on_dask

    with dask_client(workers=DASK_WORKERS) as client, tempfile.TemporaryDirectory() as tmp:
        _started = time.perf_counter()
        stats = run_on_dask(client, _job(data), data["strikes"], Path(tmp))
        _stop_timer()
        _worker_mb = max(client.run(_own_peak_mb).values())
        return _pairs(Path(tmp)), stats.links


def _own_peak_mb() -> float:
    """Return this process's peak resident memory in MB since it started its program.

    ``VmHWM`` of ``/proc/self/status``, not ``ru_maxrss``: a worker is forked from the
    benchmark's process and exec'd, and Linux carries the forked copy's resident size (all the
    generated data) into ``ru_maxrss``.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _stop_timer() -> None:
    global _stopped
    _stopped = time.perf_counter()


def run_sjoin(data: dict[str, object]) -> tuple[int, int]:
    strikes = data["strikes"][["id", "geometry"]].to_crs(METRIC_CRS)
    assets = data["assets"][["id", "geometry"]].to_crs(METRIC_CRS)
    buffered = assets.set_geometry(assets.buffer(RADIUS_M))
    joined = gpd.sjoin(strikes, buffered, predicate="intersects")
    return len(joined), len(joined)


def run_duckdb(data: dict[str, object]) -> tuple[int, int]:
    con = duckdb_connection()
    strikes, assets = data["strikes"], data["assets"]
    x, y = lonlat_to_metric(
        shapely.get_x(strikes.geometry.values), shapely.get_y(strikes.geometry.values)
    )
    s = pd.DataFrame({"i": np.arange(len(strikes), dtype=np.int32), "x": x, "y": y})
    a = pd.DataFrame(
        {
            "j": np.arange(len(assets), dtype=np.int32),
            "wkb": shapely.to_wkb(assets.to_crs(METRIC_CRS).geometry.values),
        }
    )
    con.register("s_in", s)
    con.register("a_in", a)
    con.execute("CREATE TABLE s AS SELECT i, ST_Point(x, y) AS g FROM s_in")
    con.execute("CREATE TABLE a AS SELECT j, ST_GeomFromWKB(wkb) AS g FROM a_in")
    global _started
    _started = time.perf_counter()
    query = f"SELECT s.i, a.j FROM s JOIN a ON ST_DWithin(s.g, a.g, {RADIUS_M})"
    pairs = con.execute(query).fetchnumpy()
    return len(pairs["i"]), len(pairs["i"])


def duckdb_connection():
    """Return a DuckDB connection with the spatial extension loaded from its PyPI package."""
    import duckdb
    import duckdb_extension_spatial

    package = Path(duckdb_extension_spatial.__file__).parent
    extension = next(package.glob(f"extensions/v{duckdb.__version__}/spatial.duckdb_extension"))
    con = duckdb.connect()
    con.execute(f"LOAD '{extension}'")
    return con


_started = 0.0
_stopped: float | None = None
_worker_mb = float("nan")


def worker(method: str, n_strikes: int, n_assets: int) -> dict[str, object]:
    global _started
    data = make_data(n_strikes, n_assets)
    _started = time.perf_counter()
    runs = {
        "impact": run_impact,
        "partitioned": run_partitioned,
        "dask": run_dask,
        "sjoin": run_sjoin,
        "duckdb": run_duckdb,
    }
    pairs, links = runs[method](data)
    seconds = (_stopped or time.perf_counter()) - _started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "strikes": n_strikes,
        "assets": n_assets,
        "method": method,
        "pairs": pairs,
        "links": links,
        "seconds": seconds,
        "peak_mb": peak_mb,
        "worker_mb": _worker_mb,
    }


# --------------------------------------------------------------------------------------------
# Driver


def measure(method: str, n_strikes: int, n_assets: int) -> dict[str, object]:
    """Run one method in a fresh interpreter and return its measurements."""
    command = [sys.executable, __file__, "--worker", method, "--sizes", f"{n_strikes}x{n_assets}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        msg = f"{method} at {n_strikes}x{n_assets} failed:\n{done.stderr}"
        raise RuntimeError(msg)
    return json.loads(done.stdout.strip().splitlines()[-1])


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes: list[tuple[int, int]] = []
    for item in text.split(","):
        if item in PRESETS:
            sizes.extend(PRESETS[item])
            continue
        try:
            strikes, assets = (int(float(v)) for v in item.lower().split("x"))
        except ValueError:
            msg = f"--sizes: {item!r} is not small, medium, large or STRIKESxASSETS (1e4x1e4)"
            raise argparse.ArgumentTypeError(msg) from None
        sizes.append((strikes, assets))
    return sizes


def with_ratios(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    by_method = {row["method"]: row for row in rows}
    duck, sjoin = by_method.get("duckdb"), by_method.get("sjoin")
    for row in rows:
        row["time_vs_duckdb"] = row["seconds"] / duck["seconds"] if duck else float("nan")
        row["mem_vs_duckdb"] = row["peak_mb"] / duck["peak_mb"] if duck else float("nan")
        row["sjoin_vs_impact"] = (
            sjoin["seconds"] / row["seconds"]
            if sjoin and row["method"] in ("impact", "partitioned", "dask")
            else float("nan")
        )
    return rows


def format_row(row: dict[str, object]) -> str:
    cells = []
    for column in COLUMNS:
        value = row[column]
        cells.append(f"{value:>14.2f}" if isinstance(value, float) else f"{value!s:>14}")
    return " ".join(cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=parse_sizes("small"),
        help="small, medium, large or STRIKESxASSETS, comma-separated",
    )
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help=f"comma-separated subset of {', '.join(METHODS)}",
    )
    parser.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    if args.worker:
        ((n_strikes, n_assets),) = args.sizes
        print(json.dumps(worker(args.worker, n_strikes, n_assets)))
        return 0
    methods = [m for m in args.methods.split(",") if m]
    unknown = set(methods) - set(METHODS)
    if unknown:
        parser.error(f"--methods: unknown {', '.join(sorted(unknown))}")
    print(" ".join(f"{c:>14}" for c in COLUMNS))
    for n_strikes, n_assets in args.sizes:
        rows = with_ratios([measure(m, n_strikes, n_assets) for m in methods])
        for row in rows:
            print(format_row(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
