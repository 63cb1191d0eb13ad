"""Time country reports: the shipped data for one country, then synthetic strikes around Orlivka.

Run: ``python benchmarks/report.py [--sizes 1000 10000] [--repeat 1]``. For each case it prints
the strikes in the selection, the time to analyse the view (join included, once), the time to
build and write the PDF and the HTML report into memory, their sizes and pages, and each time
as a ratio of the issue's target (5 s for the shipped data, 30 s and 20 MB at 1e4 strikes).
Synthetic strikes are scattered within about 20 km of the Orlivka station (the shipped assets
and relations, so the strikes reach Romania through real transit chains) in 2025; one in three
names the station as its target (affected), the others are only near it (exposed).
"""

from __future__ import annotations

import argparse
import io
import time

import geopandas as gpd
import numpy as np
import pandas as pd
from pypdf import PdfReader

from strikemap.analysis import Dataset, View, analyse, load_dataset
from strikemap.reports import report_bytes

COUNTRY = "ROU"
ORLIVKA = (28.53, 45.39)
TARGET_S = {"shipped": 5.0, 10_000: 30.0}
TARGET_MB = 20.0
WEAPONS = np.array(["drone", "missile", "combined", "unknown"])


def synthetic_strikes(n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` confirmed strikes within about 20 km of Orlivka in 2025 (benchmark only)."""
    rng = np.random.default_rng(seed)
    lon = ORLIVKA[0] + rng.normal(0, 0.12, n)
    lat = ORLIVKA[1] + rng.normal(0, 0.08, n)
    days = rng.integers(0, 365, n)
    dates = (pd.Timestamp("2025-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    return gpd.GeoDataFrame(
        {
            "id": [f"strike-synthetic-{i:05d}" for i in range(n)],
            "name": [f"Synthetic strike {i}" for i in range(n)],
            "date": dates,
            "date_precision": "day",
            "weapon": WEAPONS[rng.integers(0, len(WEAPONS), n)],
            "geo_precision": rng.integers(0, 3, n),
            "status": "confirmed",
            "sources": [[f"https://example{i % 7}.org/report/{i}"] for i in range(n)],
            "target_ids": [["fac-orlivka-cs"] if i % 3 == 0 else [] for i in range(n)],
            "place": "synthetic place near Orlivka",
            "admin1": "Odesa",
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )


def time_case(label: str, dataset: Dataset, *, repeat: int, target_s: float | None) -> None:
    started = time.perf_counter()
    analysis = analyse(dataset, View(countries=(COUNTRY,)))
    analysed = time.perf_counter() - started
    for fmt in ("pdf", "html"):
        best, data = float("inf"), b""
        for _ in range(repeat):
            started = time.perf_counter()
            data = report_bytes(analysis, fmt=fmt)
            best = min(best, time.perf_counter() - started)
        pages = len(PdfReader(io.BytesIO(data)).pages) if fmt == "pdf" else 0
        total = analysed + best
        ratio = f"{total / target_s:.2f}" if target_s else "-"
        mb = len(data) / 1e6
        print(
            f"{label:>10} {len(analysis.strikes):>8} {len(analysis.links):>8} {fmt:>5} "
            f"{analysed:>9.2f} {best:>9.2f} {mb:>8.2f} {pages:>6} {ratio:>9} "
            f"{mb / TARGET_MB:>8.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    print(
        f"{'case':>10} {'strikes':>8} {'links':>8} {'fmt':>5} {'analyse_s':>9} {'report_s':>9} "
        f"{'mb':>8} {'pages':>6} {'vs_time':>9} {'vs_20mb':>8}"
    )
    started = time.perf_counter()
    shipped = load_dataset()
    loaded = time.perf_counter() - started
    time_case("shipped", shipped, repeat=args.repeat, target_s=TARGET_S["shipped"])
    for n in args.sizes:
        dataset = Dataset.from_frames(
            {**shipped.layers, "strikes": synthetic_strikes(n)},
            relations=shipped.relations,
            country_codes=shipped.country_codes,
        )
        time_case("synthetic", dataset, repeat=args.repeat, target_s=TARGET_S.get(n))
    print(f"reading the shipped data folder: {loaded:.2f} s (not in the times above)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
