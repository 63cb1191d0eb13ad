"""The package installs for real: a wheel in a fresh venv runs the app and the verbs anywhere."""

from __future__ import annotations

import json
import os
import shutil
import signal
import site
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from browser_support import free_port

from strikemap.layers.catalog import CATALOG

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 90
UNSHIPPED = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".history")


def declared_packages() -> set[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(pyproject["tool"]["setuptools"]["packages"])


def test_every_package_folder_is_declared_for_the_wheel() -> None:
    top = [init.parent for init in ROOT.glob("*/__init__.py")]
    folders = {
        "strikemap." + ".".join(init.parent.relative_to(ROOT).parts)
        for package in top
        for init in package.glob("**/__init__.py")
    }
    assert folders | {"strikemap"} == declared_packages()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source") / "strikemap"  # setuptools builds in the tree
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*UNSHIPPED))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("strikemap-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; the dependencies come from this environment.

    The wheel goes in with ``--no-deps`` (its dependencies are already installed here, and
    re-downloading geopandas and Streamlit would only test the registry); a ``.pth`` line puts
    this environment's site-packages *after* the venv's own, so ``strikemap`` is the wheel's.
    A ``.pth`` line adds a folder without running the ``.pth`` files inside it, so the
    checkout's editable install is not active there.
    """
    venv = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "zz_strikemap_deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv


def run_in(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "STRIKEMAP_DATA_DIR"}
    return subprocess.run(
        [str(venv / "bin" / "strikemap"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_wheel_holds_the_app_the_command_line_and_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"strikemap/app.py", "strikemap/cli/main.py", "strikemap/geo/impact.py"} <= names
    for spec in CATALOG:
        assert f"strikemap/data/{spec.file}" in names
    assert "strikemap/data/relations.csv" in names
    assert not any(n.startswith(("strikemap/tests/", "tests/", "geo/", "layers/")) for n in names)


@pytest.mark.slow
def test_installed_wheel_runs_the_verbs_from_any_folder(wheel_venv: Path, tmp_path: Path) -> None:
    located = subprocess.run(
        [str(wheel_venv / "bin" / "python"), "-c", "import strikemap; print(strikemap.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(wheel_venv) in located, located

    layers = run_in(wheel_venv, tmp_path, "layers")
    assert layers.returncode == 0, layers.stderr
    assert "strikes.geojson" in layers.stdout

    validate = run_in(wheel_venv, tmp_path, "validate", "--format", "json")
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert json.loads(validate.stdout)["data_dir"].startswith(str(wheel_venv))  # package data

    impact = run_in(wheel_venv, tmp_path, "impact", "--summary")
    assert impact.returncode == 0, impact.stderr
    assert "AZE" in impact.stdout

    for out in ("map.png", "map.html", "table.csv"):
        verb = "export-table" if out.endswith(".csv") else "export-map"
        done = run_in(wheel_venv, tmp_path, verb, "--out", str(tmp_path / out))
        assert done.returncode == 0, done.stderr
        assert (tmp_path / out).stat().st_size > 1000


@pytest.mark.slow
def test_installed_wheel_serves_the_app_offline_and_stops_on_sigterm(
    wheel_venv: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "STRIKEMAP_DATA_DIR"}
    env["STRIKEMAP_RUN_DIR"] = str(tmp_path / "run")
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(wheel_venv / "bin" / "strikemap"), "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server, log_path)
        leaflet = urllib.request.urlopen(f"{base}/app/static/vendor/leaflet/leaflet.js", timeout=5)
        assert leaflet.status == 200
        assert b"Leaflet" in leaflet.read()[:2000]
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=30)
    assert code == 0, log_path.read_text()
    with pytest.raises(urllib.error.URLError):  # the Streamlit child stopped with the command
        urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
    assert f"http://127.0.0.1:{port}" in log_path.read_text()
    assert not (ROOT / "static").exists()


def wait_until_healthy(base: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"serve exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"serve did not answer within {STARTUP_TIMEOUT_S} s:\n{log_path.read_text()}")
