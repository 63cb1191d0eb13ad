"""The impact benchmark runs at its smallest size and prints its columns (CI smoke test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "impact.py"
COLUMNS = [
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
]


def run_benchmark(script: Path, *args: str, timeout: float) -> subprocess.CompletedProcess:
    """Run a benchmark script with this Python and capture what it prints."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def test_impact_benchmark_small_prints_every_method_with_ratios():
    done = run_benchmark(BENCHMARK, "--sizes", "small", timeout=120)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.strip().splitlines()
    assert header.split() == COLUMNS
    cells = [row.split() for row in rows]
    assert [c[2] for c in cells] == ["impact", "partitioned", "dask", "sjoin", "duckdb"]
    by_method = {c[2]: dict(zip(COLUMNS, c, strict=True)) for c in cells}
    assert by_method["duckdb"]["time_vs_duckdb"] == "1.00"
    # the join finds the same strike-asset pairs as DuckDB, up to planar-vs-geodesic edge cases
    impact_pairs, duck_pairs = int(by_method["impact"]["pairs"]), int(by_method["duckdb"]["pairs"])
    assert abs(impact_pairs - duck_pairs) <= 0.02 * duck_pairs
    # the partitioned join, in process and on two Dask workers, finds the same rows as the join
    for method in ("partitioned", "dask"):
        assert by_method[method]["pairs"] == by_method["impact"]["pairs"]
        assert by_method[method]["links"] == by_method["impact"]["links"]
    assert float(by_method["dask"]["worker_mb"]) > 0


def test_impact_benchmark_rejects_a_bad_size():
    done = run_benchmark(BENCHMARK, "--sizes", "huge", timeout=60)
    assert done.returncode == 2
    assert "--sizes: 'huge' is not small, medium, large" in done.stderr


REPORT_BENCHMARK = BENCHMARK.parent / "report.py"
REPORT_COLUMNS = [
    "case",
    "strikes",
    "links",
    "fmt",
    "analyse_s",
    "report_s",
    "mb",
    "pages",
    "vs_time",
    "vs_20mb",
]


def test_report_benchmark_small_prints_both_formats_with_ratios():
    done = run_benchmark(REPORT_BENCHMARK, "--sizes", "300", timeout=300)
    assert done.returncode == 0, done.stderr
    header, *rows, note = done.stdout.strip().splitlines()
    assert header.split() == REPORT_COLUMNS
    cells = [dict(zip(REPORT_COLUMNS, row.split(), strict=True)) for row in rows]
    assert [(c["case"], c["fmt"]) for c in cells] == [
        ("shipped", "pdf"),
        ("shipped", "html"),
        ("synthetic", "pdf"),
        ("synthetic", "html"),
    ]
    assert int(cells[2]["strikes"]) > 200  # most of the 300 synthetic strikes reach Romania
    assert int(cells[2]["pages"]) > 10
    assert float(cells[0]["vs_time"]) > 0
    assert note.startswith("reading the shipped data folder")


HISTORY_BENCHMARK = BENCHMARK.parent / "history.py"


def test_history_benchmark_small_prints_sizes_and_the_ratio():
    done = run_benchmark(HISTORY_BENCHMARK, "--adds", "3", "--copies", "2", timeout=180)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("strikes layer:")
    assert "3 one-strike adds" in lines[0]
    assert lines[1].startswith("full copy per write (before):")
    assert "x smaller)" in lines[2]
    assert "KB per add" in lines[3]


CLI_BENCHMARK = BENCHMARK.parent / "cli_impact.py"


def test_end_to_end_benchmark_compares_the_engines_with_the_geopandas_script():
    done = run_benchmark(
        CLI_BENCHMARK, "500", "--methods", "inprocess,partitioned,geopandas", timeout=300
    )
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.strip().splitlines()
    assert header.split() == ["strikes", "method", "rows", "seconds", "vs_geopandas"]
    cells = {row.split()[1]: row.split() for row in rows}
    assert list(cells) == ["inprocess", "partitioned", "geopandas"]
    # both engines write the same table; the script writes only its dwithin pairs
    assert cells["partitioned"][2] == cells["inprocess"][2]
    assert int(cells["geopandas"][2]) > 0
    assert cells["geopandas"][4] == "1.00"
