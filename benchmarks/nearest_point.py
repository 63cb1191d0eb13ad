"""The join's hot loop: the nearest point of a candidate line to a strike, numpy against GEOS.

Would compiling it pay? ``geo.search.nearest_on_segments`` (numpy over every segment of each
paired line, in chunks over two threads) against shapely 2's vectorised GEOS functions on the
same pairs: ``shortest_line`` (the nearest point in one call) and ``line_locate_point`` +
``line_interpolate_point``; and, when numba is installed (it is no dependency of strikemap), the
same loop compiled, one pair per iteration over two threads (compile time reported apart).
Seeded random-walk lines of 5-50 vertices (300 m steps, metric
coordinates) as in ``benchmarks/impact.py``; candidate pairs within 5 km. Best of three::

    python benchmarks/nearest_point.py [--pairs 1000000] [--lines 5000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from strikemap.geo.search import Segments, nearest_on_segments  # noqa: E402

SEED = 3


def make_lines(n: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``n`` random-walk lines of 5-50 vertices with 300 m steps over 300 x 300 km."""
    sizes = rng.integers(5, 51, n)
    start = rng.uniform(0, 300_000, (n, 2))
    angles = rng.uniform(0, 2 * np.pi, sizes.sum())
    steps = np.column_stack([np.cos(angles), np.sin(angles)]) * 300.0
    owner = np.repeat(np.arange(n), sizes)
    first = np.cumsum(sizes) - sizes
    steps[first] = 0.0
    walk = np.cumsum(steps, axis=0)
    walk -= np.repeat(walk[first], sizes, axis=0)
    coords = walk + start[owner]
    return shapely.linestrings(coords, indices=owner)


Pair = tuple[np.ndarray, np.ndarray]


def best_of(run: Callable[[], Pair], repeat: int = 3) -> tuple[float, Pair]:
    """Return the best wall time of ``repeat`` runs and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def numba_kernel() -> Callable[..., None] | None:
    """Return the nearest-point loop compiled with numba, or None when numba is missing."""
    try:
        from numba import njit, prange
    except ImportError:
        return None

    @njit(parallel=True, cache=False)
    def nearest(x0, y0, dx, dy, inv_l2, start, count, which, px, py, out_x, out_y):
        for k in prange(len(which)):
            g = which[k]
            best, bx, by = np.inf, np.nan, np.nan
            for i in range(start[g], start[g] + count[g]):
                t = ((px[k] - x0[i]) * dx[i] + (py[k] - y0[i]) * dy[i]) * inv_l2[i]
                t = min(max(t, 0.0), 1.0)
                qx, qy = x0[i] + dx[i] * t, y0[i] + dy[i] * t
                d = (px[k] - qx) ** 2 + (py[k] - qy) ** 2
                if d < best:
                    best, bx, by = d, qx, qy
            out_x[k], out_y[k] = bx, by

    return nearest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=5_000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED)
    lines = make_lines(args.lines, rng)
    which = rng.integers(0, args.lines, args.pairs)
    centre = shapely.get_coordinates(shapely.centroid(lines))[which]
    x = centre[:, 0] + rng.uniform(-5_000, 5_000, args.pairs)
    y = centre[:, 1] + rng.uniform(-5_000, 5_000, args.pairs)
    points = shapely.points(x, y)
    segments = Segments.from_metric(lines)
    paired = lines[which]

    def numpy_threads() -> tuple[np.ndarray, np.ndarray]:
        return nearest_on_segments(segments, which, x, y)

    def numpy_one_thread() -> tuple[np.ndarray, np.ndarray]:
        return nearest_on_segments(segments, which, x, y, parallel=False)

    def geos_shortest_line() -> tuple[np.ndarray, np.ndarray]:
        ends = shapely.get_coordinates(shapely.shortest_line(paired, points)).reshape(-1, 2, 2)
        return ends[:, 0, 0], ends[:, 0, 1]

    def geos_locate() -> tuple[np.ndarray, np.ndarray]:
        along = shapely.line_locate_point(paired, points)
        nearest = shapely.line_interpolate_point(paired, along)
        return shapely.get_x(nearest), shapely.get_y(nearest)

    methods: dict[str, Callable[[], Pair]] = {
        "numpy (2 threads)": numpy_threads,
        "numpy (1 thread)": numpy_one_thread,
        "GEOS shortest_line": geos_shortest_line,
        "GEOS locate+interpolate": geos_locate,
    }
    compiled = numba_kernel()
    if compiled is not None:
        inv_length2 = segments.inv_length2

        def numba_threads() -> Pair:
            out_x, out_y = np.empty(len(which)), np.empty(len(which))
            compiled(segments.x0, segments.y0, segments.dx, segments.dy, inv_length2,
                     segments.start, segments.count, which, x, y, out_x, out_y)  # fmt: skip
            return out_x, out_y

        start = time.perf_counter()
        numba_threads()
        print(f"# numba compile + first run: {time.perf_counter() - start:.2f} s")
        methods["numba (2 threads)"] = numba_threads
    reference: Pair | None = None
    print(f"{'method':<26} {'seconds':>8} {'us/pair':>8} {'vs numpy':>9} {'max diff m':>11}")
    base = None
    for name, run in methods.items():
        seconds, (qx, qy) = best_of(run)
        if reference is None:
            reference, base = (qx, qy), seconds
        diff = float(np.max(np.hypot(qx - reference[0], qy - reference[1])))
        per_pair = seconds / args.pairs * 1e6
        print(f"{name:<26} {seconds:>8.3f} {per_pair:>8.3f} {seconds / base:>9.2f} {diff:>11.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
