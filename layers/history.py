"""Previous versions of the data files, kept in ``data/.history/<timestamp>/`` before each write.

Each version folder holds a copy of every file a write replaced, exactly as it was, and a
``manifest.json`` with the time, the action that replaced them, and which files did not exist
yet. A version whose manifest still says ``pending`` belongs to a write that was interrupted;
``recover_interrupted`` puts its files back.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from strikemap.layers.io import atomic_write_bytes
from strikemap.layers.paths import resolve_data_dir

log = logging.getLogger(__name__)

HISTORY_DIR_NAME = ".history"
MANIFEST_NAME = "manifest.json"
PENDING, COMPLETE = "pending", "complete"


class HistoryError(LookupError):
    """A version asked for does not exist in the history."""


@dataclass(frozen=True)
class Version:
    """One kept version: the files as they were before a write.

    Parameters
    ----------
    id
        Folder name, a UTC timestamp such as ``2026-11-26T042006.123456Z``.
    created
        When the write that replaced the files happened (ISO 8601, UTC).
    action
        What replaced them, e.g. ``import acled events.csv: 3 added, 1 updated``.
    files
        File name -> whether it existed before (``False``: the write created it).
    status
        ``complete``, or ``pending`` while (or if interrupted while) the write runs.
    path
        The version folder.
    """

    id: str
    created: str
    action: str
    files: dict[str, bool]
    status: str
    path: Path

    def describe(self) -> str:
        """One line for ``strikemap history``."""
        names = ", ".join(sorted(self.files))
        return f"{self.id}  {self.action}  (kept: {names})"


def history_dir(data_dir: str | Path | None = None) -> Path:
    """Return the history folder of a data folder."""
    return resolve_data_dir(data_dir) / HISTORY_DIR_NAME


def save_previous(data_dir: str | Path | None, files: Iterable[str], *, action: str) -> Version:
    """Copy the current ``files`` of ``data_dir`` into a new, pending version folder."""
    folder = resolve_data_dir(data_dir)
    root = folder / HISTORY_DIR_NAME
    root.mkdir(parents=True, exist_ok=True)
    path = _new_version_path(root)
    path.mkdir()
    existed = {}
    for name in files:
        source = folder / name
        existed[name] = source.exists()
        if existed[name]:
            shutil.copy2(source, path / name)
    version = Version(path.name, _now_iso(), action, existed, PENDING, path)
    _write_manifest(version)
    return version


def mark_complete(version: Version) -> Version:
    """Record that the write the version belongs to has finished."""
    done = Version(
        version.id, version.created, version.action, version.files, COMPLETE, version.path
    )
    _write_manifest(done)
    return done


def discard(version: Version) -> None:
    """Delete a version folder (after a write failed and its files were put back)."""
    shutil.rmtree(version.path, ignore_errors=True)


def list_versions(*, data_dir: str | Path | None = None) -> list[Version]:
    """Return the complete versions of a data folder, newest first."""
    return [v for v in _all_versions(history_dir(data_dir)) if v.status == COMPLETE]


def get_version(version_id: str, *, data_dir: str | Path | None = None) -> Version:
    """Return the complete version ``version_id`` (``latest`` for the newest one).

    Raises
    ------
    HistoryError
        When there is no such version, listing the ones there are.
    """
    versions = list_versions(data_dir=data_dir)
    if version_id == "latest" and versions:
        return versions[0]
    for version in versions:
        if version.id == version_id:
            return version
    known = ", ".join(v.id for v in versions[:5]) or "none yet"
    msg = (
        f"{history_dir(data_dir)}: no version {version_id!r}; run `strikemap history` to list "
        f"them (newest: {known})"
    )
    raise HistoryError(msg)


def previous_contents(version: Version) -> dict[str, bytes | None]:
    """Return file name -> bytes as kept in ``version`` (None: the file did not exist)."""
    return {
        name: (version.path / name).read_bytes() if existed else None
        for name, existed in version.files.items()
    }


def put_back(version: Version, *, data_dir: str | Path | None = None) -> list[Path]:
    """Put the files of ``version`` back in the data folder, each replaced atomically."""
    folder = resolve_data_dir(data_dir) if data_dir is not None else version.path.parent.parent
    written = []
    for name, content in previous_contents(version).items():
        target = folder / name
        if content is None:
            target.unlink(missing_ok=True)
        else:
            atomic_write_bytes(target, content)
        written.append(target)
    return written


def recover_interrupted(*, data_dir: str | Path | None = None) -> list[Version]:
    """Undo writes that were interrupted (pending versions): put their files back, drop them."""
    recovered = [v for v in _all_versions(history_dir(data_dir)) if v.status == PENDING]
    for version in recovered:
        log.warning(
            "%s: a write was interrupted (%s); putting the files back", version.path, version.action
        )
        put_back(version, data_dir=data_dir)
        discard(version)
    return recovered


def _all_versions(root: Path) -> list[Version]:
    if not root.is_dir():
        return []
    versions = []
    for path in sorted(root.iterdir(), reverse=True):
        manifest = path / MANIFEST_NAME
        if not manifest.is_file():
            continue
        data = json.loads(manifest.read_text(encoding="utf-8"))
        versions.append(
            Version(path.name, data["created"], data["action"], data["files"], data["status"], path)
        )
    return versions


def _write_manifest(version: Version) -> None:
    data = {
        "created": version.created,
        "action": version.action,
        "files": version.files,
        "status": version.status,
    }
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(version.path / MANIFEST_NAME, text.encode("utf-8"))


def _new_version_path(root: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S.%fZ")
    path, n = root / stamp, 1
    while path.exists():
        n += 1
        path = root / f"{stamp}-{n}"
    return path


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
