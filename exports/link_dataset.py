"""Link tables as Parquet: one file, or a dataset folder written one partition at a time.

Notes
-----
A Parquet link file holds ``LINK_COLUMNS`` as written by ``exports.links.link_table`` (distances
in whole metres) plus ``strike_date``, the strike's date: with it the rows of any number of part
files, each in the join's order, read back in the join's order (``read_links``), and an
ordered text export streams from the parts date window by date window (``ordered_chunks``)
without holding the whole table. With ``geometry`` the parts are GeoParquet (WKB in EPSG:4326,
the geometry of ``links_to_frame``).

A dataset folder is built in a hidden sibling folder and renamed into place when every part is
written (``DatasetFolder``), so a reader never sees half a dataset and a failed run leaves the
previous one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pds
import pyarrow.parquet as pq
import shapely

from strikemap.exports.files import (
    ExportTargetError,
    ExportWriteError,
    csv_text,
    data_folder_of,
)
from strikemap.exports.links import link_table, links_to_frame
from strikemap.geo.impact import LINK_COLUMNS
from strikemap.geo.partition import join_order

DATE_COLUMN = "strike_date"
"""The extra column of Parquet link files: the strike's date, which orders the parts' rows."""
PART_PATTERN = "part-{:05d}.parquet"
ROW_GROUP_ROWS = 65_536
"""Rows per Parquet row group: date windows read only the groups they need."""
CHUNK_ROWS = 100_000
"""Rows per date window when a dataset is streamed in order (a strike's rows stay together)."""
PARQUET_FORMATS = ("parquet", "geoparquet")


def parquet_table(
    links: pd.DataFrame,
    strikes: pd.DataFrame,
    *,
    assets: gpd.GeoDataFrame | None = None,
) -> pa.Table:
    """Return explained links as an Arrow table: ``LINK_COLUMNS``, ``strike_date`` (, geometry).

    Parameters
    ----------
    links
        Link rows (with ``detail``) of some of ``strikes``, in the join's order.
    strikes
        The strikes the rows come from (``id``, ``date``, points).
    assets
        The combined assets: give them for GeoParquet (``links_to_frame``'s geometry).
    """
    table = links.reindex(columns=list(LINK_COLUMNS))
    columns = {c: _text_array(table[c]) for c in LINK_COLUMNS if c != "distance_m"}
    metres = pd.to_numeric(table["distance_m"], errors="coerce").round(0).to_numpy(float)
    columns["distance_m"] = pa.array(
        np.nan_to_num(metres).astype(np.int64), pa.int64(), mask=np.isnan(metres)
    )
    columns[DATE_COLUMN] = _strike_dates(table["strike_id"], strikes)
    arrow = pa.table({c: columns[c] for c in (*LINK_COLUMNS, DATE_COLUMN)})
    if assets is None:
        return arrow
    frame = links_to_frame(links, strikes, assets)
    arrow = arrow.append_column("geometry", pa.array(shapely.to_wkb(frame.geometry.values)))
    meta = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": ["LineString", "Point"],
                "crs": frame.crs.to_json_dict(),
            }
        },
    }
    return arrow.replace_schema_metadata({b"geo": json.dumps(meta).encode()})


def _text_array(values: pd.Series) -> pa.Array:
    """Return a text column as Arrow strings, ``""`` for missing (categoricals as dictionaries)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        if (codes >= 0).all():
            categories = values.cat.categories.astype(str).to_numpy(object)
            return pa.DictionaryArray.from_arrays(
                pa.array(codes, pa.int32()), pa.array(categories, pa.string())
            )
    text = values.astype(object).where(values.notna(), "")
    return pa.array(text.astype(str).to_numpy(object), pa.string())


def _strike_dates(strike_ids: pd.Series, strikes: pd.DataFrame) -> pa.Array:
    """Return each row's strike date (ISO text), looked up once per distinct strike."""
    if not len(strike_ids):
        return pa.array([], pa.string())
    ids = strike_ids.astype("category").cat.remove_unused_categories()
    date_of = pd.Series(strikes["date"].astype(str).to_numpy(object), index=strikes["id"])
    dates = date_of.reindex(ids.cat.categories.astype(str)).fillna("").to_numpy(object)
    return pa.DictionaryArray.from_arrays(
        pa.array(ids.cat.codes.to_numpy(), pa.int32()), pa.array(dates, pa.string())
    )


