"""The analysis and data rooms (geo, layers) type-check with mypy (settings in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("strikemap.geo", "strikemap.layers")


@pytest.mark.slow
def test_geo_and_layers_type_check(tmp_path: Path) -> None:
    # mypy finds packages by folder name; the checkout's folder may have any name, so the
    # package is offered to it as a link named strikemap
    (tmp_path / "strikemap").symlink_to(ROOT, target_is_directory=True)
    packages = [arg for name in CHECKED for arg in ("-p", name)]
    config = ["--config-file", str(ROOT / "pyproject.toml")]
    cache = ["--cache-dir", str(tmp_path / ".mypy_cache")]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", *packages, *config, *cache],
        cwd=tmp_path,
        env={"MYPYPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
