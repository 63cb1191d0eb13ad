"""Start the Streamlit app on a data folder (``strikemap serve``)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from layers.paths import DATA_DIR_ENV

log = logging.getLogger(__name__)

APP_PATH = Path(__file__).resolve().parent.parent / "app.py"
DEFAULT_PORT = 8501


def streamlit_command(
    *,
    port: int = DEFAULT_PORT,
    headless: bool = True,
    address: str | None = None,
    app_path: Path = APP_PATH,
    extra: Sequence[str] = (),
) -> list[str]:
    """Return the ``streamlit run`` command line for the app.

    Static file serving is switched on: the map's libraries (Leaflet and friends) are served
    from the app itself, so the map works with no internet. The file watcher is off: the app
    writes its ``static/`` copies at start, and analysts do not edit the code while using it.
    """
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
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
    ]
    if address is not None:
        command += ["--server.address", address]
    return [*command, *extra]


def app_environment(data_dir: str | Path | None) -> dict[str, str]:
    """Return the environment for the app: this one, with ``STRIKEMAP_DATA_DIR`` when given."""
    env = dict(os.environ)
    if data_dir is not None:
        env[DATA_DIR_ENV] = str(Path(data_dir).resolve())
    return env


def serve(
    data_dir: str | Path | None = None,
    port: int = DEFAULT_PORT,
    *,
    headless: bool = False,
    address: str | None = None,
) -> int:
    """Run the app until it is stopped; returns streamlit's exit code.

    Parameters
    ----------
    data_dir
        Data folder; default ``$STRIKEMAP_DATA_DIR`` or the shipped ``data/``.
    port
        Port to listen on.
    headless
        Do not open a browser window.
    address
        Address to bind (streamlit's default when None).
    """
    if data_dir is not None and not Path(data_dir).is_dir():
        log.error("data folder %s does not exist; pass an existing --data-dir", data_dir)
        return 2
    command = streamlit_command(port=port, headless=headless, address=address)
    log.info("starting %s", " ".join(command))
    try:
        return subprocess.call(command, env=app_environment(data_dir), cwd=APP_PATH.parent)
    except KeyboardInterrupt:
        return 0