def write_parquet_file(table: pa.Table, path: Path) -> None:
    """Write one Parquet link file atomically (temporary file, then rename)."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        pq.write_table(table, temporary, row_group_size=ROW_GROUP_ROWS, compression="zstd")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        msg = f"{path}: cannot write the links ({exc.strerror or exc}); check space and rights"
        raise ExportWriteError(msg) from exc


def write_part(table: pa.Table, folder: Path, number: int) -> Path:
    """Write partition ``number``'s links into a dataset folder being built; return the file."""
    path = Path(folder) / PART_PATTERN.format(number)
    write_parquet_file(table, path)
    return path


def guard_output_folder(out: Path, *, data_dir: Path, force: bool = False) -> Path:
    """Refuse a dataset folder that lies in the data, or exists without ``force``."""
    path = Path(out).expanduser()
    if data_folder_of(path / PART_PATTERN.format(0), data_dir=data_dir) is not None or (
        path.resolve() == data_dir.resolve()
    ):
        msg = f"{path}: lies in the data folder; exports never write there. Choose another --out"
        raise ExportTargetError(msg)
    if path.exists() and not force:
        msg = f"{path}: exists; add --force to replace it, or choose another --out"
        raise ExportTargetError(msg)
    if path.exists() and not path.is_dir():
        msg = f"{path}: is a file; a partitioned dataset is a folder, e.g. links.parquet/"
        raise ExportTargetError(msg)
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK | os.X_OK):
        msg = f"{path}: folder {path.parent} does not exist or is not writable"
        raise ExportWriteError(msg)
    return path


