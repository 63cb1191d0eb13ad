"""Previous versions of the data files, kept in ``DATA/.history/`` before each write.

Each version is a folder ``.history/<UTC timestamp>/`` with a ``manifest.json``: when, the
action that replaced the files, and per file whether it existed and the chunks of its content
(kept once, compressed, in ``.history/objects/``, see ``layers.store``) with the SHA-256 of the
whole file. A version is ``complete`` (restorable), ``pending`` (its write is running, or was
interrupted: ``layers.journal`` finishes or rolls it back) or ``rolled-back`` (an interrupted
write that changed nothing; listed so the interruption is visible, but holds no files).

Manifests are trusted only as far as they are checked: a damaged one is reported and skipped,
a version only names data files of the catalogue, and its files are rebuilt and checked
against their hashes before a restore uses them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from strikemap.layers import store
from strikemap.layers.catalog import CATALOG
from strikemap.layers.io import atomic_write_bytes
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.schema import COUNTRY_CODES_TABLE, RELATIONS_TABLE

log = logging.getLogger(__name__)

HISTORY_DIR_NAME = ".history"
MANIFEST_NAME = "manifest.json"
PENDING, COMPLETE, ROLLED_BACK = "pending", "complete", "rolled-back"
STATUSES = (PENDING, COMPLETE, ROLLED_BACK)


def data_file_names() -> frozenset[str]:
    """Return the only files a write, a restore or a version may name (catalogue and tables)."""
    large = [spec.large_file for spec in CATALOG if spec.large_file]
    return frozenset(
        [*(spec.file for spec in CATALOG), *large, RELATIONS_TABLE.file, COUNTRY_CODES_TABLE.file]
    )


class HistoryError(LookupError):
    """A version asked for does not exist, or cannot be used (incomplete, damaged)."""


class UnusableVersionError(HistoryError):
    """A version exists but is incomplete or damaged, so it must not be restored."""


@dataclass(frozen=True)
class KeptFile:
    """One file as a version keeps it: whether it existed, and if so its content's chunks.

    ``chunks`` is ``None`` for versions written before the object store (a plain copy of the
    file sits in the version folder).
    """

    existed: bool
    sha256: str | None = None
    chunks: tuple[str, ...] | None = None


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
        File name -> how it was kept.
    status
        ``complete``, ``pending`` or ``rolled-back``.
    path
        The version folder.
    note
        What happened to an interrupted write (finished, rolled back), else empty.
    """

    id: str
    created: str
    action: str
    files: dict[str, KeptFile]
    status: str
    path: Path
    note: str = ""

    @property
    def restorable(self) -> bool:
        """Whether the version holds files to restore (complete, not a rolled-back record)."""
        return self.status == COMPLETE

    def describe(self) -> str:
        """One line for ``strikemap history``."""
        names = ", ".join(sorted(self.files))
        kept = f"(kept: {names})" if self.restorable else "(nothing kept: no file was changed)"
        note = f"  [{self.note}]" if self.note else ""
        return f"{self.id}  {self.action}  {kept}{note}"


@dataclass(frozen=True)
class Damaged:
    """A version folder whose manifest cannot be used, and why."""

    path: Path
    reason: str

    def describe(self) -> str:
        """One line for ``strikemap history``."""
        return (
            f"{self.path}: skipped, {self.reason}; restore another version, and delete this "
            "folder once you no longer need its files"
        )


@dataclass
class HistoryScan:
    """Every version folder of a history: the usable versions (newest first) and damaged ones."""

    versions: list[Version] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)
    """Folders with no manifest at all: an interrupted write had just begun keeping files."""


def history_dir(data_dir: str | Path | None = None) -> Path:
    """Return the history folder of a data folder."""
    return resolve_data_dir(data_dir) / HISTORY_DIR_NAME


def objects_dir(data_dir: str | Path | None = None) -> Path:
    """Return the object store of a data folder's history."""
    return history_dir(data_dir) / store.OBJECTS_DIR_NAME


def new_version_id(data_dir: str | Path | None = None) -> str:
    """Return a fresh version id (a UTC timestamp not yet used in the history)."""
    root = history_dir(data_dir)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M%S.%fZ")
    candidate, n = stamp, 1
    while (root / candidate).exists():
        n += 1
        candidate = f"{stamp}-{n}"
    return candidate


def save_previous(
    data_dir: str | Path | None,
    files: Iterable[str],
    *,
    action: str,
    version_id: str | None = None,
) -> Version:
    """Keep the current ``files`` of ``data_dir`` in a new, pending version."""
    folder = resolve_data_dir(data_dir)
    names = check_names(files)
    version_id = version_id or new_version_id(folder)
    path = history_dir(folder) / version_id
    path.mkdir(parents=True)
    kept = {}
    for name in names:
        source = folder / name
        if source.is_file():
            content = source.read_bytes()
            digest = hashlib.sha256(content).hexdigest()
            chunks = tuple(store.put(objects_dir(folder), content))
            kept[name] = KeptFile(True, digest, chunks)
        else:
            kept[name] = KeptFile(False)
    version = Version(version_id, _now_iso(), action, kept, PENDING, path)
    write_manifest(version)
    return version


def mark_complete(version: Version, *, note: str = "") -> Version:
    """Record that the write the version belongs to has finished."""
    done = replace(version, status=COMPLETE, note=note or version.note)
    write_manifest(done)
    return done


