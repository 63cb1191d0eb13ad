"""The app's data page without Streamlit: check an uploaded layer or import file, write nothing.

A layer file is validated against its catalogue layer; an import file is planned against a
temporary copy of the data folder, so the real folder is never opened for writing. Both answers
come back as plain frames and text for ``app.py`` to show. Whatever goes wrong comes back as
one ``UploadError`` whose message names the upload, never a path on the server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from strikemap.layers.catalog import BY_NAME, CATALOG
from strikemap.layers.importers import IMPORTERS
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.report import ValidationReport
from strikemap.layers.update import ImportPlan, plan_import
from strikemap.layers.validate import validate_layer_file

log = logging.getLogger(__name__)

LAYER_KIND = "layer"
UPLOAD_KINDS: tuple[str, ...] = (LAYER_KIND, *IMPORTERS)
"""What an upload can be: a catalogue layer file or one of the importers' formats."""
UPLOAD_TYPES: tuple[str, ...] = ("geojson", "json", "csv", "xlsx", "xls", "zip")
"""File endings the uploader accepts (layers are GeoJSON; imports are CSV, GeoJSON or sheets)."""
PROBLEM_COLUMNS = ("severity", "file", "row", "feature", "field", "message")
ADDED_COLUMNS = ("layer", "id", "name", "date")
UPDATED_COLUMNS = ("layer", "id", "changed")
REJECTED_COLUMNS = ("where", "reason")
_TEMP_PREFIX = "strikemap-upload-"
DEFAULT_MAX_UPLOAD_MB = 25
"""Largest upload the page takes by default: a year of ACLED events for the region, an
OpenStreetMap energy export of Odesa oblast or a FIRMS archive fit in it."""
MAX_UPLOAD_ENV = "STRIKEMAP_MAX_UPLOAD_MB"
"""Set by ``strikemap serve --max-upload-mb`` for the app (Streamlit enforces the same limit)."""
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/:'\"(),;]+/)+([^\s/:'\"(),;]+)")


class UploadError(ValueError):
    """An upload the page cannot check (no name, no content, unknown kind or layer)."""


@dataclass(frozen=True)
class LayerCheck:
    """The validation of an uploaded layer file.

    Parameters
    ----------
    layer
        The catalogue layer the file was checked as.
    file
        The uploaded file's name.
    report
        Every problem found.
    """

    layer: str
    file: str
    report: ValidationReport

    def problems(self) -> pd.DataFrame:
        """Return the problems as a table (``PROBLEM_COLUMNS``), errors first."""
        return problems_table(self.report, file=self.file)


@dataclass(frozen=True)
class ImportPreview:
    """What importing an uploaded file would change (computed on a copy of the data).

    Parameters
    ----------
    kind
        The importer used.
    summary
        ``ImportPlan.summary()`` with the real data folder and upload name in place of the
        temporary ones.
    added, updated, rejected
        Tables of ``ADDED_COLUMNS``, ``UPDATED_COLUMNS`` and ``REJECTED_COLUMNS``.
    unchanged
        Number of existing features the file matched without changing them.
    """

    kind: str
    summary: str
    added: pd.DataFrame
    updated: pd.DataFrame
    rejected: pd.DataFrame
    unchanged: int


def guess_layer(file_name: str) -> str | None:
    """Return the catalogue layer a file name points at (``my-strikes.geojson`` -> strikes)."""
    stem = re.sub(r"[^a-z0-9]+", "_", Path(file_name).stem.lower())
    matches = [spec.name for spec in CATALOG if spec.name in stem]
    return max(matches, key=len) if matches else None


def save_upload(name: str, content: bytes, folder: Path) -> Path:
    """Write the upload into ``folder`` under its own base name and return the path.

    Raises
    ------
    UploadError
        When the name is empty or the file is empty.
    """
    base = Path(str(name).replace("\\", "/")).name
    if not base or base in (".", ".."):
        msg = f"upload name {name!r} has no file name; rename the file and upload it again"
        raise UploadError(msg)
    if not content:
        msg = f"{base}: the file is empty; upload a file with a header and rows"
        raise UploadError(msg)
    limit = max_upload_mb()
    if len(content) > limit * 2**20:
        msg = (
            f"{base}: {len(content) / 2**20:.1f} MB is more than the {limit:g} MB the page "
            "checks; use `strikemap import KIND FILE --dry-run` for large files"
        )
        raise UploadError(msg)
    path = folder / base
    path.write_bytes(content)
    return path


def max_upload_mb() -> float:
    """Return the upload limit in MB: ``$STRIKEMAP_MAX_UPLOAD_MB``, else the default."""
    try:
        value = float(os.environ.get(MAX_UPLOAD_ENV, DEFAULT_MAX_UPLOAD_MB))
    except ValueError:
        return DEFAULT_MAX_UPLOAD_MB
    return value if value > 0 else DEFAULT_MAX_UPLOAD_MB


