"""The partitioned join on a Dask cluster: a local one of worker processes, or an existing one.

Notes
-----
The shared inputs (``PartitionJob``: assets, relations, countries, view, rules) are sent once to
every worker (``Client.scatter(..., broadcast=True)``); each worker prepares the join's context
once and then links partition after partition, writing each partition's part file itself, so
only counts travel back. Strikes come either from memory (cut into partitions here and sent
one by one) or from a GeoParquet file or dataset read on the workers and sorted on the cluster:
along a Hilbert curve for Parquet parts, in the join's order (strike date, then id) for the
fragments of a text output. Workers must see the output folder: on a cluster of several
machines, a shared file system.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.geo.errors import ImpactInputError
from strikemap.geo.partition import DEFAULT_PARTITION_STRIKES, hilbert_keys, require_unique_ids
from strikemap.layers.catalog import STRIKES
from strikemap.layers.io import STORAGE_CRS, normalise_layer
from strikemap.layers.parquet import parquet_columns, parquet_rows
from strikemap.scale.errors import ClusterError
from strikemap.scale.job import JOIN_STRIKE_COLUMNS, PartitionJob, PartStats, run_partition
from strikemap.scale.local import RunStats, partitions_of

log = logging.getLogger(__name__)

LOCAL_HOST = "127.0.0.1"
"""A local cluster listens on this machine only, its dashboard too."""
WORKER_MEMORY = "3GB"
"""Memory limit of each local worker: Dask spills, then pauses, then restarts a worker past it."""
IN_FLIGHT_PER_WORKER = 2
"""Partitions sent ahead per worker when strikes come from memory: bounds what waits in RAM."""


@contextlib.contextmanager
def dask_client(
    *, workers: int | None = None, scheduler: str | None = None, memory_limit: str = WORKER_MEMORY
) -> Iterator[object]:
    """Yield a ``distributed.Client``: to ``scheduler``, or to a new local cluster of processes.

    The local cluster has ``workers`` processes of one thread each (the join runs its own
    threads), listens on 127.0.0.1 and is shut down on leaving.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        msg = "the dask engine needs the scale extra: pip install 'strikemap[scale]'"
        raise ClusterError(msg) from exc
    if not logging.getLogger().isEnabledFor(logging.DEBUG):  # the scheduler's chatter
        logging.getLogger("distributed").setLevel(logging.WARNING)
        logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)  # "initialized by"
    if scheduler:
        try:
            client = Client(scheduler, timeout="5s")
        except OSError as exc:
            msg = f"--scheduler {scheduler}: no Dask scheduler answers there ({exc})"
            raise ClusterError(msg) from exc
        with client:
            yield client
        return
    cluster = LocalCluster(
        n_workers=workers or 2,
        threads_per_worker=1,
        processes=True,
        host=LOCAL_HOST,
        dashboard_address=f"{LOCAL_HOST}:0",
        memory_limit=memory_limit,
        silence_logs=logging.ERROR,
    )
    with cluster, Client(cluster) as client:
        yield client


def run_on_dask(
    client: object,
    job: PartitionJob,
    strikes: gpd.GeoDataFrame | Path,
    folder: Path,
    *,
    size: int = DEFAULT_PARTITION_STRIKES,
) -> RunStats:
    """Write the links of ``strikes`` into ``folder`` on the cluster of ``client``.

    ``strikes`` is a frame in memory or the path of a GeoParquet file or dataset folder.

    Raises
    ------
    ClusterError
        When the cluster lost a worker on the way (most often past its memory limit), so the
        job it held is gone; nothing is written.
    """
    from distributed.client import FutureCancelledError

    shared = client.scatter(job, broadcast=True, hash=False)
    try:
        if isinstance(strikes, gpd.GeoDataFrame):
            done = _run_frames(client, shared, job, strikes, folder, size)
        else:
            done = _run_parquet(client, shared, job, Path(strikes), folder, size)
    except FutureCancelledError as exc:
        msg = (
            "the Dask cluster lost a worker during the join (most often one that passed its "
            "memory limit; the cluster's log says which), so nothing was written; run again "
            "with a smaller --partition-size, or on workers with more memory"
        )
        raise ClusterError(msg) from exc
    return RunStats.total(sorted(done, key=lambda p: p.number))


