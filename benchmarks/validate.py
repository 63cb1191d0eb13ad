"""Time ``validate_data_dir`` on the shipped data and on N synthetic valid strikes (1e3 .. 1e5).

Run: ``python benchmarks/validate.py [N ...]``. Prints the shipped folder's features, bytes and
seconds (best of 3) against the 5 s target of issue 10, then one line per synthetic size:
seconds and features/s.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from strikemap.layers.catalog import CATALOG
from strikemap.layers.io import read_layers
from strikemap.layers.paths import SHIPPED_DATA_DIR
from strikemap.layers.validate import validate_data_dir

SIZES = (1_000, 10_000, 100_000)
SHIPPED_TARGET_S = 5.0
"""Issue 10: `strikemap validate` on the whole shipped folder in under 5 s."""
REPEAT = 3
SOURCE = "https://example.org/report"
WEAPONS = ("drone", "missile", "combined", "glide_bomb", "artillery", "unknown")


def synthetic_strikes(n: int, *, seed: int = 0) -> dict[str, object]:
    """Return a FeatureCollection of ``n`` valid strikes scattered around Odesa oblast."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(28.2, 31.0, n).round(6)
    lat = rng.uniform(45.2, 47.8, n).round(6)
    days = rng.integers(0, 1_000, n)
    dates = np.datetime64("2022-02-24") + days.astype("timedelta64[D]")
    features = [
        {
            "type": "Feature",
            "properties": {
                "id": f"strike-{i:06d}",
                "name": f"Synthetic strike {i}",
                "sources": [f"{SOURCE}/{i}"],
                "geo_precision": int(i % 4),
                "date": str(dates[i]),
                "date_precision": "day",
                "weapon": WEAPONS[i % len(WEAPONS)],
                "status": "confirmed",
                "target_ids": [],
                "reported_countries": ["UKR"],
            },
            "geometry": {"type": "Point", "coordinates": [float(lon[i]), float(lat[i])]},
        }
        for i in range(n)
    ]
    return {"type": "FeatureCollection", "features": features}


def write_folder(folder: Path, n: int) -> None:
    """Write ``n`` strikes, an empty FeatureCollection for the other layers, and country codes."""
    empty = json.dumps({"type": "FeatureCollection", "features": []})
    for spec in CATALOG:
        (folder / spec.file).write_text(empty, encoding="utf-8")
    (folder / "strikes.geojson").write_text(json.dumps(synthetic_strikes(n)), encoding="utf-8")
    (folder / "relations.csv").write_text(
        "asset_id,country,relation,valid_from,valid_to,note,source\n", encoding="utf-8"
    )
    (folder / "country_codes.csv").write_text("iso3,name\nUKR,Ukraine\n", encoding="utf-8")


def time_validation(n: int) -> float:
    """Return the seconds ``validate_data_dir`` takes on ``n`` synthetic strikes."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_folder(folder, n)
        start = time.perf_counter()
        report = validate_data_dir(folder)
        elapsed = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(report.format())
    return elapsed


def time_shipped(repeat: int = REPEAT) -> tuple[int, int, float]:
    """Return features, bytes and the best of ``repeat`` validation times of the shipped data."""
    features = sum(len(f) for f in read_layers(data_dir=SHIPPED_DATA_DIR).values())
    size = sum(p.stat().st_size for p in SHIPPED_DATA_DIR.iterdir() if p.is_file())
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        report = validate_data_dir(SHIPPED_DATA_DIR)
        best = min(best, time.perf_counter() - start)
    if not report.ok:
        raise SystemExit(report.format())
    return features, size, best


def main(sizes: list[int]) -> None:
    features, size, seconds = time_shipped()
    print(
        f"shipped data: {features} features, {size / 1e6:.1f} MB in {len(CATALOG) + 1} files: "
        f"{seconds:.2f} s (target {SHIPPED_TARGET_S:g} s, ratio {seconds / SHIPPED_TARGET_S:.2f})"
    )
    print(f"{'strikes':>8}  {'seconds':>8}  {'features/s':>10}")
    for n in sizes:
        seconds = time_validation(n)
        print(f"{n:>8}  {seconds:>8.2f}  {n / seconds:>10.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or list(SIZES))
