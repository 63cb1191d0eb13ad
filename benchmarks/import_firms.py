"""Time a NASA FIRMS import (parse, match to assets, group, merge, validate) at growing sizes.

Run: ``python benchmarks/import_firms.py [N ...]`` (default 100000 300000 1000000). For each N it
writes a synthetic VIIRS CSV of N detections scattered over the region, with 1 in 200 placed
within 2 km of an asset of the shipped data, and plans the import against a copy of ``data/``.
Prints the file size, seconds, rows/s and the candidates found. Target: 1,000,000 rows < 60 s.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from strikemap.layers.io import read_layers
from strikemap.layers.paths import SHIPPED_DATA_DIR
from strikemap.layers.update import apply_plan, plan_import

SIZES = (100_000, 300_000, 1_000_000)
NEAR_ASSET_SHARE = 1 / 200


def synthetic_viirs(path: Path, n: int, assets: pd.DataFrame, *, seed: int = 0) -> None:
    """Write ``n`` VIIRS detections; a small share lie next to ``assets`` (lon, lat columns)."""
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(22.0, 40.0, n), rng.uniform(43.0, 50.0, n)
    near = rng.random(n) < NEAR_ASSET_SHARE
    pick = rng.integers(0, len(assets), near.sum())
    lon[near] = assets["lon"].to_numpy()[pick] + rng.normal(0, 0.005, near.sum())
    lat[near] = assets["lat"].to_numpy()[pick] + rng.normal(0, 0.005, near.sum())
    days = rng.integers(0, 365, n)
    table = pd.DataFrame(
        {
            "latitude": lat.round(5),
            "longitude": lon.round(5),
            "bright_ti4": rng.uniform(300, 367, n).round(2),
            "scan": 0.39,
            "track": 0.36,
            "acq_date": (np.datetime64("2025-01-01") + days.astype("timedelta64[D]")).astype(str),
            "acq_time": rng.integers(0, 2400, n),
            "satellite": "N",
            "instrument": "VIIRS",
            "confidence": rng.choice(["l", "n", "h"], n),
            "version": "2.0NRT",
            "bright_ti5": rng.uniform(270, 300, n).round(2),
            "frp": rng.uniform(0.5, 50, n).round(2),
            "daynight": "N",
        }
    )
    table.to_csv(path, index=False)


def asset_points(data_dir: Path) -> pd.DataFrame:
    layers = read_layers(data_dir=data_dir)
    points = pd.concat([layers["facilities"].geometry, layers["fuel_stations"].geometry])
    return pd.DataFrame({"lon": points.x.to_numpy(), "lat": points.y.to_numpy()})


def run(n: int, work: Path) -> None:
    data_dir = work / f"data-{n}"
    shutil.copytree(SHIPPED_DATA_DIR, data_dir, ignore=shutil.ignore_patterns(".history"))
    source = work / f"viirs-{n}.csv"
    synthetic_viirs(source, n, asset_points(data_dir))
    size_mb = source.stat().st_size / 1e6
    start = time.perf_counter()
    plan = plan_import("firms", source, data_dir=data_dir)
    planned = time.perf_counter() - start
    apply_plan(plan)
    total = time.perf_counter() - start
    print(
        f"{n:>9,} rows  {size_mb:6.1f} MB  plan {planned:6.2f} s  plan+apply {total:6.2f} s  "
        f"{n / total:>10,.0f} rows/s  {len(plan.added):>4} candidates"
    )


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or list(SIZES)
    with tempfile.TemporaryDirectory(prefix="strikemap-bench-") as tmp:
        for n in sizes:
            run(n, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
