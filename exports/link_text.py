"""Text link exports (CSV, JSON, GeoJSON) written in pieces and joined into one file.

Notes
-----
A partitioned join over strikes cut in the join's order (``geo.partition.join_order_partitions``)
gives each partition's rows as a contiguous piece of the whole table. Each partition writes its
piece as a *fragment* (``write_fragment``): the text ``exports.links`` writes for those rows
without what opens and closes the file (the CSV header; the JSON array's brackets; the
FeatureCollection's head and tail). ``join_fragments`` then copies the fragments in partition
order between one opening and one closing, with the separators, a block at a time: the bytes of
the whole table written at once, and no process ever holds more than one partition's text.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import pandas as pd

from strikemap.exports.links import (
    TEXT_CLOSING,
    TEXT_EMPTY,
    TEXT_OPENING,
    TEXT_SEPARATORS,
    geojson_features,
    links_json_records,
    links_to_csv_blocks,
    links_to_frame,
)
from strikemap.geo.impact import LINK_COLUMNS

FRAGMENT_PATTERN = "part-{:06d}.{}"
COPY_BYTES = 1 << 20
"""Bytes copied at a time when fragments are joined."""


def fragment_path(folder: Path, number: int, fmt: str) -> Path:
    """Return the path of partition ``number``'s ``fmt`` fragment in ``folder``."""
    return Path(folder) / FRAGMENT_PATTERN.format(number, fmt)


def fragment_blocks(
    fmt: str,
    links: pd.DataFrame,
    strikes: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
) -> Iterator[bytes]:
    """Yield the ``fmt`` text of some explained links without the file's opening and closing.

    Parameters
    ----------
    fmt
        ``csv`` (rows without the header), ``json`` (the objects, comma-separated) or
        ``geojson`` (the features, comma-separated).
    links
        Explained link rows (with ``detail``) in the join's order.
    strikes, assets
        The strikes the rows come from and the combined assets (GeoJSON's geometry).
    """
    if fmt == "csv":
        return links_to_csv_blocks(links, header=False)
    if fmt == "json":
        return links_json_records(links)
    return geojson_features(links_to_frame(links, strikes, assets))


def write_fragment(
    fmt: str,
    links: pd.DataFrame,
    strikes: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    folder: Path,
    number: int,
) -> Path:
    """Write partition ``number``'s fragment (``fragment_blocks``) into ``folder``; return it."""
    path = fragment_path(folder, number, fmt)
    with path.open("wb") as out:
        for block in fragment_blocks(fmt, links, strikes, assets):
            out.write(block)
    return path


def join_fragments(fmt: str, folder: Path, partitions: int, out: BinaryIO) -> None:
    """Write fragments ``0 .. partitions - 1`` of ``folder`` as one ``fmt`` file to ``out``.

    The bytes are those of ``exports.links`` writing every partition's rows at once.
    """
    if fmt == "csv":
        out.write(b"".join(links_to_csv_blocks(pd.DataFrame(columns=list(LINK_COLUMNS)))))
    written = False
    for number in range(partitions):
        path = fragment_path(folder, number, fmt)
        if path.stat().st_size == 0:
            continue
        out.write(TEXT_SEPARATORS[fmt] if written else TEXT_OPENING.get(fmt, b""))
        with path.open("rb") as fragment:
            shutil.copyfileobj(fragment, out, COPY_BYTES)
        written = True
    if fmt != "csv":
        out.write(TEXT_CLOSING[fmt] if written else TEXT_EMPTY[fmt])
