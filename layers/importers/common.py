"""Helpers shared by the importers: checked CSV streaming, rejected rows, slugs, result type."""

from __future__ import annotations

import codecs
import csv
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.layers.catalog import LayerSpec
from strikemap.layers.io import STORAGE_CRS
from strikemap.layers.limits import DATE_RANGE_TEXT, JsonDepthError, date_in_range, load_json

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called as ``progress(bytes_done, bytes_total)`` while a file is read."""

CSV_CHUNK_ROWS = 200_000
"""Rows per chunk when streaming a CSV: bounded memory for files of any size."""
SNIFF_BYTES = 64 * 1024
ROW_OFFSET = 2
"""Row numbers as a spreadsheet shows them: the header is row 1, the first data row is row 2."""
WHERE_COLUMN = "_where"
"""Column of incoming frames that says where a row came from (``row 7``, ``node/123``)."""


class ImportFileError(ValueError):
    """An input file cannot be imported at all (missing, empty, wrong format or encoding)."""


@dataclass(frozen=True)
class Rejected:
    """An input row that was not imported, and why.

    Parameters
    ----------
    where
        ``row 7`` (spreadsheet numbering, header = row 1) or a source id such as ``node/123``.
    reason
        What is wrong with it and, where possible, how to fix it.
    """

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class ParsedImport:
    """What an importer read from a file, before it is merged into the layers.

    Parameters
    ----------
    kind
        ``acled``, ``osm``, ``firms`` or ``gem``.
    source
        The file read.
    layers
        Incoming rows per target layer, in layer form (schema columns, EPSG:4326) plus
        ``_where``; ``id`` holds the proposed id, made unique when merged.
    rejected
        Rows that could not be mapped.
    rows_read
        Data rows (or features) read from the file.
    notes
        Facts worth telling the user (rows skipped on purpose, with counts).
    """

    kind: str
    source: Path
    layers: dict[str, gpd.GeoDataFrame]
    rejected: list[Rejected] = field(default_factory=list)
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)


def check_input_file(path: str | Path) -> Path:
    """Return ``path`` as a Path if it is an existing, non-empty file; raise otherwise."""
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file; check the path (relative paths start at {Path.cwd()})"
        raise ImportFileError(msg)
    if not path.is_file():
        msg = f"{path}: is a folder, not a file; pass the exported file itself"
        raise ImportFileError(msg)
    if path.stat().st_size == 0:
        msg = f"{path}: the file is empty (0 bytes); export it again"
        raise ImportFileError(msg)
    return path


def sniff_csv_header(path: Path, *, fmt: str) -> list[str]:
    """Check encoding and separator from the start of a CSV and return its column names.

    Raises
    ------
    ImportFileError
        When the file is not UTF-8 (e.g. Latin-1 or Windows-1251), is semicolon- or
        tab-separated, or has no header.
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    text = _decode_utf8(head, path=path, fmt=fmt)
    lines = text.splitlines()
    header = lines[0] if lines else ""
    if not header.strip():
        msg = f"{path}: the first line is empty; a {fmt} CSV starts with its column names"
        raise ImportFileError(msg)
    for sep, label in ((";", "semicolon"), ("\t", "tab")):
        if header.count(sep) > header.count(","):
            msg = (
                f"{path}: looks {label}-separated (header: {header[:80]!r}); {fmt} files are "
                "comma-separated: re-save it as comma-separated UTF-8 CSV (in Excel: "
                "Save As > 'CSV UTF-8 (Comma delimited)')"
            )
            raise ImportFileError(msg)
    columns = [c.strip() for c in next(csv.reader([header]))]
    return columns


def _decode_utf8(head: bytes, *, path: Path, fmt: str) -> str:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        return decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        msg = (
            f"{path}: line {line} is not UTF-8 (byte 0x{head[exc.start]:02x}); the file is "
            f"probably Latin-1 or Windows-1251: re-save the {fmt} file as comma-separated "
            "UTF-8 CSV"
        )
        raise ImportFileError(msg) from exc


def require_columns(
    columns: Sequence[str], required: Iterable[str], *, path: Path, fmt: str
) -> None:
    """Raise ImportFileError naming every required column missing from ``columns``."""
    missing = [c for c in required if c not in columns]
    if missing:
        msg = (
            f"{path}: missing required {fmt} column(s) {', '.join(missing)}; found "
            f"{', '.join(columns[:20]) or 'none'}. Is this a {fmt} export?"
        )
        raise ImportFileError(msg)


