"""Link tables as Parquet: one file, or a dataset folder written one partition at a time.

Notes
-----
A Parquet link file holds ``LINK_COLUMNS`` as written by ``exports.links.link_table`` (distances
in whole metres) plus ``strike_date``, the strike's date: with it the rows of any number of part
files, each in the join's order, read back in the join's order (``read_links``). With
``geometry`` the parts are GeoParquet (WKB in EPSG:4326, the geometry of ``links_to_frame``).
(Text outputs of a partitioned join are not written from Parquet parts: ``exports.link_text``.)

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
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from strikemap.exports.files import ExportTargetError, ExportWriteError, data_folder_of
from strikemap.exports.links import link_table, links_to_frame
from strikemap.geo.impact import LINK_COLUMNS
from strikemap.geo.partition import join_order

DATE_COLUMN = "strike_date"
"""The extra column of Parquet link files: the strike's date, which orders the parts' rows."""
PART_PATTERN = "part-{:05d}.parquet"
ROW_GROUP_ROWS = 65_536
"""Rows per Parquet row group."""
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
