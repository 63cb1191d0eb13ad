"""Run the app on a free port and drive it with Debian's Chromium (browser tests, benchmarks).

No internet: every request to a host other than localhost is aborted, so the map must render on
the offline basemap with the libraries the app serves itself.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

from strikemap.webapp.serve import app_environment, prepare_app, streamlit_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = ("localhost", "127.0.0.1")
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
STARTUP_TIMEOUT_S = 60.0

IGNORED_CONSOLE = (
    "Unrecognized feature:",  # Streamlit's iframe `allow` list names features Chromium lacks
    "allow-scripts and allow-same-origin",
)


def free_port() -> int:
    """Return a TCP port that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AppServer:
    """A running ``streamlit run app.py``."""

    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL of the app."""
        return f"http://127.0.0.1:{self.port}/"

    def log(self) -> str:
        """Return what the server printed so far (for failure messages)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_app(
    data_dir: Path | None, log_dir: Path, *, app_path: Path | None = None
) -> Iterator[AppServer]:
    """Start the app (or another page) on a free port, wait until it answers, stop it at the end."""
    port = free_port()
    log_path = log_dir / f"streamlit-{port}.log"
    env = app_environment(data_dir)
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            streamlit_command(port=port, app_path=app_path or prepare_app(log_dir / "run")),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=log_dir,
        )
    server = AppServer(process, port, log_path)
    try:
        _wait_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(server: AppServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            msg = f"streamlit exited with {server.process.returncode}:\n{server.log()}"
            raise RuntimeError(msg)
        try:
            with urllib.request.urlopen(f"{server.url}_stcore/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    msg = f"streamlit did not answer within {STARTUP_TIMEOUT_S} s:\n{server.log()}"
    raise RuntimeError(msg)


@dataclass
class PageLog:
    """Console errors, page errors, blocked and served requests of one browser page."""

    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    bytes_received: int = 0
    """HTTP response bodies (as sent, i.e. compressed when they were) plus websocket frames."""
    websocket_bytes: int = 0
    """Websocket frames alone: the app's own data (the map script, tables, widgets)."""


def is_local(url: str) -> bool:
    """Whether ``url`` points at this machine (a local file, or a data/blob URL)."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about", "file") or parts.hostname in LOCAL_HOSTS


def watch_offline(context, log: PageLog) -> None:
    """Abort every request to another host and record console errors and traffic."""

    def route(route_) -> None:
        url = route_.request.url
        if is_local(url):
            log.local.append(url)
            route_.continue_()
        else:
            log.blocked.append(url)
            route_.abort()

    context.route("**/*", route)


def watch_page(page, log: PageLog) -> None:
    """Record console errors and uncaught exceptions of ``page`` and its frames."""

    def on_console(message) -> None:
        if message.type == "error" and not any(i in message.text for i in IGNORED_CONSOLE):
            log.errors.append(f"console: {message.text}")

    def on_finished(request) -> None:
        try:
            log.bytes_received += request.sizes()["responseBodySize"]
        except PlaywrightError:  # the request is gone when the page navigates away
            return

    def on_frame(payload: str | bytes) -> None:
        log.bytes_received += len(payload)
        log.websocket_bytes += len(payload)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: log.errors.append(f"pageerror: {exc}"))
    page.on("requestfinished", on_finished)
    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))


def chromium_missing_reason() -> str | None:
    """Return why browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found; install Debian's chromium (apt-get install chromium)"
    return None


def in_ci() -> bool:
    """Whether the tests run in CI, where browser tests must not be skipped."""
    return bool(os.environ.get("CI"))