def stream_csv(
    path: Path,
    *,
    usecols: Sequence[str],
    fmt: str,
    chunksize: int = CSV_CHUNK_ROWS,
    progress: Progress | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield the CSV in chunks of text columns, each with a ``_row`` column (spreadsheet numbers).

    The file is never loaded whole; ``progress`` is told how many bytes have been read.
    """
    total = path.stat().st_size
    first_row = ROW_OFFSET
    with path.open("rb") as handle:
        try:
            reader = pd.read_csv(
                handle,
                usecols=list(usecols) or None,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                chunksize=chunksize,
            )
            for chunk in reader:
                if not isinstance(chunk.index, pd.RangeIndex):  # pandas took extra fields as index
                    msg = (
                        f"{path}: the rows have more fields than the header names (near row "
                        f"{first_row}); check the separators and quotes, or the header"
                    )
                    raise ImportFileError(msg)
                chunk["_row"] = np.arange(first_row, first_row + len(chunk))
                first_row += len(chunk)
                if progress is not None:
                    progress(min(handle.tell(), total), total)
                yield chunk
        except UnicodeDecodeError as exc:
            msg = (
                f"{path}: not UTF-8 after row {first_row - 1} (byte 0x{exc.object[exc.start]:02x});"
                f" re-save the {fmt} file as comma-separated UTF-8 CSV"
            )
            raise ImportFileError(msg) from exc
        except pd.errors.ParserError as exc:
            msg = f"{path}: not a well-formed CSV near row {first_row} ({exc}); check quoting"
            raise ImportFileError(msg) from exc
    if progress is not None:
        progress(total, total)


def read_csv_checked(
    path: str | Path,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    fmt: str,
    progress: Progress | None = None,
    chunksize: int = CSV_CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """Check a CSV (exists, not empty, UTF-8, commas, required columns), then stream it.

    Every check that can be made from the header runs before the first chunk is yielded, so a
    wrong file fails before any work is done. Optional columns missing from the file are added
    as empty text.
    """
    path = check_input_file(path)
    columns = sniff_csv_header(path, fmt=fmt)
    require_columns(columns, required, path=path, fmt=fmt)
    present_optional = [c for c in optional if c in columns]
    absent_optional = [c for c in optional if c not in columns]
    return _with_columns(
        stream_csv(
            path,
            usecols=[*required, *present_optional],
            fmt=fmt,
            chunksize=chunksize,
            progress=progress,
        ),
        absent_optional,
    )


def _with_columns(chunks: Iterator[pd.DataFrame], names: Sequence[str]) -> Iterator[pd.DataFrame]:
    for chunk in chunks:
        for name in names:
            chunk[name] = ""
        yield chunk


def no_rows_error(path: Path, *, fmt: str) -> ImportFileError:
    """Return the error for a file with a header but no data rows."""
    return ImportFileError(f"{path}: has column names but no data rows; is the {fmt} export empty?")


def rejections(rows: pd.Series, reasons: pd.Series) -> list[Rejected]:
    """Build Rejected records from aligned row numbers and reasons (only the bad rows)."""
    return [Rejected(f"row {row}", reason) for row, reason in zip(rows, reasons, strict=True)]


def first_problem(
    checks: Sequence[tuple[pd.Series, pd.Series | str]], index: pd.Index
) -> pd.Series:
    """Return, per row, the message of the first failed check ('' when all pass).

    Parameters
    ----------
    checks
        ``(bad_mask, message)`` pairs in the order they should be reported; ``message`` is
        one string or a per-row Series.
    index
        Index of the rows checked.
    """
    problem = pd.Series("", index=index, dtype=object)
    for bad, message in reversed(checks):
        text = message if isinstance(message, pd.Series) else pd.Series(message, index=index)
        problem = problem.mask(bad.fillna(False).astype(bool), text)
    return problem


def parse_numbers(values: pd.Series) -> pd.Series:
    """Parse text to floats; unparseable values become NaN."""
    return pd.to_numeric(values.str.strip(), errors="coerce")


def parse_dates(values: pd.Series, formats: Sequence[str]) -> pd.Series:
    """Parse text dates trying each format in turn; returns ``YYYY-MM-DD`` text or None.

    Any year parses (0001 and 9999 too, never an overflow); ``date_in_range`` tells whether
    strikemap reads it.
    """
    text = values.astype(str).str.strip()
    result = pd.Series(None, index=values.index, dtype=object)
    for fmt in formats:
        todo = result.isna()
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        iso = [f"{t.year:04d}-{t.month:02d}-{t.day:02d}" for t in parsed[ok]]
        result[ok[ok].index] = iso
    return result


def date_problem(name: str, raw: pd.Series, parsed: pd.Series) -> list[tuple[pd.Series, pd.Series]]:
    """Return the ``first_problem`` checks for a date column: not a date, outside the range."""
    return [
        (parsed.isna(), f"{name} " + raw.map(repr) + " is not a date"),
        (
            parsed.notna() & ~date_in_range(parsed.fillna("")),
            f"{name} " + raw.map(repr) + f" lies outside {DATE_RANGE_TEXT}, the dates strikemap "
            "reads; check the year",
        ),
    ]


def load_geojson(path: Path, *, fmt: str, hint: str) -> dict:
    """Return the GeoJSON FeatureCollection in ``path`` as a dict (nesting checked first).

    Raises
    ------
    ImportFileError
        When the file is not UTF-8, not JSON, nested too deeply or not a FeatureCollection;
        ``hint`` says how to export it properly.
    """
    try:
        data = load_json(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        msg = (
            f"{path}: not UTF-8 (byte 0x{byte:02x} at {exc.start}); save the {fmt} as UTF-8, {hint}"
        )
        raise ImportFileError(msg) from exc
    except json.JSONDecodeError as exc:
        msg = f"{path}: not JSON (line {exc.lineno}: {exc.msg}); {hint}"
        raise ImportFileError(msg) from exc
    except JsonDepthError as exc:
        msg = f"{path}: {exc}"
        raise ImportFileError(msg) from exc
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        msg = (
            f"{path}: not a GeoJSON FeatureCollection (it starts with "
            '{"type": "FeatureCollection", "features": [...]}); ' + hint
        )
        raise ImportFileError(msg)
    return data


def read_geojson_features(path: Path, *, fmt: str, hint: str) -> list[dict]:
    """Return the features (objects only) of a GeoJSON FeatureCollection file.

    Raises
    ------
    ImportFileError
        As ``load_geojson``.
    """
    return [f for f in load_geojson(path, fmt=fmt, hint=hint)["features"] if isinstance(f, dict)]


def feature_properties(feature: object) -> dict:
    """Return a feature's properties, ``{}`` when it has none (or they are not an object)."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    return properties if isinstance(properties, dict) else {}


def feature_geometries(features: Sequence[dict]) -> tuple[np.ndarray, list[str]]:
    """Return each feature's shapely geometry (None when absent or unreadable) and why not.

    The reasons are '' for a readable geometry or none at all, else what is wrong with it
    (NaN or infinite coordinates, or not a GeoJSON geometry), for a rejected row.
    """
    texts, reasons = [], []
    for feature in features:
        geometry = feature.get("geometry")
        try:
            texts.append(json.dumps(geometry, allow_nan=False) if geometry else None)
            reasons.append("")
        except ValueError:
            texts.append(None)
            reasons.append("coordinates are NaN or infinite; export the feature again")
        except RecursionError:  # cannot happen after load_json's depth check; kept for safety
            texts.append(None)
            reasons.append("geometry is nested too deeply")
    parsed = shapely.from_geojson(np.array(texts, dtype=object), on_invalid="ignore")
    parsed = np.asarray(parsed, dtype=object) if len(texts) else np.array([], dtype=object)
    for i, (text, geometry) in enumerate(zip(texts, parsed, strict=True)):
        if text is not None and geometry is None:
            reasons[i] = "geometry cannot be read as GeoJSON (type and coordinates); fix it"
    empty = np.flatnonzero(shapely.is_empty(parsed)) if len(parsed) else np.empty(0, int)
    finite = np.isfinite(shapely.bounds(parsed)).all(axis=1) if len(parsed) else np.empty(0, bool)
    for i in empty.tolist():
        reasons[i] = "geometry has no coordinates; give the feature a position or remove it"
        parsed[i] = None
    for i in np.flatnonzero(~np.asarray(finite, dtype=bool)).tolist():
        if parsed[i] is not None:
            reasons[i] = "coordinates are too large to be degrees; export the feature again"
            parsed[i] = None
    return parsed, reasons


def geometries_from_wkt(values: pd.Series) -> np.ndarray:
    """Parse WKT text to shapely geometries; empty or unreadable text gives ``None``."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    wkt = text.astype(object).where(text != "", None).to_numpy()
    return np.asarray(shapely.from_wkt(wkt, on_invalid="ignore"), dtype=object)


def incoming_frame(
    records: pd.DataFrame, geometry: np.ndarray | gpd.GeoSeries, spec: LayerSpec
) -> gpd.GeoDataFrame:
    """Return incoming rows in layer form: every schema column, ``_where``, EPSG:4326."""
    frame = pd.DataFrame(records).reset_index(drop=True)
    for name in spec.field_names:
        if name not in frame.columns:
            frame[name] = None
    if WHERE_COLUMN not in frame.columns:
        frame[WHERE_COLUMN] = frame["id"]
    ordered = frame[[*spec.field_names, WHERE_COLUMN]].astype(object)
    ordered = ordered.where(ordered.notna(), None)
    geoms = gpd.GeoSeries(np.asarray(geometry, dtype=object), crs=STORAGE_CRS)
    return gpd.GeoDataFrame(ordered, geometry=geoms.values, crs=STORAGE_CRS)


def empty_incoming(spec: LayerSpec) -> gpd.GeoDataFrame:
    """Return an empty incoming frame for ``spec``."""
    return incoming_frame(pd.DataFrame({"id": pd.Series([], dtype=object)}), np.array([]), spec)


def text_or_none(values: pd.Series) -> pd.Series:
    """Strip text; empty strings become None."""
    stripped = values.astype(str).str.strip()
    return stripped.astype(object).where(stripped != "", None)
