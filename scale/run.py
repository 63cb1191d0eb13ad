"""Write a view's links with a chosen engine: partitions in process or on Dask, any format.

For a Parquet output every engine writes one Parquet part per spatial partition into the dataset
folder (moved into place when complete). For a text output (CSV, JSON, GeoJSON) the strikes are
cut in the join's order instead, each partition writes its piece of the text as a fragment
(formatted where it ran: on a Dask worker, in parallel), and this process only copies the
fragments in order into one file or stdout (``exports.link_text``), its memory bounded by the
shared inputs, not by the number of strikes. The bytes are those of ``strikemap impact`` in
process (``tests/test_scale.py``).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd

from strikemap.analysis.dataset import Dataset
from strikemap.analysis.view import View
from strikemap.exports.files import ExportWriteError, write_to_stdout
from strikemap.exports.link_dataset import PARQUET_FORMATS, DatasetFolder, scratch_folder
from strikemap.exports.link_text import join_fragments
from strikemap.geo.partition import DEFAULT_PARTITION_STRIKES
from strikemap.geo.rules import DEFAULT_RULES, ImpactRules
from strikemap.layers.catalog import STRIKES
from strikemap.layers.io import layer_path
from strikemap.layers.parquet import is_parquet
from strikemap.scale.job import PartitionJob
from strikemap.scale.local import RunStats, run_in_process

log = logging.getLogger(__name__)

ENGINES = ("inprocess", "partitioned", "dask")
"""``inprocess``: the whole join at once (the default); ``partitioned``: partitions one after
another in this process; ``dask``: the same partitions on a Dask cluster."""


@dataclass(frozen=True)
class EngineOptions:
    """How to run: engine, partition size, and for Dask the workers or the scheduler."""

    engine: str = "partitioned"
    size: int = DEFAULT_PARTITION_STRIKES
    workers: int | None = None
    scheduler: str | None = None
    on_cluster: Callable[[str], None] | None = None
    """Called with the dashboard address once the Dask cluster is up."""


def write_links(
    dataset: Dataset,
    view: View | None,
    rules: ImpactRules = DEFAULT_RULES,
    *,
    fmt: str,
    out: Path | None,
    options: EngineOptions,
) -> RunStats:
    """Write the view's explained links as ``fmt`` to ``out`` (stdout for text when None).

    Parquet formats write a dataset folder at ``out``; the others one file. ``out`` is assumed
    checked (``exports.files.guard_output`` or ``exports.link_dataset.guard_output_folder``).

    Raises
    ------
    ViewError
        When the view names a country the data does not know.
    ImpactInputError
        When strike ids repeat.
    ClusterError
        When the Dask cluster cannot be reached or started.
    """
    if fmt in PARQUET_FORMATS:
        job = PartitionJob.from_dataset(dataset, view, rules, geometry=fmt == "geoparquet")
        if out is None:
            msg = f"--format {fmt} writes a folder of part files: give --out, e.g. links.parquet/"
            raise ExportWriteError(msg)
        with DatasetFolder(out) as building:
            return _run(job, dataset, building, options)
    job = PartitionJob.from_dataset(dataset, view, rules, text=fmt)
    with scratch_folder(out) as parts:
        stats = _run(job, dataset, Path(parts), options)

        def join(handle: BinaryIO) -> None:
            join_fragments(fmt, Path(parts), stats.partitions, handle)

        if out is None:
            write_to_stdout(join)
        else:
            _stream_to_file(out, join)
    return stats


def _run(job: PartitionJob, dataset: Dataset, folder: Path, options: EngineOptions) -> RunStats:
    if options.engine == "dask":
        from strikemap.scale.dask_engine import dashboard_link, dask_client, run_on_dask

        with dask_client(workers=options.workers, scheduler=options.scheduler) as client:
            if options.on_cluster is not None:
                options.on_cluster(dashboard_link(client))
            return run_on_dask(client, job, _strikes_source(dataset), folder, size=options.size)
    return run_in_process(job, dataset.strikes, folder, size=options.size)


def strikes_read_by_workers(data_dir: Path, engine: str) -> bool:
    """Return whether ``engine`` reads the strikes of ``data_dir`` on its workers.

    True for a GeoParquet strikes layer on Dask: the driver then loads the data without them
    (``load_dataset(skip=...)``).
    """
    path = layer_path(STRIKES, data_dir)
    return engine == "dask" and is_parquet(path) and path.exists()


def _strikes_source(dataset: Dataset) -> gpd.GeoDataFrame | Path:
    """Return the strikes for Dask: a GeoParquet layer's path (workers read it), else the frame."""
    if dataset.data_dir is not None and strikes_read_by_workers(dataset.data_dir, "dask"):
        return layer_path(STRIKES, dataset.data_dir).resolve()
    return dataset.strikes


def _stream_to_file(out: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write bytes to ``out`` through a temporary file renamed into place (all or nothing)."""
    out = Path(out).expanduser()
    temporary = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with temporary.open("wb") as handle:
            write(handle)
        os.replace(temporary, out)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        msg = f"{out}: cannot write the export ({exc.strerror or exc}); check space and rights"
        raise ExportWriteError(msg) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
