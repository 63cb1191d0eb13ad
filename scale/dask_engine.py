"""The partitioned join on a Dask cluster: a local one of worker processes, or an existing one.

Notes
-----
The shared inputs (``PartitionJob``: assets, relations, countries, view, rules) are sent once to
every worker (``Client.scatter(..., broadcast=True)``); each worker prepares the join's context
once and then links partition after partition, writing each partition's part file itself, so
only counts travel back. Strikes come either from memory (cut into spatial partitions here and
sent one by one) or from a GeoParquet dataset read on the workers (``dask_geopandas``), put in
spatial order on the cluster with a Hilbert shuffle. Workers must see the output folder: on a
cluster of several machines, a shared file system.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd

from strikemap.geo.errors import ImpactInputError
from strikemap.geo.partition import DEFAULT_PARTITION_STRIKES, require_unique_ids, strike_partitions
from strikemap.scale.errors import ClusterError
from strikemap.scale.job import PartitionJob, PartStats, run_partition
from strikemap.scale.local import RunStats

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
    """
    shared = client.scatter(job, broadcast=True, hash=False)
    if isinstance(strikes, gpd.GeoDataFrame):
        done = _run_frames(client, shared, job, strikes, folder, size)
    else:
        done = _run_parquet(client, shared, job, Path(strikes), folder, size)
    return RunStats.total(sorted(done, key=lambda p: p.number))


def _run_frames(
    client: object,
    shared: object,
    job: PartitionJob,
    strikes: gpd.GeoDataFrame,
    folder: Path,
    size: int,
) -> list[PartStats]:
    """Send spatial partitions of an in-memory frame, a few per worker at a time."""
    from distributed import as_completed

    require_unique_ids(strikes["id"])
    parts = enumerate(strike_partitions(job.shown_strikes(strikes), size=size))
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
    """Read a GeoParquet strikes dataset on the workers, shuffle it spatially, link each part."""
    import dask
    import dask_geopandas

    frame = dask_geopandas.read_parquet(str(path))
    total, unique = dask.compute(frame["id"].size, frame["id"].nunique())
    if total != unique:
        msg = f"{path}: {total - unique} strike ids occur more than once; strike ids must be unique"
        raise ImpactInputError(msg)
    npartitions = max(1, math.ceil(total / size))  # run_partition applies the view's filters
    ordered = frame.spatial_shuffle(by="hilbert", npartitions=npartitions)
    tasks = [
        dask.delayed(run_partition)(shared, part, str(folder), number)
        for number, part in enumerate(ordered.to_delayed())
    ]
    return list(client.compute(tasks, sync=True))


def dashboard_link(client: object) -> str:
    """Return the cluster's dashboard address (empty when it has none)."""
    return str(getattr(client, "dashboard_link", "") or "")
