"""GeoParquet layers: large layers (strikes) as one Parquet file or a partitioned folder.

A layer whose ``LayerSpec.large_file`` is set (``strikes.parquet``) may be stored as GeoParquet
instead of GeoJSON: WKB geometry in EPSG:4326, properties as columns (lists as lists of text,
dates as ``YYYY-MM-DD`` text). The reader goes chunk by chunk (``parquet_chunks``), so the
validator checks a layer of millions of rows in bounded memory; the loader concatenates the same
chunks. Small sourced layers stay GeoJSON, whose diffs a reviewer can read.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pds
import shapely
from pyproj import CRS

from strikemap.layers.errors import LayerReadError, LayerWriteError

STORAGE_CRS = "EPSG:4326"
CHUNK_ROWS = 100_000
"""Rows read at a time by the validator (and the loader, which concatenates them)."""
PARQUET_SUFFIX = ".parquet"


@dataclass(frozen=True)
class ParquetChunk:
    """Rows of a GeoParquet layer: properties as Python objects, shapely geometries.

    ``start`` is the position of the first row in the whole layer (0-based); ``broken`` marks
    geometries that are not readable WKB (``None`` in ``geometry``).
    """

    start: int
    props: pd.DataFrame
    geometry: np.ndarray
    broken: np.ndarray


def is_parquet(path: Path) -> bool:
    """Return whether ``path`` names a Parquet layer (a ``.parquet`` file or folder)."""
    return path.suffix.lower() == PARQUET_SUFFIX


def parquet_chunks(path: Path, *, rows: int = CHUNK_ROWS) -> Iterator[ParquetChunk]:
    """Yield the layer at ``path`` (file or partitioned folder) ``rows`` rows at a time.

    Raises
    ------
    LayerReadError
        When the file or a part is not Parquet, has no WKB ``geometry`` column, or its
        GeoParquet metadata names a CRS other than EPSG:4326.
    """
    dataset, column = _open(path)
    start = 0
    try:
        for batch in dataset.to_batches(batch_size=rows):
            yield _chunk(batch, column, start)
            start += batch.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise _unreadable(path, exc) from exc


def read_parquet_frame(path: Path) -> gpd.GeoDataFrame:
    """Read a whole GeoParquet layer as the GeoJSON reader returns one (before normalising).

    Raises
    ------
    LayerReadError
        As ``parquet_chunks``.
    """
    chunks = list(parquet_chunks(path))
    if not chunks:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)
    props = pd.concat([c.props for c in chunks], ignore_index=True)
    geometry = np.concatenate([c.geometry for c in chunks])
    return gpd.GeoDataFrame(props, geometry=gpd.GeoSeries(geometry, crs=STORAGE_CRS))


def parquet_rows(path: Path) -> int:
    """Return the number of rows of a GeoParquet layer (from its metadata, nothing decoded)."""
    dataset, _column = _open(path)
    try:
        return int(dataset.count_rows())
    except (OSError, pa.ArrowException) as exc:
        raise _unreadable(path, exc) from exc


def parquet_columns(path: Path) -> list[str]:
    """Return the column names of a GeoParquet layer (from its schema, nothing decoded)."""
    dataset, _column = _open(path)
    return list(dataset.schema.names)


def _open(path: Path) -> tuple[pds.Dataset, str]:
    try:
        dataset = pds.dataset(path, format="parquet", exclude_invalid_files=False)
        schema = dataset.schema
    except (OSError, pa.ArrowException) as exc:
        raise _unreadable(path, exc) from exc
    column = "geometry"
    meta = (schema.metadata or {}).get(b"geo")
    if meta is not None:
        try:
            geo = json.loads(meta)
            column = str(geo.get("primary_column", column))
            spec = geo.get("columns", {}).get(column, {})
        except (ValueError, AttributeError) as exc:
            raise _bad(path, f"has GeoParquet metadata that is not JSON ({exc})") from exc
        encoding = str(spec.get("encoding", "WKB"))
        if encoding.upper() != "WKB":
            raise _bad(path, f"stores geometry as {encoding}; write it as WKB (GeoParquet 1.0)")
        crs = spec.get("crs", STORAGE_CRS)
        if crs is not None and not CRS.from_user_input(crs).equals(CRS(STORAGE_CRS)):
            name = CRS.from_user_input(crs).to_string()
            raise _bad(path, f"is in {name}; reproject it to {STORAGE_CRS} and write it again")
    if column not in schema.names:
        raise _bad(path, f"has no {column!r} column; write the layer with geopandas to_parquet")
    return dataset, column


def _chunk(batch: pa.RecordBatch, column: str, start: int) -> ParquetChunk:
    wkb = batch.column(column).to_numpy(zero_copy_only=False)
    geometry = shapely.from_wkb(wkb, on_invalid="ignore")
    broken = pd.notna(wkb) & shapely.is_missing(geometry)
    props = {}
    for name, values in zip(batch.schema.names, batch.columns, strict=True):
        if name == column:
            continue
        props[name] = _python_column(values)
    frame = pd.DataFrame(props, index=pd.RangeIndex(batch.num_rows))
    return ParquetChunk(start, frame, geometry, np.asarray(broken, dtype=bool))


def _python_column(values: pa.Array) -> pd.Series:
    """Arrow to the objects GeoJSON gives: text, numbers, lists, ISO dates, ``None``."""
    kind = values.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_struct(kind):
        return pd.Series(values.to_pylist(), dtype=object)
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        text = pc.strftime(values, format="%Y-%m-%d")
        return pd.Series(text.to_pylist(), dtype=object)
    if pa.types.is_dictionary(kind):
        values = values.dictionary_decode()
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)  # nulls as None
    series = values.to_pandas()
    return series.astype(object).where(series.notna(), None)


def layer_parquet_bytes(properties: pd.DataFrame, geometry: np.ndarray) -> bytes:
    """Serialise a layer as GeoParquet bytes (WKB geometry, EPSG:4326, zstd).

    ``properties`` are Python objects as ``layers.io`` writes them (lists as lists, dates as
    text); empty lists stay empty lists, missing values become nulls.

    Raises
    ------
    LayerWriteError
        When a column cannot be stored (mixed types Arrow refuses).
    """
    frame = gpd.GeoDataFrame(
        properties.reset_index(drop=True),
        geometry=gpd.GeoSeries(geometry, crs=STORAGE_CRS),
    )
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, index=False, compression="zstd", row_group_size=CHUNK_ROWS)
    except (pa.ArrowException, ValueError, TypeError) as exc:
        msg = f"cannot write the layer as GeoParquet ({exc}); check the property types"
        raise LayerWriteError(msg) from exc
    return buffer.getvalue()


def _unreadable(path: Path, exc: Exception) -> LayerReadError:
    return _bad(path, f"cannot be read as Parquet ({exc}); write it again with to_parquet")


def _bad(path: Path, reason: str) -> LayerReadError:
    return LayerReadError(f"{path}: {reason}", code="unreadable", reason=reason)
