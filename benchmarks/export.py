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
import shapely

from strikemap.analysis import Dataset, View, analyse
from strikemap.geo.assets import combine_assets
from strikemap.geo.impact import link_strikes
from strikemap.layers.catalog import ASSET_ROLES
from strikemap.layers.io import read_layers, read_relations
from strikemap.maps.static import render_static_map

TARGETS_S = {"shipped": 2.0, 100_000: 4.0}
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


def best_time(layers, links, *, repeat: int, fmt: str = "png") -> tuple[float, int]:
    """Best wall time of ``repeat`` 300-dpi exports into memory, and the file size.

    The analysis (view and links) is made before the clock starts: this times the drawing.
    """
    analysis = analyse(Dataset.from_frames(layers), View(), links=links)
    times = []
    for _ in range(repeat):
        buffer = io.BytesIO()
        started = time.perf_counter()
        render_static_map(analysis, out=buffer, fmt=fmt, dpi=300)
        times.append(time.perf_counter() - started)
    return min(times), len(buffer.getvalue())


def bare_plot_time(*, repeat: int) -> float:
    """Time issue 5's reference: bare geopandas plot of 1e4 points, 1e3 lines, 300-dpi PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rng = np.random.default_rng(1)
    points = gpd.GeoSeries(gpd.points_from_xy(*rng.uniform(0, 1, (2, 10_000))))
    starts, ends = rng.uniform(0, 1, (1_000, 2)), rng.uniform(0, 1, (1_000, 2))
    lines = gpd.GeoSeries(shapely.linestrings(np.stack([starts, ends], axis=1)))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fig = Figure(figsize=(297 / 25.4, 210 / 25.4))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        lines.plot(ax=ax, linewidth=0.5)
        points.plot(ax=ax, markersize=2)
        fig.savefig(io.BytesIO(), format="png", dpi=300)
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    args = parser.parse_args(argv)

    layers = read_layers()
    assets = combine_assets(layers, layers=ASSET_ROLES)
    links = link_strikes(layers["strikes"], assets, read_relations(), layers["countries"])
    print(f"{'case':>16} {'strikes':>8} {'links':>6} {'best s':>7} {'target':>7} {'MB':>7}")
    seconds, size = best_time(layers, links, repeat=args.repeat)
    print(
        f"{'shipped, PNG':>16} {len(layers['strikes']):>8} {len(links):>6} {seconds:>7.2f} "
        f"{TARGETS_S['shipped']:>7.1f} {size / 1e6:>7.2f}"
    )
    for fmt in ("pdf", "svg"):
        seconds, size = best_time(layers, links, repeat=args.repeat, fmt=fmt)
        label = f"shipped, {fmt.upper()}"
        print(
            f"{label:>16} {len(layers['strikes']):>8} {len(links):>6} {seconds:>7.2f} "
            f"{'':>7} {size / 1e6:>7.2f}"
        )
    no_links = links.iloc[:0]
    for n in args.sizes:
        synthetic = {**layers, "strikes": synthetic_strikes(n)}
        seconds, size = best_time(synthetic, no_links, repeat=args.repeat)
        target = f"{TARGETS_S[n]:>7.1f}" if n in TARGETS_S else f"{'':>7}"
        print(f"{'synthetic':>16} {n:>8} {0:>6} {seconds:>7.2f} {target} {size / 1e6:>7.2f}")
    print(
        f"reference: bare geopandas plot, 1e4 points + 1e3 lines, 300-dpi PNG: "
        f"{bare_plot_time(repeat=args.repeat):.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
