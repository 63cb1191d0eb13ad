"""The partitioned join in this process: one partition after another, each written."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from strikemap.geo.partition import (
    DEFAULT_PARTITION_STRIKES,
    join_order_partitions,
    require_unique_ids,
    strike_partitions,
)
from strikemap.scale.job import PartitionJob, PartStats, run_partition

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunStats:
    """What a partitioned run wrote: partitions, strikes shown and link rows."""

    partitions: int
    strikes: int
    links: int

    @classmethod
    def total(cls, parts: list[PartStats]) -> RunStats:
        """Add up the partitions' counts."""
        return cls(len(parts), sum(p.strikes for p in parts), sum(p.links for p in parts))


def run_in_process(
    job: PartitionJob,
    strikes: gpd.GeoDataFrame,
    folder: Path,
    *,
    size: int = DEFAULT_PARTITION_STRIKES,
) -> RunStats:
    """Write the links of ``strikes`` into ``folder``, one part file per partition.

    Partitions are spatial for Parquet parts, in the join's order for text fragments
    (``partitions_of``).

    Raises
    ------
    ImpactInputError
        When strike ids repeat.
    """
    require_unique_ids(strikes["id"])
    shown = job.shown_strikes(strikes)
    done = []
    for number, part in enumerate(partitions_of(job, shown, size=size)):
        done.append(run_partition(job, part, folder, number))
        log.info("partition %d: %d strikes, %d links", number, done[-1].strikes, done[-1].links)
    return RunStats.total(done)


def partitions_of(
    job: PartitionJob, strikes: gpd.GeoDataFrame, *, size: int = DEFAULT_PARTITION_STRIKES
) -> Iterator[gpd.GeoDataFrame]:
    """Yield the partitions ``job`` writes: in the join's order for text, else spatial ones.

    A text output is the fragments one after another, so each must hold a contiguous run of
    the join's order; Parquet parts are read back in any order, and spatially compact
    partitions query less of the asset index.
    """
    if job.text is not None:
        return join_order_partitions(strikes, size=size)
    return strike_partitions(strikes, size=size)
