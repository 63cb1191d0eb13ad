"""The write lock of a data folder: a lock file beside the data, naming its holder.

Writers hold an exclusive ``flock`` on ``DATA/.strikemap.lock`` and write their pid, host, start
time and action into it, so any two writers on the same folder exclude each other whatever
their temporary folders, and a waiting writer can say whom it waits for. The holder empties
the file when it finishes; a file that still names a holder when the lock is taken was left by
a writer that died, and is reported as a stale lock. Readers take a shared lock, so they never
read a set of files half replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; the holder file still guards
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_NAME = ".strikemap.lock"
WAIT_ENV = "STRIKEMAP_LOCK_WAIT"
DEFAULT_WAIT_SECONDS = 600.0
"""How long a writer waits for another one before giving up (``$STRIKEMAP_LOCK_WAIT``)."""
REMOTE_STALE_SECONDS = 3600.0
"""A lock file naming another machine is trusted for this long, then reported as stale."""
POLL_SECONDS = 0.1


class LockError(RuntimeError):
    """The data folder's write lock cannot be taken (held elsewhere, or no rights)."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) the lock: process, machine, since when, doing what."""

    pid: int
    host: str
    since: str
    action: str = ""
    started: str = ""

    def describe(self) -> str:
        """Words for messages: ``pid 41 on host h since 2026-01-01T10:00:00+00:00 (import)``."""
        what = f" ({self.action})" if self.action else ""
        return f"pid {self.pid} on host {self.host} since {self.since}{what}"

    def is_alive(self) -> bool:
        """Whether the holder still runs (only knowable on this machine; True elsewhere)."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not self.started or self.started == _process_start(self.pid)


_local = threading.local()
"""Per thread: folders it holds locks on, with the kinds held (``write``/``read``), for re-entry.

Per thread, not per process: ``flock`` locks of two open files exclude each other even within a
process, so two app sessions (threads) wait for each other like two processes do.
"""


def _held() -> dict[Path, list[str]]:
    if not hasattr(_local, "held"):
        _local.held = {}
    return _local.held


def lock_path(folder: Path) -> Path:
    """Return the lock file of a data folder."""
    return folder / LOCK_NAME


@contextlib.contextmanager
def write_lock(
    folder: str | Path, *, action: str = "", wait: float | None = None
) -> Iterator[Holder | None]:
    """Hold the exclusive write lock of ``folder``; yields the stale holder it replaced, if any.

    Re-entrant within a thread. A second writer waits (saying for whom) up to ``wait``
    seconds (default ``$STRIKEMAP_LOCK_WAIT`` or 600).

    Raises
    ------
    LockError
        When the lock file cannot be created, the wait runs out, or a holder on another machine
        appears to be writing.
    """
    key = Path(folder).resolve()
    if _enter(key, "write"):
        try:
            yield None
        finally:
            _leave(key)
        return
    try:
        fd = _open(key)
    except BaseException:
        _leave(key)
        raise
    try:
        _acquire(fd, key, exclusive=True, wait=_wait_seconds(wait))
        stale = _check_previous(fd, key)
        _write_holder(fd, Holder(os.getpid(), socket.gethostname(), _now(), action, _start()))
        try:
            yield stale
        finally:
            os.ftruncate(fd, 0)
            _unlock(fd)
    finally:
        os.close(fd)
        _leave(key)


@contextlib.contextmanager
def read_lock(folder: str | Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold a shared lock of ``folder`` while reading it, so no write runs meanwhile.

    Reading never creates the lock file: a folder no writer has locked yet (such as the
    installed package data) is read without a lock.
    """
    key = Path(folder).resolve()
    if _enter(key, "read"):
        try:
            yield
        finally:
            _leave(key)
        return
    try:
        fd = os.open(lock_path(key), os.O_RDONLY)
    except OSError:
        fd = None
    try:
        if fd is not None:
            _acquire(fd, key, exclusive=False, wait=_wait_seconds(wait))
        yield
    finally:
        if fd is not None:
            _unlock(fd)
            os.close(fd)
        _leave(key)


