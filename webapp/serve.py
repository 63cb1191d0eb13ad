"""Start the Streamlit app on a data folder (``strikemap serve``).

The app runs from a *run folder* outside the source tree and outside the installed package:
a three-line launcher that imports ``strikemap.app`` and a ``static/`` folder with the map's
libraries copied from installed packages (Streamlit serves ``static/`` beside the script it
runs). So an installed wheel serves offline too, and nothing is written into the package.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from strikemap.layers.paths import DATA_DIR_ENV
from strikemap.maps.offline import install_static_assets
from strikemap.webapp.data_page import DEFAULT_MAX_UPLOAD_MB, MAX_UPLOAD_ENV

log = logging.getLogger(__name__)

DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "127.0.0.1"
"""Serve on this machine only; ``--address 0.0.0.0`` shares the map on the network."""
RUN_DIR_ENV = "STRIKEMAP_RUN_DIR"
"""Folder for the launcher and the served libraries (default: a per-user cache folder)."""
LAUNCHER_NAME = "strikemap_app.py"
LAUNCHER = '''\
"""Written by `strikemap serve`: runs the installed app, serving ./static (map libraries)."""
from pathlib import Path

from strikemap.app import main

main(static_dir=Path(__file__).resolve().parent / "static")
'''
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def default_run_dir() -> Path:
    """Return ``$STRIKEMAP_RUN_DIR``, else ``$XDG_CACHE_HOME/strikemap/app`` (``~/.cache``)."""
    explicit = os.environ.get(RUN_DIR_ENV)
    if explicit:
        return Path(explicit)
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "strikemap" / "app"


def prepare_app(run_dir: Path | None = None) -> Path:
    """Write the launcher and copy the map libraries into ``run_dir``; return the launcher.

    Parameters
    ----------
    run_dir
        Folder to use; default ``default_run_dir()``. When it cannot be written (a read-only
        home), a folder in the temporary directory is used instead, with a warning.
    """
    folder = run_dir or default_run_dir()
    try:
        return _write_run_dir(folder)
    except OSError as exc:
        user = hashlib.sha1(str(Path.home()).encode()).hexdigest()[:8]
        fallback = Path(tempfile.gettempdir()) / f"strikemap-app-{user}"
        log.warning("cannot write %s (%s); using %s", folder, exc.strerror or exc, fallback)
        return _write_run_dir(fallback)


def _write_run_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    launcher = folder / LAUNCHER_NAME
    if not launcher.exists() or launcher.read_text(encoding="utf-8") != LAUNCHER:
        tmp = folder / f".{LAUNCHER_NAME}.{os.getpid()}.tmp"
        tmp.write_text(LAUNCHER, encoding="utf-8")
        tmp.replace(launcher)
    install_static_assets(folder / "static")
    return launcher


def streamlit_command(
    *,
    port: int = DEFAULT_PORT,
    headless: bool = True,
    address: str = DEFAULT_ADDRESS,
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
    app_path: Path | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """Return the ``streamlit run`` command line for the app.

    Parameters
    ----------
    port, headless, address
        Where to listen, and whether to open a browser window.
    max_upload_mb
        Largest file the Data tab accepts (Streamlit refuses larger uploads itself).
    app_path
        Script to run; default the launcher of ``prepare_app()`` (written now).
    extra
        More ``streamlit run`` options.

    Notes
    -----
    Static file serving is on, so the map's libraries come from the run folder and the map
    works with no internet; the file watcher is off (analysts do not edit the code in use);
    an unexpected error shows a generic message in the browser, its details go to the console.
    """
    script = app_path if app_path is not None else prepare_app()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true" if headless else "false",
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
        "--client.showErrorDetails",
        "none",
        "--server.maxUploadSize",
        str(max(1, math.ceil(max_upload_mb))),
    ]
    return [*command, *extra]


def app_environment(
    data_dir: str | Path | None, *, max_upload_mb: float | None = None
) -> dict[str, str]:
    """Return the environment for the app: this one, with the data folder and upload limit."""
    env = dict(os.environ)
    if data_dir is not None:
        env[DATA_DIR_ENV] = str(Path(data_dir).resolve())
    if max_upload_mb is not None:
        env[MAX_UPLOAD_ENV] = f"{max_upload_mb:g}"
    return env


def serve(
    data_dir: str | Path | None = None,
    port: int = DEFAULT_PORT,
    *,
    headless: bool = False,
    address: str = DEFAULT_ADDRESS,
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
) -> int:
    """Run the app until it is stopped; return Streamlit's exit code.

    Parameters
    ----------
    data_dir
        Data folder; default ``$STRIKEMAP_DATA_DIR`` or the shipped data.
    port
        Port to listen on.
    headless
        Do not open a browser window.
    address
        Address to bind; ``127.0.0.1`` (this machine only) by default.
    max_upload_mb
        Largest upload the Data tab accepts.

    Notes
    -----
    SIGINT and SIGTERM sent to this process are passed on to Streamlit, and this process exits
    when Streamlit does, so stopping ``strikemap serve`` never leaves the app serving.
    """
    if data_dir is not None and not Path(data_dir).is_dir():
        log.error("data folder %s does not exist; pass an existing --data-dir", data_dir)
        return 2
    command = streamlit_command(
        port=port, headless=headless, address=address, max_upload_mb=max_upload_mb
    )
    log.info("starting %s", " ".join(command))
    env = app_environment(data_dir, max_upload_mb=max_upload_mb)
    child = subprocess.Popen(command, env=env, cwd=Path(command[4]).parent)

    def forward(signum: int, _frame: FrameType | None) -> None:
        child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in STOP_SIGNALS}
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if code in (0, -signal.SIGINT, -signal.SIGTERM) else code
