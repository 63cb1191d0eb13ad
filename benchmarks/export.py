"""Time the static map export: a 300-dpi PNG of the shipped data and of 1e5 synthetic strikes.

Run: ``python benchmarks/export.py [--repeat 3] [--sizes 1000 10000 100000]``. Prints the best
of ``--repeat`` runs per case; targets are 2 s (shipped data) and 4 s (1e5 strikes).
"""

from __future__ import annotations

import argparse
import io
import time

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.assets import combine_assets
from geo.impact import link_strikes
from layers.io import read_layers, read_relations
from maps.static import render_static_map
from maps.view import View

TARGETS_S = {"shipped": 2.0, 100_000: 4.0}
ASSET_LAYERS = ("pipelines", "power_lines", "facilities", "fuel_stations")
WEAPONS = np.array(["drone", "missile", "combined", "unknown"])


def synthetic_strikes(n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` confirmed strikes scattered over Odesa oblast and the Danube, over four years."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(28.2, 31.2, n)
    lat = rng.uniform(45.2, 47.0, n)
    days = rng.integers(0, 4 * 365, n)
    dates = (pd.Timestamp("2022-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    return gpd.GeoDataFrame(
        {
            "id": [f"strike-synthetic-{i}" for i in range(n)],
            "name": "synthetic",
            "date": dates,
            "weapon": WEAPONS[rng.integers(0, len(WEAPONS), n)],
            "geo_precision": rng.integers(0, 4, n),
            "status": "confirmed",
            "sources": [[f"https://example{i % 7}.org/x"] for i in range(n)],
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )


def best_time(layers, links, *, repeat: int) -> tuple[float, int]:
    """Best wall time of ``repeat`` 300-dpi PNG exports into memory, and the PNG size."""
    times = []
    for _ in range(repeat):
        buffer = io.BytesIO()
        started = time.perf_counter()
        render_static_map(layers, links, View(), out=buffer, fmt="png", dpi=300)
        times.append(time.perf_counter() - started)
    return min(times), len(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    args = parser.parse_args(argv)

    layers = read_layers()
    assets = combine_assets({name: layers[name] for name in ASSET_LAYERS})
    links = link_strikes(layers["strikes"], assets, read_relations(), layers["countries"])
    print(f"{'case':>16} {'strikes':>8} {'links':>6} {'best s':>7} {'target':>7} {'PNG MB':>7}")
    seconds, size = best_time(layers, links, repeat=args.repeat)
    print(
        f"{'shipped data':>16} {len(layers['strikes']):>8} {len(links):>6} {seconds:>7.2f} "
        f"{TARGETS_S['shipped']:>7.1f} {size / 1e6:>7.2f}"
    )
    no_links = links.iloc[:0]
    for n in args.sizes:
        synthetic = {**layers, "strikes": synthetic_strikes(n)}
        seconds, size = best_time(synthetic, no_links, repeat=args.repeat)
        target = f"{TARGETS_S[n]:>7.1f}" if n in TARGETS_S else f"{'':>7}"
        print(f"{'synthetic':>16} {n:>8} {0:>6} {seconds:>7.2f} {target} {size / 1e6:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
