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
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import pandas as pd

from strikemap.exports.links import links_to_csv_blocks, links_to_geojson, links_to_json
from strikemap.geo.impact import LINK_COLUMNS

TEXT_FORMATS = ("csv", "json", "geojson")
FRAGMENT_PATTERN = "part-{:06d}.{}"
_JSON_HEAD, _JSON_TAIL = "[\n", "\n]\n"
_GEOJSON_HEAD, _GEOJSON_TAIL = '{"type":"FeatureCollection","features":[', "]}\n"
_SEPARATORS = {"csv": b"", "json": b",\n", "geojson": b","}
COPY_BYTES = 1 << 20
"""Bytes copied at a time when fragments are joined."""


def fragment_path(folder: Path, number: int, fmt: str) -> Path:
    """Return the path of partition ``number``'s ``fmt`` fragment in ``folder``."""
    return Path(folder) / FRAGMENT_PATTERN.format(number, fmt)


def fragment_text(
    fmt: str,
    links: pd.DataFrame,
    strikes: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
) -> bytes:
    """Return the ``fmt`` text of some explained links, without the file's opening and closing.

    Parameters
    ----------
    fmt
        ``csv``, ``json`` or ``geojson``.
    links
        Explained link rows (with ``detail``) in the join's order.
    strikes, assets
        The strikes the rows come from and the combined assets (GeoJSON's geometry).
    """
    if fmt == "csv":
        return b"".join(links_to_csv_blocks(links, header=False))
    if links.empty:
        return b""
    if fmt == "json":
        text = links_to_json(links)
        return text[len(_JSON_HEAD) : -len(_JSON_TAIL)].encode("utf-8")
    text = links_to_geojson(links, strikes, assets)
    return text[len(_GEOJSON_HEAD) : -len(_GEOJSON_TAIL)].encode("utf-8")


def write_fragment(
    fmt: str,
    links: pd.DataFrame,
    strikes: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    folder: Path,
    number: int,
) -> Path:
    """Write partition ``number``'s fragment (``fragment_text``) into ``folder``; return it."""
    path = fragment_path(folder, number, fmt)
    path.write_bytes(fragment_text(fmt, links, strikes, assets))
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
        if fmt == "json" and not written:
            out.write(_JSON_HEAD.encode())
        elif fmt == "geojson" and not written:
            out.write(_GEOJSON_HEAD.encode())
        elif written:
            out.write(_SEPARATORS[fmt])
        with path.open("rb") as fragment:
            shutil.copyfileobj(fragment, out, COPY_BYTES)
        written = True
    if fmt == "json":
        out.write((_JSON_TAIL if written else "[]\n").encode())
    elif fmt == "geojson":
        out.write((_GEOJSON_TAIL if written else _GEOJSON_HEAD + _GEOJSON_TAIL).encode())
