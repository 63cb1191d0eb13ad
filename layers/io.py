"""Read and write layers: GeoJSON (GeoParquet for large ones), EPSG:4326, replaced atomically."""

from __future__ import annotations

import codecs
import io
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from strikemap.layers.catalog import CATALOG, LayerSpec
from strikemap.layers.errors import LayerReadError, LayerWriteError
from strikemap.layers.limits import MAX_FILE_BYTES
from strikemap.layers.parquet import is_parquet, layer_parquet_bytes, read_parquet_frame
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.schema import COUNTRY_CODES_TABLE, RELATIONS_TABLE, TableSchema

log = logging.getLogger(__name__)

STORAGE_CRS = "EPSG:4326"
COORDINATE_DECIMALS = 6
"""Decimals kept on write: 1e-6 degree is about 0.1 m, far below any source's precision."""


def layer_path(spec: LayerSpec, data_dir: str | Path | None = None) -> Path:
    """Return the path of ``spec``'s file in the data folder.

    For a layer that may be GeoParquet (``spec.large_file``), that file or folder when it exists,
    else the GeoJSON file.

    Raises
    ------
    LayerReadError
        When both the GeoJSON file and the GeoParquet file or folder are present.
    """
    folder = resolve_data_dir(data_dir)
    if spec.large_file and (folder / spec.large_file).exists():
        if (folder / spec.file).exists():
            reason = (
                f"both {spec.file} and {spec.large_file} hold the {spec.name} layer; keep one "
                "(move the other out of the data folder)"
            )
            raise LayerReadError(f"{folder}: {reason}", code="two-files", reason=reason)
        return folder / spec.large_file
    return folder / spec.file


def read_layer(spec: LayerSpec, *, data_dir: str | Path | None = None) -> gpd.GeoDataFrame:
    """Read one layer into a GeoDataFrame in EPSG:4326 with every schema column present.

    Parameters
    ----------
    spec
        The layer to read.
    data_dir
        Data folder; defaults to ``$STRIKEMAP_DATA_DIR`` or the shipped ``data/``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, 2D geometries, list properties as Python lists, missing optional
        properties as empty values. A missing file gives an empty frame with the columns.

    Raises
    ------
    LayerReadError
        When the file exists but cannot be read as GeoJSON (or is larger than strikemap reads).
    """
    path = layer_path(spec, data_dir)
    if not path.exists():
        log.info("%s: no such file; layer %s is empty", path, spec.name)
        return empty_layer(spec)
    return read_layer_file(path, spec)