def check_layer_upload(
    name: str,
    content: bytes,
    *,
    layer: str | None = None,
    asset_ids: Collection[str] | None = None,
    country_codes: Collection[str] | None = None,
) -> LayerCheck:
    """Validate an uploaded layer file as ``layer`` (guessed from its name when not given).

    Parameters
    ----------
    name, content
        The upload's file name and bytes.
    layer
        A catalogue layer name; ``None`` guesses it with ``guess_layer``.
    asset_ids, country_codes
        Known ids and ISO3 codes of the current data, to check references.

    Raises
    ------
    UploadError
        When the layer is unknown or cannot be guessed, or the upload is empty.
    """
    layer = layer or guess_layer(name)
    if layer not in BY_NAME:
        known = ", ".join(BY_NAME)
        msg = f"{name}: cannot tell which layer this is; choose one of {known}"
        raise UploadError(msg)
    with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX) as work:
        path = save_upload(name, content, Path(work))
        with _upload_errors(path.name, {work: ""}):
            report = validate_layer_file(
                path, BY_NAME[layer], asset_ids=asset_ids, country_codes=country_codes
            )
    return LayerCheck(layer, path.name, report)


def preview_import(
    kind: str, name: str, content: bytes, *, data_dir: str | Path | None = None
) -> ImportPreview:
    """Plan the import of an uploaded file against a temporary copy of the data folder.

    Parameters
    ----------
    kind
        An import kind of ``layers.importers.IMPORTERS`` (``acled``, ``gem``, ``gridkit`` ...).
    name, content
        The upload's file name and bytes.
    data_dir
        The data folder to compare with (it is copied, never written).

    Raises
    ------
    UploadError
        For an unknown kind, an empty upload, or a file the importer cannot read (wrong
        format, missing columns, ...), with the importer's message.
    """
    if kind not in IMPORTERS:
        msg = f"unknown import kind {kind!r}; choose one of {', '.join(IMPORTERS)}"
        raise UploadError(msg)
    real = resolve_data_dir(data_dir)
    with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX) as work:
        copy = Path(work) / "data"
        shutil.copytree(real, copy, ignore=shutil.ignore_patterns(".*"))
        path = save_upload(name, content, Path(work))
        places = {str(path): path.name, str(copy): "the data folder", str(real): "the data folder"}
        with _upload_errors(path.name, places):
            plan = plan_import(kind, path, data_dir=copy)
        summary = scrub_paths(plan.summary(), places)
    return ImportPreview(
        kind,
        summary,
        added_table(plan),
        updated_table(plan),
        rejected_table(plan),
        len(plan.unchanged),
    )


def scrub_paths(text: str, places: dict[str, str]) -> str:
    """Replace the server's paths in ``text``.

    Files in a known folder keep their name, a known folder becomes words (``places``), and any
    other absolute path its last part.
    """
    for path, words in sorted(places.items(), key=lambda item: -len(item[0])):
        text = text.replace(f"{path}/", "").replace(path, words)
    return _ABSOLUTE_PATH.sub(lambda match: match.group(1), text)


@contextlib.contextmanager
def _upload_errors(name: str, places: dict[str, str]) -> Iterator[None]:
    """Turn whatever checking an upload raises into one ``UploadError`` without server paths.

    This is the page's boundary: any failure becomes a message naming the upload (the
    traceback goes to the server's log only).
    """
    try:
        yield
    except UploadError:
        raise
    except Exception as exc:
        log.warning("checking the upload %s failed", name, exc_info=True)
        text = scrub_paths(str(exc), places)
        if not isinstance(exc, ValueError | OSError):
            text = f"cannot be checked ({type(exc).__name__}: {text})"
        msg = text if name in text else f"{name}: {text}"
        raise UploadError(msg) from exc


def problems_table(report: ValidationReport, *, file: str | None = None) -> pd.DataFrame:
    """Return a report's problems as ``PROBLEM_COLUMNS``, errors first, then in file order.

    ``file`` replaces the (temporary) path the validator saw by the name the user knows.
    """
    rows = [
        {
            "severity": p.severity,
            "file": file or p.file,
            "row": p.row,
            "feature": p.feature or "",
            "field": p.field or "",
            "message": p.message,
        }
        for p in sorted(report.problems, key=lambda p: (p.severity != "error", p.row or 0))
    ]
    return _table(rows, PROBLEM_COLUMNS)


def added_table(plan: ImportPlan) -> pd.DataFrame:
    """Return the features an import adds: layer, id, name and date (when the layer has them)."""
    rows = []
    for layer, diff in plan.diffs.items():
        frame = diff.frame.set_index("id")
        for fid in diff.added:
            feature = frame.loc[fid]
            rows.append(
                {
                    "layer": layer,
                    "id": fid,
                    "name": _cell(feature, "name"),
                    "date": _cell(feature, "date"),
                }
            )
    return _table(rows, ADDED_COLUMNS)


def updated_table(plan: ImportPlan) -> pd.DataFrame:
    """Return the features an import updates, with the properties it changes."""
    rows = [
        {"layer": layer, "id": fid, "changed": ", ".join(fields)}
        for layer, diff in plan.diffs.items()
        for fid, fields in diff.updated.items()
    ]
    return _table(rows, UPDATED_COLUMNS)


def rejected_table(plan: ImportPlan) -> pd.DataFrame:
    """Return the rows an import leaves out, with where they are and why."""
    rows = [{"where": r.where, "reason": r.reason} for r in plan.rejected]
    return _table(rows, REJECTED_COLUMNS)


def _cell(feature: pd.Series, column: str) -> str:
    value = feature.get(column)
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _table(rows: list[dict[str, object]], columns: tuple[str, ...]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return pd.DataFrame(rows, columns=list(columns))