def _run_frames(
    client: object,
    shared: object,
    job: PartitionJob,
    strikes: gpd.GeoDataFrame,
    folder: Path,
    size: int,
) -> list[PartStats]:
    """Send the partitions of an in-memory frame, a few per worker at a time."""
    from distributed import as_completed

    require_unique_ids(strikes["id"])
    parts = enumerate(partitions_of(job, job.shown_strikes(strikes), size=size))
    ahead = IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
    running = as_completed()
    for number, part in parts:
        running.add(client.submit(run_partition, shared, part, str(folder), number, pure=False))
        if running.count() >= ahead:
            break
    done = []
    for future in running:
        done.append(future.result())
        for number, part in parts:
            running.add(client.submit(run_partition, shared, part, str(folder), number, pure=False))
            break
    return done


def _run_parquet(
    client: object, shared: object, job: PartitionJob, path: Path, folder: Path, size: int
) -> list[PartStats]:
    """Read a GeoParquet strikes dataset on the workers, sort it, cut it and link.

    For Parquet parts the strikes are cut at quantiles of a Hilbert key of each point over the
    whole globe (the partition boundaries need not match the in-process engine's: any partition
    of the strikes gives the same rows); for text fragments at sampled join-order keys
    (``join_order_divisions``). dask_geopandas' ``spatial_shuffle`` is not used: with dask
    2026.8 it hands WKB bytes where it expects geometries once a dataset has several row groups.
    """
    import dask
    import dask.dataframe as dd

    parquet_rows(path)  # refuses what is not GeoParquet in EPSG:4326, before the cluster works
    columns = [c for c in JOIN_STRIKE_COLUMNS if c in parquet_columns(path)]
    frame = dd.read_parquet(  # a partition per row group, only what the join reads
        str(path), split_row_groups=True, columns=columns
    )
    total, unique = dask.compute(frame["id"].size, frame["id"].nunique())
    if total != unique:
        msg = f"{path}: {total - unique} strike ids occur more than once; strike ids must be unique"
        raise ImpactInputError(msg)
    npartitions = max(1, math.ceil(total / size))  # run_partition applies the view's filters
    # The key is added inside each partition (one task reads a row group and keys it): an
    # assign of a separately computed column let dask read the few key columns in partitions
    # fused across row groups, misaligned with the whole rows ("duplicate labels").
    if job.text is not None:
        meta = frame._meta.assign(**{SORT_COLUMN: pd.Series([], dtype=object)})
        keyed = frame.map_partitions(_keyed, _join_keys, meta=meta)
        divisions = join_order_divisions(keyed, total, npartitions)
    else:
        meta = frame._meta.assign(**{SORT_COLUMN: pd.Series([], dtype="int64")})
        keyed = frame.map_partitions(_keyed, _hilbert_keys, meta=meta)
        divisions = _divisions(keyed, npartitions)
    ordered = keyed.set_index(SORT_COLUMN, divisions=divisions)
    tasks = [
        dask.delayed(run_partition)(shared, dask.delayed(_as_layer)(part), str(folder), number)
        for number, part in enumerate(ordered.to_delayed())
    ]
    return list(client.compute(tasks, sync=True))


SORT_COLUMN = "_strikemap_sort"
"""The key the strikes are sorted and cut on: a Hilbert key, or a join-order key (text)."""
_KEY_META = (SORT_COLUMN, "object")
WORLD = (-180.0, -90.0, 180.0, 90.0)
SAMPLES_PER_PARTITION = 50
"""Join-order keys sampled per output partition to place the cuts (about 2 % off its size)."""


def _divisions(keyed: object, npartitions: int) -> list[int]:
    """Return Hilbert key boundaries cutting the strikes into about equal ``npartitions``.

    (``sort_values(npartitions=...)`` kept one partition for a one-file dataset.)
    """
    keys = keyed[SORT_COLUMN]  # type: ignore[index]
    quantiles = keys.quantile(np.linspace(0.0, 1.0, npartitions + 1)).compute()
    divisions = sorted({int(q) for q in np.asarray(quantiles)})
    return divisions if len(divisions) > 1 else [divisions[0], divisions[0] + 1]