def read_layer_file(path: Path, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Read a layer file (see ``read_layer``).

    Raises
    ------
    LayerReadError
        When GDAL cannot read the file, or it is larger than ``MAX_FILE_BYTES``; for a
        GeoParquet layer, when it is not GeoParquet in EPSG:4326 (``layers.parquet``).
    """
    if is_parquet(path):
        return normalise_layer(read_parquet_frame(path), spec)
    return normalise_layer(read_layer_frame(path), spec)


def read_layer_frame(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoJSON file with GDAL as it is (the validator reads every layer through this).

    Raises
    ------
    LayerReadError
        When GDAL cannot read the file, or it is larger than ``MAX_FILE_BYTES``.
    """
    _check_size(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not parse column as JSON"
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL: a geometry read as NULL
            # dates stay text: GDAL's date detection turns '2025-02-30' into a crash
            return pyogrio.read_dataframe(path, datetime_as_string=True, DATE_AS_STRING="YES")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        reason = f"cannot be read as GeoJSON ({exc}); run `strikemap validate` for details"
        raise LayerReadError(f"{path}: {reason}", code="unreadable", reason=reason) from exc


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        large = {spec.file: spec.large_file for spec in CATALOG if spec.large_file}
        fix = (
            f"store the layer as GeoParquet, {large[path.name]} (strikemap import ... --format "
            "parquet, or geopandas to_parquet)"
            if path.name in large
            else "split the layer or simplify its geometry"
        )
        reason = (
            f"is {size / 2**20:.0f} MB, larger than the {MAX_FILE_BYTES // 2**20} MB strikemap "
            f"reads; {fix}"
        )
        raise LayerReadError(f"{path}: {reason}", code="too-large", reason=reason)


def empty_layer(spec: LayerSpec) -> gpd.GeoDataFrame:
    """Return an empty frame with ``spec``'s columns and the storage CRS."""
    columns = {name: pd.Series([], dtype=object) for name in spec.field_names}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)


def normalise_layer(frame: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Bring a frame read from a file to the in-memory layer form.

    2D geometries in EPSG:4326, list-valued properties as Python lists (``[]`` when missing),
    every schema column present, schema columns first.
    """
    frame = frame.copy()
    geometry = shapely.force_2d(frame.geometry.values)
    frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=STORAGE_CRS))
    for field_spec in spec.fields:
        name = field_spec.name
        if field_spec.kind in ("list", "list_enum"):
            values = frame[name] if name in frame.columns else pd.Series(None, index=frame.index)
            frame[name] = [_as_list(v) for v in values]
        elif name not in frame.columns:
            frame[name] = pd.Series(None, index=frame.index, dtype=object)
        elif field_spec.kind == "date":
            frame[name] = _as_iso_dates(frame[name])
    extra = [c for c in frame.columns if c not in spec.field_names and c != "geometry"]
    ordered = [*spec.field_names, *extra, "geometry"]
    return gpd.GeoDataFrame(frame[ordered], geometry="geometry", crs=STORAGE_CRS)


def _as_iso_dates(values: pd.Series) -> pd.Series:
    """Keep dates as ``YYYY-MM-DD`` text; GDAL may hand back ``YYYY/MM/DD`` or datetimes.

    Values that do not look like dates are kept as they are, for the validator to report.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)
    text = values.astype(object).where(values.notna(), None)
    as_str = text.astype("string")
    looks_like_date = as_str.str.fullmatch(r"\d{4}[/-]\d{2}[/-]\d{2}(?:[ T].*)?").fillna(False)
    iso = as_str.str.slice(0, 10).str.replace("/", "-", regex=False)
    return text.where(~looks_like_date.to_numpy(), iso.astype(object))


def _as_list(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):  # numpy arrays and lists from pyogrio
        return [str(v) for v in value]
    return [str(value)]


def read_layers(
    *, data_dir: str | Path | None = None, specs: Iterable[LayerSpec] = CATALOG
) -> dict[str, gpd.GeoDataFrame]:
    """Read every layer of the catalogue; returns ``{layer name: frame}``."""
    return {spec.name: read_layer(spec, data_dir=data_dir) for spec in specs}


def read_relations(*, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read ``relations.csv``: one asset -> country link per row, as strings (empty = missing).

    Raises
    ------
    LayerReadError
        When the file is not UTF-8 CSV or lacks a required column (``read_csv_table``).
    """
    return read_csv_table(resolve_data_dir(data_dir) / RELATIONS_TABLE.file, RELATIONS_TABLE)


COUNTRY_CODES_FILE = COUNTRY_CODES_TABLE.file
"""Optional table of known ISO 3166 alpha-3 codes and names beside the layers."""


def read_country_codes(*, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read ``country_codes.csv`` (``iso3, name`` of every Natural Earth country).

    It names countries that lie outside the map region (USA); an absent file gives an empty table.

    Raises
    ------
    LayerReadError
        When the file is not UTF-8 CSV or lacks the ``iso3`` or ``name`` column.
    """
    path = resolve_data_dir(data_dir) / COUNTRY_CODES_FILE
    return read_csv_table(path, COUNTRY_CODES_TABLE)[list(COUNTRY_CODES_TABLE.columns)]


def read_csv_table(path: Path, schema: TableSchema) -> pd.DataFrame:
    """Read a CSV table of ``schema``: text cells, every schema column (empty when absent).

    An absent file gives an empty table. This is the one reader of the tables; the validator
    calls its steps (``read_data_text``, ``parse_csv_text``, ``missing_columns``) too.

    Raises
    ------
    LayerReadError
        When the file is too large, not UTF-8, empty, not CSV, or lacks a required column.
    """
    if not path.exists():
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in schema.columns})
    text, _bom = read_data_text(path)
    table = parse_csv_text(text, file=str(path))
    required, _optional = missing_columns(table, schema)
    if required:
        column = required[0]
        reason = missing_column_message(column, schema)
        raise LayerReadError(
            f"{path}: {reason}", code="missing-column", reason=reason, field=column
        )
    return with_columns(table, schema)


