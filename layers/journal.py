"""Multi-file writes to a data folder, all or nothing: staged, journalled, then applied.

A write (the caller holds ``layers.lock.write_lock``) runs these steps, each named for the
crash tests (``hook``):

1. ``begin``: create ``DATA/.strikemap-write/`` and write ``intent.json`` there (action, version
   id, files);
2. ``staged``: write every new file into that folder (beside links to the untouched data files,
   so the folder is the data as it will be) and validate it;
3. ``kept``: keep the current files in a pending history version (``layers.history``);
4. ``journal``: write ``journal.json`` (the SHA-256 of every file before and after) - the
   commit point;
5. ``replaced NAME`` for each file: move the staged file over the data file (one ``rename``);
6. ``complete``: mark the history version complete, then remove the write folder (``done``).

``recover`` runs before any command reads or writes the folder: a write folder without a
journal is rolled back (nothing had been replaced: the staged files are dropped), one with a
journal is finished (the staged files are moved into place). Either way it says which, and
``strikemap history`` lists the interrupted write. ``recover`` also removes what killed writes
leave: temporary files, history folders without a manifest, stage folders of older versions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from strikemap.layers import history, store
from strikemap.layers.io import atomic_write_bytes
from strikemap.layers.lock import write_lock

log = logging.getLogger(__name__)

WRITE_DIR_NAME = ".strikemap-write"
INTENT_NAME = "intent.json"
JOURNAL_NAME = "journal.json"
TEMP_LITTER = ("strikemap-stage-*", "strikemap-upload-*")
"""Folders older strikemap versions (and killed app sessions) leave in the temporary folder."""
TEMP_LITTER_AGE_S = 24 * 3600.0

Hook = Callable[[str], None]
"""Called with each step's name (see the module docstring); the crash tests kill there."""


class WriteError(RuntimeError):
    """A write cannot start or an interrupted one cannot be finished; the message says why."""


@dataclass(frozen=True)
class Recovery:
    """What ``recover`` did, in words, one line per thing."""

    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.notes)


# --------------------------------------------------------------------------------------------
# Writing


def commit(
    folder: Path,
    changed: Mapping[str, bytes | None],
    *,
    action: str,
    validate: Callable[[Path], None] | None = None,
    hook: Hook | None = None,
) -> list[Path]:
    """Replace data files as one transaction; the caller holds the folder's write lock.

    Parameters
    ----------
    folder
        The data folder.
    changed
        Data file name -> new bytes, or None to delete the file. Names must be data files.
    action
        Words for the history.
    validate
        Called with the staged folder (the data as it will be); raise to refuse the write.
    hook
        Called with each step's name.

    Returns
    -------
    list of Path
        The files replaced or deleted.
    """
    names = history.check_names(changed)
    work = folder / WRITE_DIR_NAME
    if work.exists():
        msg = f"{work}: an interrupted write is still there; run `strikemap validate` to recover it"
        raise WriteError(msg)
    version_id = history.new_version_id(folder)
    work.mkdir()
    try:
        _write_json(work / INTENT_NAME, {"action": action, "version": version_id, "files": names})
        _step(hook, "begin")
        _stage(folder, work, changed)
        _step(hook, "staged")
        if validate is not None:
            validate(work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)  # nothing was kept or replaced yet
        raise
    try:
        written = _keep_and_apply(folder, work, changed, action, version_id, hook)
    except BaseException:
        _recover_now(folder)
        raise
    _step(hook, "done")
    return written


def _keep_and_apply(
    folder: Path,
    work: Path,
    changed: Mapping[str, bytes | None],
    action: str,
    version_id: str,
    hook: Hook | None,
) -> list[Path]:
    version = history.save_previous(folder, changed, action=action, version_id=version_id)
    _step(hook, "kept")
    _write_json(work / JOURNAL_NAME, _journal(folder, work, changed, action, version.id))
    _fsync_dir(work)
    _step(hook, "journal")
    written = []
    for name, content in changed.items():
        written.append(_apply_one(folder, work, name, content is None))
        _step(hook, f"replaced {name}")
    _fsync_dir(folder)
    history.mark_complete(version)
    _step(hook, "complete")
    shutil.rmtree(work)
    log.info("%s: %s; previous files kept in %s", folder, action, version.path)
    return written


