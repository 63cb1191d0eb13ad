"""How long previous versions of the data files are kept, and pruning the rest.

The history (``layers.history``) keeps a version before every write; ``prune`` deletes the
versions outside the retention (the newest ``DEFAULT_KEEP`` and every version younger than
``DEFAULT_KEEP_DAYS`` days are kept), then the stored chunks no kept version refers to.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from strikemap.layers import history, store

KEEP_ENV, KEEP_DAYS_ENV = "STRIKEMAP_HISTORY_KEEP", "STRIKEMAP_HISTORY_KEEP_DAYS"
DEFAULT_KEEP = 20
DEFAULT_KEEP_DAYS = 30.0
"""Retention: the newest ``DEFAULT_KEEP`` versions and every version younger than
``DEFAULT_KEEP_DAYS`` days are kept (``$STRIKEMAP_HISTORY_KEEP``, ``$..._KEEP_DAYS``)."""


@dataclass(frozen=True)
class Retention:
    """Which versions ``prune`` keeps: the newest ``keep``, and all younger than ``keep_days``."""

    keep: int = DEFAULT_KEEP
    keep_days: float = DEFAULT_KEEP_DAYS

    @classmethod
    def from_env(cls) -> Retention:
        """Read ``$STRIKEMAP_HISTORY_KEEP`` and ``$STRIKEMAP_HISTORY_KEEP_DAYS`` (else defaults).

        Raises
        ------
        ValueError
            When a variable is not a non-negative number.
        """
        keep = _env_number(KEEP_ENV, DEFAULT_KEEP, int)
        days = _env_number(KEEP_DAYS_ENV, DEFAULT_KEEP_DAYS, float)
        return cls(int(keep), float(days))


@dataclass
class PruneResult:
    """What ``prune`` removed and what the history takes afterwards."""

    removed: list[history.Version]
    chunks_removed: int
    bytes_after: int
    skipped_gc: str = ""


def prune(
    *,
    data_dir: str | Path | None = None,
    retention: Retention | None = None,
    now: dt.datetime | None = None,
) -> PruneResult:
    """Delete versions outside the retention, then chunks no version refers to.

    Pending versions are never pruned. When a manifest is damaged, no chunk is deleted (its
    references cannot be known) and ``skipped_gc`` says why.
    """
    retention = retention or Retention.from_env()
    now = now or dt.datetime.now(dt.UTC)
    result = history.scan(data_dir=data_dir)
    settled = [v for v in result.versions if v.status != history.PENDING]
    cutoff = now - dt.timedelta(days=retention.keep_days)
    removed = [v for v in settled[retention.keep :] if _created(v) < cutoff]
    for version in removed:
        history.discard(version)
    gone = {v.id for v in removed}
    referenced = {
        digest
        for version in result.versions
        if version.id not in gone
        for kept in version.files.values()
        for digest in kept.chunks or ()
    }
    skipped, chunks_removed = "", 0
    if result.damaged or result.orphans:
        skipped = "a version folder could not be read, so no stored chunk was deleted"
    else:
        chunks_removed = store.collect_garbage(history.objects_dir(data_dir), referenced)
    size = _tree_size(history.history_dir(data_dir))
    return PruneResult(removed, chunks_removed, size, skipped)


def _created(version: history.Version) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(version.created)
    except ValueError:
        return dt.datetime.now(dt.UTC)  # unknown age: keep it
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _env_number(name: str, default: float, kind: type) -> float:
    text = os.environ.get(name)
    return parse_non_negative(text, kind, what=f"${name}=") if text else default


def parse_non_negative(text: str, kind: type = float, *, what: str = "") -> float:
    """Parse a retention setting: a number (``kind``: int or float) that is not negative.

    Raises
    ------
    ValueError
        Naming ``what`` and the text, when it is not a non-negative number.
    """
    try:
        value = kind(text)
    except ValueError:
        value = -1
    if not value >= 0:
        msg = f"{what}{text!r} is not a non-negative number"
        raise ValueError(msg)
    return value


def _tree_size(root: Path) -> int:
    if not root.is_dir():
        return 0
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