def read_data_text(path: Path) -> tuple[str, bool]:
    """Read a data file as UTF-8 text; returns the text and whether it began with a BOM.

    Raises
    ------
    LayerReadError
        When the file is larger than ``MAX_FILE_BYTES``, is not UTF-8 or holds only blanks.
    """
    _check_size(path)
    raw = path.read_bytes()
    bom = raw.startswith(codecs.BOM_UTF8)
    offset = len(codecs.BOM_UTF8) if bom else 0
    try:
        text = raw[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + offset
        line = raw.count(b"\n", 0, at) + 1
        reason = (
            f"is not UTF-8: byte {at} (line {line}) is {raw[at : at + 1]!r}; "
            "re-save the file as UTF-8"
        )
        raise LayerReadError(f"{path}: {reason}", code="not-utf8", reason=reason) from exc
    if not text.strip():
        reason = 'is empty; write at least {"type": "FeatureCollection", "features": []}'
        if path.suffix.lower() == ".csv":
            reason = "is empty; write at least the header line"
            header = {RELATIONS_TABLE.file: RELATIONS_TABLE.columns}.get(path.name)
            reason += f": {','.join(header)}" if header else " (the column names)"
        raise LayerReadError(f"{path}: {reason}", code="empty-file", reason=reason)
    return text, bom


def parse_csv_text(text: str, *, file: str) -> pd.DataFrame:
    """Parse CSV text into a table of strings (empty cells are ``""``).

    Raises
    ------
    LayerReadError
        When the text is not CSV pandas can read.
    """
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = f"cannot be read as CSV ({exc}); check quotes and the number of commas per line"
        raise LayerReadError(f"{file}: {reason}", code="not-csv", reason=reason) from exc
    if not isinstance(table.index, pd.RangeIndex):  # pandas took the extra fields as an index
        reason = (
            "cannot be read as CSV: the rows have more fields than the header names; check "
            "the commas per line and the quotes"
        )
        raise LayerReadError(f"{file}: {reason}", code="not-csv", reason=reason)
    return table.fillna("")


def missing_columns(table: pd.DataFrame, schema: TableSchema) -> tuple[list[str], list[str]]:
    """Return the required and the optional columns of ``schema`` that ``table`` lacks."""
    absent = [c for c in schema.columns if c not in table.columns]
    return [c for c in absent if c in schema.required], [
        c for c in absent if c not in schema.required
    ]


def missing_column_message(column: str, schema: TableSchema) -> str:
    """Say that ``column`` is missing and what the header must be."""
    optional = "" if column in schema.required else " (the column may be empty)"
    return f"column {column!r} is missing; the header must be {','.join(schema.columns)}{optional}"


def with_columns(table: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """Return ``table`` with every column of ``schema`` (absent ones empty)."""
    for column in schema.columns:
        if column not in table.columns:
            table[column] = ""
    return table


# --------------------------------------------------------------------------------------------
# Writing


def layer_to_geojson(frame: gpd.GeoDataFrame, spec: LayerSpec) -> str:
    """Serialise a layer the one way strikemap writes it.

    RFC 7946 (EPSG:4326, no ``crs`` member, counter-clockwise exterior rings), features sorted by
    id, coordinates rounded to ``COORDINATE_DECIMALS``, schema properties in schema order
    followed by any extra ones in alphabetical order, one feature per line.
    """
    if frame.crs is None or not frame.crs.equals(STORAGE_CRS):
        msg = f"layer {spec.name!r}: refusing to write CRS {frame.crs}; reproject to {STORAGE_CRS}"
        raise LayerWriteError(msg)
    ordered = frame.sort_values("id", kind="stable") if len(frame) else frame
    geometry = _rounded_rfc7946(ordered.geometry.values)
    geometry_json = shapely.to_geojson(geometry)
    properties = _properties_frame(ordered, spec)
    records = properties.to_dict(orient="records")
    lines = [
        json.dumps(
            {"type": "Feature", "properties": record, "geometry": json.loads(geom)},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for record, geom in zip(records, geometry_json, strict=True)
    ]
    body = ",\n".join(lines)
    return f'{{"type":"FeatureCollection","features":[\n{body}\n]}}\n'


def layer_to_parquet(frame: gpd.GeoDataFrame, spec: LayerSpec) -> bytes:
    """Serialise a large layer as GeoParquet, with the rules of ``layer_to_geojson``.

    Rows sorted by id, coordinates rounded to ``COORDINATE_DECIMALS``, schema properties in
    schema order then extra ones alphabetically, lists as lists, dates as ``YYYY-MM-DD`` text.
    """
    if frame.crs is None or not frame.crs.equals(STORAGE_CRS):
        msg = f"layer {spec.name!r}: refusing to write CRS {frame.crs}; reproject to {STORAGE_CRS}"
        raise LayerWriteError(msg)
    ordered = frame.sort_values("id", kind="stable") if len(frame) else frame
    geometry = _rounded_rfc7946(ordered.geometry.values)
    return layer_parquet_bytes(_properties_frame(ordered, spec), geometry)


def layer_bytes(frame: gpd.GeoDataFrame, spec: LayerSpec, *, parquet: bool = False) -> bytes:
    """Return the layer's file content: GeoParquet when ``parquet``, else GeoJSON text."""
    if parquet:
        return layer_to_parquet(frame, spec)
    return layer_to_geojson(frame, spec).encode("utf-8")


def _rounded_rfc7946(geometry: np.ndarray) -> np.ndarray:
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return shapely.orient_polygons(rounded, exterior_cw=False)


def _properties_frame(frame: gpd.GeoDataFrame, spec: LayerSpec) -> pd.DataFrame:
    extra = sorted(c for c in frame.columns if c not in spec.field_names and c != "geometry")
    properties = pd.DataFrame(frame.drop(columns="geometry"))[[*spec.field_names, *extra]]
    properties = properties.astype(object).where(properties.notna(), None)
    for field_spec in spec.fields:
        if field_spec.kind == "int":
            properties[field_spec.name] = [
                None if v is None else int(v) for v in properties[field_spec.name]
            ]
        elif field_spec.kind in ("list", "list_enum"):
            properties[field_spec.name] = [_as_list(v) for v in properties[field_spec.name]]
        elif field_spec.kind == "date":
            properties[field_spec.name] = _as_iso_dates(properties[field_spec.name])
    return properties


def _default_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder, then replace.

    A crash at any point leaves either the old file or the new one, never a mix. The new file
    keeps the mode of the file it replaces (else the usual mode under the umask, not mkstemp's
    0600).

    Raises
    ------
    LayerWriteError
        When the file cannot be written; the previous file is left untouched.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else _default_file_mode()
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        msg = (
            f"{path}: could not be written ({exc.strerror or exc}); the previous file is untouched"
        )
        raise LayerWriteError(msg) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        msg = f"{path}: could not be written ({exc}); the previous file is left untouched"
        raise LayerWriteError(msg) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8, atomically (see ``atomic_write_bytes``)."""
    try:
        content = text.encode("utf-8")
    except UnicodeError as exc:
        msg = f"{path}: could not be written ({exc}); the previous file is left untouched"
        raise LayerWriteError(msg) from exc
    atomic_write_bytes(path, content)


def write_layer(
    frame: gpd.GeoDataFrame, spec: LayerSpec, *, data_dir: str | Path | None = None
) -> Path:
    """Write one layer atomically, the one way (see ``layer_to_geojson``); returns its path.

    A layer stored as a GeoParquet file is written as GeoParquet (``layer_to_parquet``).

    Raises
    ------
    LayerWriteError
        When the layer is a partitioned GeoParquet folder (strikemap does not rewrite those).
    """
    path = layer_path(spec, data_dir)
    if is_parquet(path) and path.is_dir():
        msg = (
            f"{path}: is a partitioned GeoParquet folder, which strikemap reads but does not "
            f"rewrite; write the layer as one {spec.large_file} file or as {spec.file}"
        )
        raise LayerWriteError(msg)
    if is_parquet(path):
        atomic_write_bytes(path, layer_to_parquet(frame, spec))
    else:
        atomic_write_text(path, layer_to_geojson(frame, spec))
    return path


def relations_to_csv(table: pd.DataFrame) -> str:
    """Serialise ``relations.csv`` one way: schema columns, sorted by asset, country, relation."""
    ordered = table.reindex(columns=list(RELATIONS_TABLE.columns)).fillna("")
    ordered = ordered.sort_values(["asset_id", "country", "relation", "valid_from"], kind="stable")
    return ordered.to_csv(index=False, lineterminator="\n")


def write_relations(table: pd.DataFrame, *, data_dir: str | Path | None = None) -> Path:
    """Write ``relations.csv`` atomically; returns its path."""
    path = resolve_data_dir(data_dir) / RELATIONS_TABLE.file
    atomic_write_text(path, relations_to_csv(table))
    return path


def write_layers(
    frames: Mapping[str, gpd.GeoDataFrame], *, data_dir: str | Path | None = None
) -> list[Path]:
    """Write several layers; each file is replaced atomically."""
    by_name = {spec.name: spec for spec in CATALOG}
    return [write_layer(frame, by_name[name], data_dir=data_dir) for name, frame in frames.items()]
