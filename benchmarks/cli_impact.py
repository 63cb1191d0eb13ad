"""Time ``strikemap impact --format csv`` end to end on synthetic strikes over the shipped assets.

The shipped strikes' properties (dates, weapons, precisions, targets, sources) are repeated at
seeded random points over Odesa oblast and the Danube (28.2-31.2 E, 45.2-47.0 N), with unique
ids, in a copy of the shipped data folder (as strikes.parquet above 100,000 strikes, whose GeoJSON
would pass the readers' 256 MB limit); every method then runs in its own process on it:

- ``inprocess``: ``strikemap impact --format csv`` (the whole join in memory, the default);
- ``partitioned``: the same with ``--engine partitioned`` (partitions in the join's order, each
  writing its piece of the CSV, the pieces then copied into one file);
- ``dask``: the same with ``--engine dask --workers 2`` (a local cluster; its start is timed);
- ``geopandas``: ``benchmarks/geopandas_script.py``, the hand-written reference (pyogrio read,
  ``sjoin(predicate="dwithin")`` at 5 km against every asset layer, CSV written).

``vs_geopandas`` is each method's time over the script's (<= 1 is no slower). Usage::

    python benchmarks/cli_impact.py                 # 50,000 strikes
    python benchmarks/cli_impact.py 10000 200000 --methods inprocess,geopandas
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from strikemap.layers.catalog import STRIKES  # noqa: E402
from strikemap.layers.io import layer_to_parquet, read_layer, write_layer  # noqa: E402
from strikemap.layers.paths import SHIPPED_DATA_DIR  # noqa: E402

REGION = (28.2, 45.2, 31.2, 47.0)
SEED = 11


def synthetic_data_dir(n: int, folder: Path, *, parquet: bool = False) -> Path:
    """Copy the shipped data into ``folder`` and replace its strikes with ``n`` synthetic ones.

    With ``parquet`` the strikes are written as ``strikes.parquet`` instead of GeoJSON.
    """
    data = folder / "data"
    shutil.copytree(SHIPPED_DATA_DIR, data)
    shipped = read_layer(STRIKES, data_dir=data)
    shipped = shipped[shipped["status"] == "confirmed"].reset_index(drop=True)
    rng = np.random.default_rng(SEED)
    rows = shipped.iloc[np.arange(n) % len(shipped)].reset_index(drop=True)
    west, south, east, north = REGION
    lon, lat = rng.uniform(west, east, n), rng.uniform(south, north, n)
    rows["id"] = [f"strike-synthetic-{i:07d}" for i in range(n)]
    frame = gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy(lon, lat), crs=shipped.crs)
    if parquet:  # GeoJSON of 2e5 strikes passes the readers' 256 MB limit
        (data / STRIKES.file).unlink()
        (data / STRIKES.large_file).write_bytes(layer_to_parquet(frame, STRIKES))
    else:
        write_layer(frame, STRIKES, data_dir=data)
    return data


METHODS = ("inprocess", "partitioned", "dask", "geopandas")
ENGINE_OPTIONS = {
    "inprocess": [],
    "partitioned": ["--engine", "partitioned"],
    "dask": ["--engine", "dask", "--workers", "2"],
}
GEOJSON_MAX_STRIKES = 100_000
"""Above this many strikes the data folder holds strikes.parquet (GeoJSON would pass 256 MB)."""
SCRIPT = Path(__file__).resolve().parent / "geopandas_script.py"


def command_of(method: str, data: Path, out: Path) -> list[str]:
    """Return the command line of ``method`` writing ``out`` from ``data``."""
    if method == "geopandas":
        return [sys.executable, str(SCRIPT), str(data), str(out)]
    return [
        sys.executable,
        "-m",
        "strikemap.cli",
        "impact",
        "--format",
        "csv",
        "--data-dir",
        str(data),
        "--out",
        str(out),
        *ENGINE_OPTIONS[method],
    ]


def time_command(command: list[str]) -> float:
    """Run ``command`` in a fresh process and return its wall time (NaN when it fails)."""
    start = time.perf_counter()
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        print(f"# {command[-1]} failed after {seconds:.1f} s: {last}", file=sys.stderr)
        return float("nan")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[50_000])
    parser.add_argument(
        "--methods", default=",".join(METHODS), help=f"comma-separated, of {', '.join(METHODS)}"
    )
    args = parser.parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        parser.error(f"--methods: unknown {', '.join(unknown)}; choose from {', '.join(METHODS)}")
    print(f"{'strikes':>9} {'method':>12} {'rows':>10} {'seconds':>8} {'vs_geopandas':>13}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            data = synthetic_data_dir(n, Path(tmp), parquet=n > GEOJSON_MAX_STRIKES)
            results = []
            for method in methods:
                out = Path(tmp) / f"links-{method}.csv"
                seconds = time_command(command_of(method, data, out))
                rows = -1
                if out.exists():
                    with out.open(encoding="utf-8") as handle:
                        rows = sum(1 for _ in handle) - 1
                    out.unlink()
                results.append((method, rows, seconds))
                print(f"# {n} {method}: {seconds:.1f} s", file=sys.stderr, flush=True)
        reference = {m: s for m, _r, s in results}.get("geopandas", float("nan"))
        for method, rows, seconds in results:
            print(f"{n:>9} {method:>12} {rows:>10} {seconds:>8.1f} {seconds / reference:>13.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