def _recover_now(folder: Path) -> None:
    """After a failure inside the write phase, finish or roll back at once if possible."""
    try:
        for note in recover(folder).notes:
            log.warning("%s", note)
    except (OSError, ValueError, LookupError, RuntimeError) as exc:  # the next command retries
        log.warning("%s: could not recover the failed write yet (%s)", folder, exc)


def _stage(folder: Path, work: Path, changed: Mapping[str, bytes | None]) -> None:
    """Make ``work`` the data folder as it will be: new files written, the others linked."""
    for name in sorted(history.data_file_names()):
        source, target = folder / name, work / name
        if name in changed:
            content = changed[name]
            if content is not None:
                _write_new(target, content, mode=_mode_of(source))
        elif source.is_file():
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
        elif source.is_dir():  # a partitioned GeoParquet layer: read in place, never replaced
            target.symlink_to(source.resolve(), target_is_directory=True)


def _write_new(path: Path, content: bytes, *, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    path.chmod(mode)


def _mode_of(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _journal(
    folder: Path, work: Path, changed: Mapping[str, bytes | None], action: str, version: str
) -> dict[str, object]:
    return {
        "action": action,
        "version": version,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": {
            name: {"old": _sha256(folder / name), "new": _sha256(work / name) if new else None}
            for name, new in ((n, c is not None) for n, c in changed.items())
        },
    }


def _apply_one(folder: Path, work: Path, name: str, delete: bool) -> Path:
    target = folder / name
    if delete:
        target.unlink(missing_ok=True)
    else:
        os.replace(work / name, target)
    return target


# --------------------------------------------------------------------------------------------
# Recovering


def needs_recovery(folder: Path) -> bool:
    """Return whether there is an interrupted write or litter to deal with (a cheap check)."""
    if (folder / WRITE_DIR_NAME).exists() or any(folder.glob(".*.tmp")):
        return True
    result = history.scan(data_dir=folder)
    return bool(result.orphans) or any(v.status == history.PENDING for v in result.versions)


def recover_if_needed(folder: str | Path) -> Recovery:
    """Run ``recover`` under the write lock when ``needs_recovery``; log what it did.

    A folder this process may not write (the installed package data) is left alone with a
    warning.
    """
    folder = Path(folder)
    if not folder.is_dir() or not needs_recovery(folder):
        return Recovery()
    if not os.access(folder, os.W_OK):
        log.warning("%s: an interrupted write needs recovering; the folder is read-only", folder)
        return Recovery()
    with write_lock(folder, action="recover an interrupted write"):
        done = recover(folder)
    for note in done.notes:
        log.warning("%s", note)
    return done


def recover(folder: Path) -> Recovery:
    """Finish or roll back an interrupted write and remove litter; the caller holds the lock."""
    notes = []
    work = folder / WRITE_DIR_NAME
    if work.exists():
        journal = _read_json(work / JOURNAL_NAME)
        notes.append(_roll_forward(folder, work, journal) if journal else _roll_back(folder, work))
    notes += _recover_legacy(folder)
    notes += _clean(folder)
    return Recovery(tuple(notes))


def _roll_back(folder: Path, work: Path) -> str:
    """No journal: no data file was replaced. Drop the staged files; record the write."""
    intent = _read_json(work / INTENT_NAME) or {}
    action = str(intent.get("action", "a write"))
    version_id = str(intent.get("version") or history.new_version_id(folder))
    shutil.rmtree(work)
    note = f"interrupted before any file was replaced; rolled back on {_today()}"
    if _valid_version_id(version_id):
        history.record_rolled_back(folder, version_id, action=action, note=note)
    return (
        f"{folder}: the write '{action}' was interrupted before it replaced any file; "
        "rolled back, the data is as it was before"
    )


def _roll_forward(folder: Path, work: Path, journal: dict[str, object]) -> str:
    """Finish a decided write (it has a journal): move every staged file into place."""
    action = str(journal.get("action", "a write"))
    version_id = str(journal.get("version", ""))
    files = journal.get("files")
    done, kept_as_is = [], []
    for name, sums in (files if isinstance(files, dict) else {}).items():
        if name not in history.data_file_names():
            continue
        target, staged = folder / name, work / name
        current = _sha256(target)
        if current == sums.get("new"):
            continue
        if current != sums.get("old"):
            kept_as_is.append(name)  # changed by hand since: never overwrite that
            continue
        if sums.get("new") is None:
            target.unlink(missing_ok=True)
        elif _sha256(staged) == sums.get("new"):
            os.replace(staged, target)
        else:
            return _undo_decided(folder, work, action, version_id, name)
        done.append(name)
    _fsync_dir(folder)
    _finish_version(folder, version_id, f"interrupted; finished on {_today()}")
    shutil.rmtree(work)
    message = f"{folder}: the write '{action}' was interrupted; finished it now"
    message += f" ({', '.join(done)} replaced)" if done else ""
    if kept_as_is:
        message += (
            f"; {', '.join(kept_as_is)} had been changed by hand since and {_were(kept_as_is)} "
            "left as found"
        )
    return message


def _undo_decided(folder: Path, work: Path, action: str, version_id: str, missing: str) -> str:
    """Undo a decided write whose staged file is gone: put the kept files back."""
    path = history.history_dir(folder) / version_id
    try:
        version = history.read_manifest(path)
        history.put_back(version, data_dir=folder)
    except (OSError, ValueError, history.HistoryError) as exc:
        msg = (
            f"{folder}: the write '{action}' was interrupted and cannot be finished ({missing} is "
            f"missing from {work}) nor undone ({exc}); restore a version with `strikemap restore`"
        )
        raise WriteError(msg) from exc
    shutil.rmtree(work)
    note = f"interrupted and could not be finished; rolled back on {_today()}"
    history.record_rolled_back(folder, version_id, action=action, note=note)
    return (
        f"{folder}: the write '{action}' was interrupted and could not be finished; "
        "rolled back, the data is as it was before"
    )


def _finish_version(folder: Path, version_id: str, note: str) -> None:
    if not _valid_version_id(version_id):
        return
    try:
        version = history.read_manifest(history.history_dir(folder) / version_id)
    except (OSError, ValueError):
        return  # reported by `strikemap history` as damaged
    history.mark_complete(version, note=note)


def _recover_legacy(folder: Path) -> list[str]:
    """Pending versions without a write folder come from strikemap before the journal: undo."""
    notes = []
    for version in history.scan(data_dir=folder).versions:
        if version.status != history.PENDING:
            continue
        try:
            history.put_back(version, data_dir=folder)
        except history.HistoryError as exc:
            notes.append(f"{folder}: interrupted write '{version.action}' cannot be undone: {exc}")
            continue
        note = f"interrupted; the kept files were put back on {_today()}"
        history.record_rolled_back(folder, version.id, action=version.action, note=note)
        notes.append(
            f"{folder}: the write '{version.action}' was interrupted; put the files it had "
            "replaced back, the data is as it was before"
        )
    return notes


def _clean(folder: Path) -> list[str]:
    """Remove temporary files, manifest-less history folders and old stage folders."""
    temp = [*folder.glob(".*.tmp"), *history.history_dir(folder).glob("*/.*.tmp")]
    temp += history.objects_dir(folder).glob("*/.*.tmp")
    for path in temp:
        path.unlink(missing_ok=True)
    orphans = history.scan(data_dir=folder).orphans
    for path in orphans:
        shutil.rmtree(path, ignore_errors=True)
    stale = clean_temp_folder()
    notes = []
    if temp or orphans or stale:
        parts = [
            f"{len(temp)} temporary files" if temp else "",
            f"{len(orphans)} history folders without a manifest" if orphans else "",
            f"{stale} stage folders in {tempfile.gettempdir()}" if stale else "",
        ]
        notes.append(
            f"{folder}: removed {' and '.join(p for p in parts if p)} left by interrupted writes"
        )
    return notes


def clean_temp_folder(*, older_than_s: float = TEMP_LITTER_AGE_S) -> int:
    """Remove this user's strikemap stage and upload folders older than a day; return how many."""
    root, now, removed = Path(tempfile.gettempdir()), time.time(), 0
    for pattern in TEMP_LITTER:
        for path in root.glob(pattern):
            try:
                info = path.stat()
            except OSError:
                continue
            if info.st_uid == os.getuid() and now - info.st_mtime > older_than_s:
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    return removed


# --------------------------------------------------------------------------------------------
# Small helpers


def _step(hook: Hook | None, name: str) -> None:
    if hook is not None:
        hook(name)


def _write_json(path: Path, data: dict[str, object]) -> None:
    atomic_write_bytes(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def _read_json(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _valid_version_id(version_id: str) -> bool:
    forbidden = (".", "..", store.OBJECTS_DIR_NAME)
    return bool(version_id) and "/" not in version_id and version_id not in forbidden


def _were(names: list[str]) -> str:
    return "was" if len(names) == 1 else "were"


def _today() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