def join_order_divisions(keyed: object, total: int, npartitions: int) -> list[str]:
    """Return join-order key boundaries cutting ``total`` strikes into about ``npartitions``.

    Each partition of ``keyed`` sends back a sorted sample of its keys (every ``step``-th, and
    its last), about ``SAMPLES_PER_PARTITION`` per output partition in all, never the keys
    themselves; the cuts fall at equal ranks of the merged sample. One date holding many
    strikes is cut like any other run: the key holds the id too.
    """
    step = max(1, total // (npartitions * SAMPLES_PER_PARTITION))
    sample = keyed[SORT_COLUMN].map_partitions(  # type: ignore[index]
        _key_sample, step, meta=_KEY_META
    )
    keys = np.sort(sample.compute().to_numpy(object))
    if not len(keys):
        return ["", "\x00"]
    cuts = [keys[round(len(keys) * i / npartitions)] for i in range(1, npartitions)]
    return sorted({keys[0], *cuts, keys[-1]}) if len(keys) > 1 else [keys[0], keys[0] + "\x00"]


def _join_keys(part: pd.DataFrame) -> pd.Series:
    """Return each strike's join-order key: its date, a NUL, its id (text order = the join's).

    With the NUL (below every other character) the keys sort as (date, id) pairs do, even
    when dates differ in length. Dates are ``YYYY-MM-DD`` text or date objects (the validator
    allows nothing else), which sort as the loader's ISO text does.
    """
    dates = part["date"]
    if pd.api.types.is_datetime64_any_dtype(dates):
        dates = dates.dt.strftime("%Y-%m-%d")
    keys = dates.astype(str) + "\x00" + part["id"].astype(str)
    return pd.Series(keys.to_numpy(object), index=part.index, dtype=object, name=SORT_COLUMN)


def _key_sample(keys: pd.Series, step: int) -> pd.Series:
    """Return every ``step``-th of the sorted ``keys`` and the last one."""
    ordered = np.sort(keys.to_numpy(object))
    if not len(ordered):
        return pd.Series(ordered, dtype=object, name=SORT_COLUMN)
    at = np.unique(np.r_[np.arange(0, len(ordered), step), len(ordered) - 1])
    return pd.Series(ordered[at], dtype=object, name=SORT_COLUMN)


def _hilbert_keys(part: pd.DataFrame) -> pd.Series:
    """Return the Hilbert key (over the globe) of each strike's WKB point."""
    points = shapely.from_wkb(part["geometry"].to_numpy(object), on_invalid="ignore")
    keys = hilbert_keys(shapely.get_x(points), shapely.get_y(points), bounds=WORLD)
    return pd.Series(keys, index=part.index, dtype="int64", name=SORT_COLUMN)


def _keyed(part: pd.DataFrame, key: Callable[[pd.DataFrame], pd.Series]) -> pd.DataFrame:
    """Return ``part`` with its sort key (``key(part)``) as ``SORT_COLUMN``."""
    return part.assign(**{SORT_COLUMN: key(part).to_numpy()})


def _as_layer(part: pd.DataFrame) -> gpd.GeoDataFrame:
    """Bring a partition read from GeoParquet (WKB geometry) to the loader's form."""
    part = part.reset_index(drop=True).drop(columns=[SORT_COLUMN], errors="ignore")
    geometry = shapely.from_wkb(part["geometry"].to_numpy(object), on_invalid="ignore")
    frame = gpd.GeoDataFrame(
        part.drop(columns=["geometry"]), geometry=gpd.GeoSeries(geometry, crs=STORAGE_CRS)
    )
    return normalise_layer(frame, STRIKES)


def dashboard_link(client: object) -> str:
    """Return the cluster's dashboard address (empty when it has none)."""
    return str(getattr(client, "dashboard_link", "") or "")
