"""Safe writes to the data folder: plan an import, validate the result, replace, keep history.

Every write goes through ``commit_files``: under the data folder's write lock
(``layers.lock``), any interrupted write is finished or rolled back first, then the new files
are staged inside the data folder, the whole staged set is validated, the current files are kept
in the history, and the staged files replace the data files through a journal
(``layers.journal``), so a write killed at any point is finished or rolled back by the next
command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import geopandas as gpd

from strikemap.layers import history, journal, retention
from strikemap.layers.catalog import ASSET_LAYERS, BY_NAME
from strikemap.layers.errors import LayerValidationError
from strikemap.layers.importers import IMPORTERS, ParsedImport, Progress, Rejected
from strikemap.layers.importers.common import WHERE_COLUMN
from strikemap.layers.io import read_country_codes, read_layers
from strikemap.layers.layer_files import layer_contents
from strikemap.layers.lock import write_lock
from strikemap.layers.merge import LayerDiff, merge_layer
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.report import ValidationReport
from strikemap.layers.validate import validate_data_dir, validate_frame

log = logging.getLogger(__name__)

MAX_IDS_SHOWN = 20
"""Ids listed per outcome in a plan summary before the rest are counted."""
MAX_REVALIDATE = 3


class ImportRejectedError(ValueError):
    """A strict import had rejected rows, so nothing was written."""


class PlanOutdatedError(RuntimeError):
    """The data folder changed between planning an import and applying it."""


@dataclass
class ImportPlan:
    """What an import would do to the data folder; nothing is written until ``apply_plan``.

    Parameters
    ----------
    kind
        ``acled``, ``osm``, ``firms``, ``gem`` or ``add-strike``.
    source
        The file imported (or a description for ``add-strike``).
    data_dir
        The data folder the plan was made against.
    strict
        Whether any rejected row blocks the whole import.
    diffs
        Per target layer, the merged layer and the ids added, updated and unchanged.
    rejected
        Rows not imported, with where they are and why.
    notes
        Things the importer wants the user to know (rows skipped on purpose).
    rows_read
        Rows or features read from the file.
    base
        File name -> SHA-256 of the data files when planned; a changed file outdates the plan.
    """

    kind: str
    source: Path
    data_dir: Path
    strict: bool
    diffs: dict[str, LayerDiff]
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0
    base: dict[str, str | None] = field(default_factory=dict)

    @property
    def added(self) -> list[str]:
        """Ids of the features the import adds, all layers."""
        return [fid for diff in self.diffs.values() for fid in diff.added]

    @property
    def updated(self) -> dict[str, list[str]]:
        """Id -> changed properties of the features the import updates."""
        return {fid: f for diff in self.diffs.values() for fid, f in diff.updated.items()}

    @property
    def unchanged(self) -> list[str]:
        """Ids of existing features that incoming rows matched without changing them."""
        return [fid for diff in self.diffs.values() for fid in diff.unchanged]

    @property
    def changed(self) -> bool:
        """Whether applying the plan would change any file."""
        return any(diff.changed for diff in self.diffs.values())

    @property
    def blocked(self) -> bool:
        """Whether the plan may not be applied: strict and some rows were rejected."""
        return self.strict and bool(self.rejected)

    def summary(self) -> str:
        """Return the diff in words: counts, ids, rejected rows with reasons, notes."""
        lines = [
            f"{self.kind} import of {self.source} into {self.data_dir}: {self.rows_read} rows read",
            _id_line("added", self.added),
            _id_line(
                "updated",
                [f"{fid} ({', '.join(fields)})" for fid, fields in self.updated.items()],
            ),
            _id_line("unchanged", self.unchanged),
            f"  rejected: {len(self.rejected)}",
        ]
        lines += [f"    {self.source.name} {r}" for r in self.rejected]
        lines += [f"  note: {note}" for note in self.notes]
        if self.blocked:
            lines.append("  strict: rows were rejected, so nothing will be written")
        elif not self.changed:
            lines.append("  nothing to write: the data already holds every row")
        return "\n".join(lines)


def _id_line(label: str, ids: list[str]) -> str:
    shown = ", ".join(ids[:MAX_IDS_SHOWN])
    more = f", ... and {len(ids) - MAX_IDS_SHOWN} more" if len(ids) > MAX_IDS_SHOWN else ""
    return f"  {label}: {len(ids)}" + (f": {shown}{more}" if ids else "")


# --------------------------------------------------------------------------------------------
# Planning


def plan_import(
    kind: str,
    path: str | Path,
    *,
    data_dir: str | Path | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
    **options: object,
) -> ImportPlan:
    """Read an outside file and work out what importing it would change; write nothing.

    Parameters
    ----------
    kind
        ``acled``, ``osm``, ``firms`` or ``gem``.
    path
        The file to import.
    data_dir
        Data folder; defaults to ``$STRIKEMAP_DATA_DIR`` or the shipped ``data/``.
    strict
        Make any rejected row block the import (``ImportPlan.blocked``).
    progress
        Called with bytes read and total bytes while a CSV streams.
    today
        Dates after this day are rejected; defaults to today.
    **options
        Passed to the importer: ``all_events`` (acled); ``radius_m``, ``window_days``,
        ``asset_layers``, ``min_confidence`` (firms).

    Returns
    -------
    ImportPlan
        Added, updated, unchanged and rejected rows; ``summary()`` prints them.

    Raises
    ------
    ImportFileError
        When the file cannot be imported at all (missing, empty, wrong format or columns).
    KeyError
        For an unknown ``kind``.
    """
    if kind not in IMPORTERS:
        msg = f"unknown import kind {kind!r}; known: {', '.join(IMPORTERS)}"
        raise KeyError(msg)
    folder = resolve_data_dir(data_dir)
    layers = read_layers(data_dir=folder)
    if kind == "firms":
        options["assets"] = {spec.name: layers[spec.name] for spec in ASSET_LAYERS}
    parsed = IMPORTERS[kind](path, progress=progress, **options)
    return plan_parsed(parsed, layers, data_dir=folder, strict=strict, today=today)


def plan_parsed(
    parsed: ParsedImport,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    data_dir: Path,
    strict: bool = False,
    today: dt.date | None = None,
) -> ImportPlan:
    """Merge parsed rows into the layers and reject rows the merged layer would not validate."""
    plan = ImportPlan(
        parsed.kind,
        parsed.source,
        data_dir,
        strict,
        {},
        rejected=list(parsed.rejected),
        notes=list(parsed.notes),
        rows_read=parsed.rows_read,
        base=hash_data_files(data_dir),
    )
    context = _ReferenceContext.from_layers(layers, data_dir)
    merged = dict(layers)
    for name in sorted(parsed.layers, key=lambda name: not BY_NAME[name].is_asset):
        diff, rejected = _merge_checked(parsed.layers[name], merged, name, context, today=today)
        plan.diffs[name], merged[name] = diff, diff.frame
        plan.rejected += rejected
        if BY_NAME[name].is_asset:
            context.asset_ids |= set(diff.added)
    return plan


def _merge_checked(
    incoming: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    name: str,
    context: _ReferenceContext,
    *,
    today: dt.date | None,
) -> tuple[LayerDiff, list[Rejected]]:
    """Merge, validate the merged layer, drop incoming rows that cause errors, merge again."""
    spec = BY_NAME[name]
    taken = {fid for other, frame in layers.items() if other != name for fid in frame["id"]}
    rejected: list[Rejected] = []
    for _ in range(MAX_REVALIDATE):
        diff = merge_layer(layers[name], incoming, spec, taken_ids=taken)
        report = validate_frame(
            diff.frame,
            spec,
            today=today,
            asset_ids=context.asset_ids,
            country_codes=context.country_codes,
        )
        bad = _rows_with_errors(report, diff)
        if not bad:
            break
        rejected += [Rejected(where, reason) for where, reason in bad.items()]
        incoming = incoming[~incoming[WHERE_COLUMN].isin(bad)]
    return diff, rejected


def _rows_with_errors(report: ValidationReport, diff: LayerDiff) -> dict[str, str]:
    """Return incoming row -> reason, for errors on features this import added or changed."""
    touched: dict[str, list[str]] = {}
    for where, fid, outcome in diff.outcomes:
        if outcome != "unchanged":
            touched.setdefault(fid, []).append(where)
    bad: dict[str, str] = {}
    for problem in report.errors:
        for where in touched.get(problem.feature or "", []):
            field_text = f"{problem.field}: " if problem.field else ""
            bad.setdefault(where, f"{field_text}{problem.message}")
    return bad


@dataclass
class _ReferenceContext:
    """Ids and codes incoming rows may refer to."""

    asset_ids: set[str]
    country_codes: set[str] | None

    @classmethod
    def from_layers(
        cls, layers: Mapping[str, gpd.GeoDataFrame], data_dir: Path
    ) -> _ReferenceContext:
        assets = {fid for spec in ASSET_LAYERS for fid in layers[spec.name]["id"]}
        codes = {str(c) for c in layers["countries"]["iso3"] if c}
        codes |= set(read_country_codes(data_dir=data_dir)["iso3"].str.strip())
        return cls(assets, codes or None)


# --------------------------------------------------------------------------------------------
# Applying


def apply_plan(
    plan: ImportPlan,
    *,
    data_dir: str | Path | None = None,
    hook: journal.Hook | None = None,
    layer_format: str = "auto",
) -> list[Path]:
    """Write what ``plan`` describes: validate the whole result, keep history, replace files.

    Parameters
    ----------
    plan
        From ``plan_import``.
    data_dir
        Data folder; defaults to the one the plan was made against.
    hook
        Called with each step of the write (``layers.journal``; for the crash tests).
    layer_format
        One of ``layer_files.LAYER_FORMATS``. Writing a layer in the other format removes its
        old file in the same transaction.

    Returns
    -------
    list of Path
        Files replaced (empty when the plan changes nothing).

    Raises
    ------
    ImportRejectedError
        When the plan is strict and rows were rejected.
    PlanOutdatedError
        When the data files changed since the plan was made.
    LayerValidationError
        When the resulting layer set does not validate; nothing is written.
    LayerWriteError
        When GeoParquet is asked for a layer kept as GeoJSON, or the layer is a partitioned
        GeoParquet folder (read, never rewritten); nothing is written.
    """
    folder = resolve_data_dir(data_dir if data_dir is not None else plan.data_dir)
    if plan.blocked:
        listed = "\n".join(f"  {plan.source.name} {r}" for r in plan.rejected)
        msg = (
            f"{plan.source}: {len(plan.rejected)} rows rejected, and any rejection blocks this "
            f"import (--strict); nothing was written:\n{listed}"
        )
        raise ImportRejectedError(msg)
    contents: dict[str, bytes | None] = {}
    for name, diff in plan.diffs.items():
        if diff.changed:
            contents.update(layer_contents(diff.frame, name, folder, layer_format))
    action = f"{plan.kind} {plan.source.name}: {len(plan.added)} added, {len(plan.updated)} updated"
    return commit_files(contents, data_dir=folder, action=action, expected=plan.base, hook=hook)


def commit_files(
    contents: Mapping[str, bytes | None],
    *,
    data_dir: str | Path | None = None,
    action: str,
    validate: bool = True,
    today: dt.date | None = None,
    expected: Mapping[str, str | None] | None = None,
    hook: journal.Hook | None = None,
) -> list[Path]:
    """Replace files of the data folder as one transaction (``layers.journal``).

    Parameters
    ----------
    contents
        Data file name -> new bytes, or None to delete the file. Only the catalogue's files,
        ``relations.csv`` and ``country_codes.csv`` may be named.
    data_dir
        Data folder.
    action
        Words for the history (``strikemap history`` shows them).
    validate
        Validate the whole resulting data folder first and refuse to write when it has errors.
    today
        Passed to the validator.
    expected
        ``hash_data_files`` of the folder when the change was planned; when the folder no
        longer matches, ``PlanOutdatedError`` is raised and nothing is written.
    hook
        Called with each step of the write (for the crash tests).

    Returns
    -------
    list of Path
        Files replaced or deleted; empty when every file already had the new content.

    Raises
    ------
    ValueError
        When a name is not a data file.
    LockError
        When another writer holds the folder and does not finish in time.
    """
    folder = resolve_data_dir(data_dir)
    history.check_names(contents)
    with write_lock(folder, action=action):
        journal.recover(folder)
        if expected is not None and hash_data_files(folder) != expected:
            msg = f"{folder}: the data changed since this import was planned; plan it again"
            raise PlanOutdatedError(msg)
        changed = {n: c for n, c in contents.items() if _read_bytes(folder / n) != c}
        if not changed:
            return []
        check = partial(_check_staged_quietly, folder=folder, today=today) if validate else None
        written = journal.commit(folder, changed, action=action, validate=check, hook=hook)
        pruned = retention.prune(data_dir=folder)
    if pruned.removed:
        log.info("%s: history pruned, %d old versions removed", folder, len(pruned.removed))
    return written


def _check_staged_quietly(stage: Path, *, folder: Path, today: dt.date | None) -> None:
    """``check_staged`` for the journal, which only needs it to raise."""
    check_staged(stage, folder, today=today)


def check_staged(stage: Path, folder: Path, *, today: dt.date | None = None) -> ValidationReport:
    """Validate the staged data folder ``stage``; raise if it has errors, naming ``folder``.

    Raises
    ------
    LayerValidationError
        With the report, its paths showing the real folder.
    """
    report = validate_data_dir(stage, today=today)
    if not report.ok:
        text = report.format().replace(str(stage), str(folder))
        msg = f"the data would not validate after this change; nothing was written.\n{text}"
        raise LayerValidationError(msg, report=report)
    return report


def hash_data_files(data_dir: str | Path | None = None) -> dict[str, str | None]:
    """Return data file name -> SHA-256 of its content (None if absent)."""
    folder = resolve_data_dir(data_dir)
    return {name: _sha256(folder / name) for name in sorted(history.data_file_names())}


def _sha256(path: Path) -> str | None:
    content = _read_bytes(path)
    return None if content is None else hashlib.sha256(content).hexdigest()


def _read_bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


# --------------------------------------------------------------------------------------------
# Restore


def restore_version(
    version_id: str, *, data_dir: str | Path | None = None, validate: bool = True
) -> list[Path]:
    """Put back the files kept in a history version (``latest`` for the newest).

    The files it replaces are themselves kept, so a restore can be undone by restoring the
    version it creates.

    Only data files of the catalogue inside the data folder are touched, and only when every
    kept file of the version is present and matches its hash.

    Raises
    ------
    HistoryError
        When there is no such version, or it is incomplete or damaged.
    LayerValidationError
        With ``validate``, when the restored data would not validate; nothing is written.
    """
    folder = resolve_data_dir(data_dir)
    with write_lock(folder, action=f"restore {version_id}"):
        journal.recover(folder)
        version = history.get_version(version_id, data_dir=folder)
        contents = history.previous_contents(version)
        return commit_files(
            contents, data_dir=folder, action=f"restore {version.id}", validate=validate
        )