class DatasetFolder:
    """A dataset folder built beside its target and moved into place as a whole.

    ``with DatasetFolder(out) as building: write_part(table, building, 0)``; on leaving without
    an error the folder replaces ``out`` (an existing one is removed after the rename); on an
    error it is removed and ``out`` is left as it was.
    """

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.building = self.out.with_name(f".{self.out.name}.{uuid.uuid4().hex[:8]}.building")

    def __enter__(self) -> Path:
        self.building.mkdir()
        return self.building

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is not None:
            shutil.rmtree(self.building, ignore_errors=True)
            return
        old = None
        if self.out.exists():
            old = self.out.with_name(f".{self.out.name}.{uuid.uuid4().hex[:8]}.old")
            os.replace(self.out, old)
        os.replace(self.building, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def scratch_folder(near: Path | None) -> tempfile.TemporaryDirectory:
    """Return a temporary folder for parts, beside ``near`` (the output) when given."""
    where = None if near is None else str(Path(near).expanduser().resolve().parent)
    return tempfile.TemporaryDirectory(prefix=".strikemap-parts-", dir=where)


# --------------------------------------------------------------------------------------------
# Reading back, in the join's order


def _files(path: Path) -> list[Path]:
    path = Path(path)
    return sorted(path.glob("*.parquet")) if path.is_dir() else [path]


def read_links(path: Path, *, geometry: bool = False) -> pd.DataFrame:
    """Return the links of a Parquet file or dataset folder in the join's order.

    Columns ``LINK_COLUMNS`` as ``link_table`` gives them (plus ``geometry`` when asked and
    present), the rows of ``strikemap impact`` in process.
    """
    files = _files(path)
    if not files:
        return _plain(
            pa.table({c: pa.array([], pa.string()) for c in (*LINK_COLUMNS, DATE_COLUMN)})
        )
    table = pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")
    return _ordered(table, geometry=geometry)


def _ordered(table: pa.Table, *, geometry: bool) -> pd.DataFrame:
    frame = _plain(table, geometry=geometry)
    order = join_order(
        table[DATE_COLUMN].to_numpy(zero_copy_only=False), frame["strike_id"].to_numpy(object)
    )
    return frame.take(order).reset_index(drop=True)


def _plain(table: pa.Table, *, geometry: bool = False) -> pd.DataFrame:
    frame = link_table(
        pd.DataFrame({c: table[c].to_pandas(types_mapper=None) for c in LINK_COLUMNS})
    )
    if geometry and "geometry" in table.column_names:
        frame = gpd.GeoDataFrame(
            frame,
            geometry=shapely.from_wkb(table["geometry"].to_numpy(zero_copy_only=False)),
            crs="EPSG:4326",
        )
    return frame


def ordered_chunks(path: Path, *, geometry: bool = False) -> Iterator[pd.DataFrame]:
    """Yield the links of a dataset folder in the join's order, a window of dates at a time.

    Windows are cut from the row groups' date statistics (parts are in date order) so that a
    window holds about ``CHUNK_ROWS`` rows; every row of a strike falls in one window.
    """
    files = _files(path)
    if not files:
        return
    dataset = pds.dataset([str(f) for f in files], format="parquet")
    date = pds.field(DATE_COLUMN)
    for low, high in _date_windows(files):
        window = (date >= low) & (date < high) if high is not None else (date >= low)
        table = dataset.to_table(filter=window)
        if table.num_rows:
            yield _ordered(table, geometry=geometry)


def _date_windows(files: list[Path]) -> list[tuple[str, str | None]]:
    """Return ``[(first date, next window's first date), ...]``, about CHUNK_ROWS rows each."""
    rows_by_date: dict[str, int] = {}
    for f in files:
        meta = pq.ParquetFile(f).metadata
        at = meta.schema.names.index(DATE_COLUMN)
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            stats = group.column(at).statistics
            low = stats.min if stats is not None and stats.has_min_max else ""
            rows_by_date[low] = rows_by_date.get(low, 0) + group.num_rows
    starts = sorted(rows_by_date)
    windows: list[tuple[str, str | None]] = []
    first, rows = starts[0], 0
    for at, date in enumerate(starts):
        rows += rows_by_date[date]
        following = starts[at + 1] if at + 1 < len(starts) else None
        if following is not None and rows >= CHUNK_ROWS:
            windows.append((first, following))
            first, rows = following, 0
    windows.append((first, None))
    return windows


# --------------------------------------------------------------------------------------------
# Ordered text exports, streamed


def stream_csv(chunks: Iterator[pd.DataFrame], out: TextIO) -> int:
    """Write chunks as the CSV of ``links_to_csv`` (one header); return the rows written."""
    rows, first = 0, True
    for chunk in chunks:
        text = csv_text(chunk)
        out.write(text if first else text.split("\n", 1)[1])
        rows, first = rows + len(chunk), False
    if first:
        out.write(csv_text(pd.DataFrame(columns=list(LINK_COLUMNS))))
    return rows


def stream_json(chunks: Iterator[pd.DataFrame], out: TextIO) -> int:
    """Write chunks as the JSON array of ``links_to_json``; return the rows written."""
    rows = 0
    out.write("[")
    for chunk in chunks:
        records = chunk.astype(object).where(lambda t: t.notna(), None)
        text = json.dumps(records.to_dict(orient="records"), ensure_ascii=False, indent=1)
        out.write(("\n" if rows == 0 else ",\n") + text[2:-2])
        rows += len(chunk)
    out.write("\n]\n" if rows else "]\n")
    return rows


def stream_geojson(chunks: Iterator[gpd.GeoDataFrame], out: TextIO) -> int:
    """Write GeoParquet chunks as the FeatureCollection of ``links_to_geojson``."""
    rows = 0
    out.write('{"type":"FeatureCollection","features":[')
    for chunk in chunks:
        records = pd.DataFrame(chunk.drop(columns="geometry")).to_dict(orient="records")
        shapes = shapely.to_geojson(chunk.geometry.values)  # rounded when the parts were written
        features = [
            {"type": "Feature", "properties": r, "geometry": json.loads(g)}
            for r, g in zip(records, shapes, strict=True)
        ]
        text = json.dumps(features, ensure_ascii=False, separators=(",", ":"))[1:-1]
        out.write(("," if rows and text else "") + text)
        rows += len(chunk)
    out.write("]}\n")
    return rows