def record_rolled_back(
    data_dir: str | Path | None, version_id: str, *, action: str, note: str
) -> Version:
    """Record an interrupted write that changed nothing, so ``history`` shows it."""
    path = history_dir(data_dir) / version_id
    if path.is_dir():
        for child in path.iterdir():  # copies of a legacy version, if any
            if child.name != MANIFEST_NAME:
                child.unlink(missing_ok=True)
    path.mkdir(parents=True, exist_ok=True)
    version = Version(version_id, _now_iso(), action, {}, ROLLED_BACK, path, note)
    write_manifest(version)
    return version


def discard(version: Version) -> None:
    """Delete a version folder (its chunks go at the next ``prune``)."""
    shutil.rmtree(version.path, ignore_errors=True)


def scan(*, data_dir: str | Path | None = None) -> HistoryScan:
    """Read every manifest of a history; damaged ones are listed, not raised."""
    root = history_dir(data_dir)
    result = HistoryScan()
    if not root.is_dir():
        return result
    for path in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
        if path.name == store.OBJECTS_DIR_NAME:
            continue
        manifest = path / MANIFEST_NAME
        if not manifest.is_file():
            result.orphans.append(path)
            continue
        try:
            result.versions.append(read_manifest(path))
        except (OSError, ValueError) as exc:
            result.damaged.append(Damaged(path, str(exc)))
    return result


def list_versions(*, data_dir: str | Path | None = None) -> list[Version]:
    """Return the complete and rolled-back versions of a data folder, newest first."""
    return [v for v in scan(data_dir=data_dir).versions if v.status != PENDING]


def get_version(version_id: str, *, data_dir: str | Path | None = None) -> Version:
    """Return the restorable version ``version_id`` (``latest`` for the newest one).

    Raises
    ------
    HistoryError
        When there is no such version, listing the ones there are.
    """
    versions = [v for v in list_versions(data_dir=data_dir) if v.restorable]
    if version_id == "latest" and versions:
        return versions[0]
    for version in versions:
        if version.id == version_id:
            return version
    known = ", ".join(v.id for v in versions[:5]) or "none yet"
    msg = (
        f"{history_dir(data_dir)}: no version {version_id!r} to restore; run `strikemap history` "
        f"to list them (newest: {known})"
    )
    raise HistoryError(msg)


def previous_contents(version: Version) -> dict[str, bytes | None]:
    """Return file name -> bytes as kept in ``version`` (None: the file did not exist).

    Raises
    ------
    HistoryError
        When a kept file is missing or damaged: the version is incomplete and must not be used.
    """
    root = version.path.parent / store.OBJECTS_DIR_NAME
    contents: dict[str, bytes | None] = {}
    for name, kept in version.files.items():
        if not kept.existed:
            contents[name] = None
            continue
        try:
            if kept.chunks is None:
                content = (version.path / name).read_bytes()
            else:
                content = store.get(root, kept.chunks)
        except (OSError, store.StoreError) as exc:
            reason = f"{name} is missing" if isinstance(exc, FileNotFoundError) else str(exc)
            msg = f"{version.path}: version {version.id} is incomplete ({reason}); restore another"
            raise UnusableVersionError(msg) from exc
        if kept.sha256 is not None and hashlib.sha256(content).hexdigest() != kept.sha256:
            msg = (
                f"{version.path}: version {version.id} is damaged ({name} does not match its "
                "hash); restore another"
            )
            raise UnusableVersionError(msg)
        contents[name] = content
    return contents


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


# --------------------------------------------------------------------------------------------
# Manifests


def write_manifest(version: Version) -> None:
    """Write a version's manifest atomically."""
    data = {
        "created": version.created,
        "action": version.action,
        "status": version.status,
        "note": version.note,
        "files": {
            name: {"existed": kept.existed, "sha256": kept.sha256, "chunks": kept.chunks}
            for name, kept in version.files.items()
        },
    }
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    atomic_write_bytes(version.path / MANIFEST_NAME, text.encode("utf-8"))


def read_manifest(path: Path) -> Version:
    """Read and check the manifest of the version folder ``path``.

    Raises
    ------
    ValueError
        When the manifest is not JSON, lacks a member, or names a file that is not a data file.
    """
    text = (path / MANIFEST_NAME).read_text(encoding="utf-8", errors="replace")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"manifest.json is damaged ({exc.msg}, line {exc.lineno})"
        raise ValueError(msg) from exc
    try:
        status = data["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        files = {name: _kept_file(value) for name, value in data["files"].items()}
        check_names(files)
        return Version(
            path.name,
            str(data["created"]),
            str(data["action"]),
            files,
            status,
            path,
            str(data.get("note", "")),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        msg = f"manifest.json is damaged ({type(exc).__name__}: {exc})"
        raise ValueError(msg) from exc


def _kept_file(value: object) -> KeptFile:
    if isinstance(value, bool):  # manifests written before the object store
        return KeptFile(value)
    if not isinstance(value, Mapping):
        raise TypeError(f"file entry {value!r} is not an object")
    chunks = value.get("chunks")
    if chunks is not None:
        chunks = tuple(str(c) for c in chunks)
        for digest in chunks:
            store.object_path(Path(), digest)  # raises on anything but a hash
    return KeptFile(bool(value["existed"]), value.get("sha256"), chunks)


def check_names(names: Iterable[str]) -> list[str]:
    """Return ``names`` if each is a data file of the catalogue; raise ValueError otherwise.

    Raises
    ------
    ValueError
        Naming the first file that is not a data file.
    """
    allowed = data_file_names()
    names = list(names)
    for name in names:
        if name not in allowed:
            msg = (
                f"{name!r} is not a data file of the catalogue; versions may only name "
                f"{', '.join(sorted(allowed))}"
            )
            raise ValueError(msg)
    return names


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