def current_holder(folder: str | Path) -> Holder | None:
    """Return who the lock file names (the holder, or a dead one), ``None`` when empty."""
    path = lock_path(Path(folder))
    try:
        return _parse_holder(path.read_text(encoding="utf-8"))
    except OSError:
        return None


def _enter(key: Path, kind: str) -> bool:
    """Record a lock of ``kind`` on ``key``; True when this thread already holds one."""
    kinds = _held().get(key, [])
    if kinds and kind == "write" and "write" not in kinds:
        msg = f"{key}: cannot take the write lock while this thread reads the folder"
        raise LockError(msg)
    _held()[key] = [*kinds, kind]
    return bool(kinds)


def _leave(key: Path) -> None:
    held = _held()
    kinds = held.get(key, [])
    if kinds:
        kinds.pop()
    if not kinds:
        held.pop(key, None)


def _open(folder: Path) -> int:
    path = lock_path(folder)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        msg = (
            f"{path}: cannot create the lock file ({exc.strerror or exc}); strikemap writes only "
            "to data folders it may write to: check the folder's permissions"
        )
        raise LockError(msg) from exc


def _acquire(fd: int, folder: Path, *, exclusive: bool, wait: float) -> None:
    if fcntl is None:  # pragma: no cover
        return
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline, told = time.monotonic() + wait, False
    while True:
        try:
            fcntl.flock(fd, mode)
            return
        except BlockingIOError:
            holder = current_holder(folder)
            if time.monotonic() >= deadline:
                who = (
                    f"being written by {holder.describe()}"
                    if holder
                    else "in use by another strikemap process (a reader or writer)"
                )
                msg = f"{folder}: the data folder is {who}; waited {wait:g} s. Try again later"
                raise LockError(msg) from None
            if not told:
                who = holder.describe() if holder else "another strikemap process"
                log.warning("%s: waiting for %s to finish", folder, who)
                told = True
            time.sleep(POLL_SECONDS)


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _check_previous(fd: int, folder: Path) -> Holder | None:
    """Look at what the lock file says now that we hold the lock; report a stale holder."""
    holder = _parse_holder(_read_fd(fd))
    if holder is None:
        return None
    here = socket.gethostname()
    if holder.host == here and holder.pid == os.getpid():
        return None
    if holder.host != here:
        age = (dt.datetime.now(dt.UTC) - _parse_time(holder.since)).total_seconds()
        if age < REMOTE_STALE_SECONDS:
            msg = (
                f"{lock_path(folder)}: the lock is held by {holder.describe()}; this share may not "
                "pass locks between machines, so strikemap does not write. If no strikemap runs "
                f"there, delete {lock_path(folder)} and try again"
            )
            raise LockError(msg)
    elif holder.is_alive():
        msg = (
            f"{lock_path(folder)}: the lock file names {holder.describe()}, which still runs; "
            "try again when it has finished"
        )
        raise LockError(msg)
    log.warning(
        "%s: stale lock: %s stopped without releasing it; taking it over",
        lock_path(folder),
        holder.describe(),
    )
    return holder


def _read_fd(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _write_holder(fd: int, holder: Holder) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(asdict(holder), sort_keys=True) + "\n").encode("utf-8"))
    os.fsync(fd)


def _parse_holder(text: str) -> Holder | None:
    if not text.strip():
        return None
    try:
        data = json.loads(text)
        return Holder(
            int(data["pid"]),
            str(data["host"]),
            str(data["since"]),
            str(data.get("action", "")),
            str(data.get("started", "")),
        )
    except (ValueError, KeyError, TypeError):
        return Holder(0, "unknown", _now(), "unreadable lock file")


def _parse_time(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return dt.datetime.fromtimestamp(0, dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _wait_seconds(wait: float | None) -> float:
    if wait is not None:
        return wait
    try:
        return float(os.environ.get(WAIT_ENV, DEFAULT_WAIT_SECONDS))
    except ValueError:
        return DEFAULT_WAIT_SECONDS


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _start() -> str:
    return _process_start(os.getpid())


def _process_start(pid: int) -> str:
    """Return the process start time in clock ticks since boot (Linux), '' elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]
