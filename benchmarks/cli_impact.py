"""Time ``strikemap impact --format csv`` end to end on synthetic strikes over the shipped assets.

The shipped strikes' properties (dates, weapons, precisions, targets, sources) are repeated at
seeded random points over Odesa oblast and the Danube (28.2-31.2 E, 45.2-47.0 N), with unique
ids, in a copy of the shipped data folder; the command then runs in its own process. Usage::

    python benchmarks/cli_impact.py                 # 50,000 strikes
    python benchmarks/cli_impact.py 10000 200000
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
from strikemap.layers.io import read_layer, write_layer  # noqa: E402
from strikemap.layers.paths import SHIPPED_DATA_DIR  # noqa: E402

REGION = (28.2, 45.2, 31.2, 47.0)
SEED = 11


def synthetic_data_dir(n: int, folder: Path) -> Path:
    """Copy the shipped data into ``folder`` and replace its strikes with ``n`` synthetic ones."""
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
    write_layer(frame, STRIKES, data_dir=data)
    return data


def time_command(data: Path, out: Path) -> float:
    """Run ``strikemap impact --format csv`` in a fresh process and return its wall time."""
    command = [
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
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[50_000])
    args = parser.parse_args(argv)
    print(f"{'strikes':>9} {'rows':>10} {'seconds':>8}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            data = synthetic_data_dir(n, Path(tmp))
            out = Path(tmp) / "links.csv"
            seconds = time_command(data, out)
            with out.open(encoding="utf-8") as handle:
                rows = sum(1 for _ in handle) - 1
        print(f"{n:>9} {rows:>10} {seconds:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
