"""Which data files hold a layer, and in which format an import writes it."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from strikemap.layers.catalog import BY_NAME
from strikemap.layers.errors import LayerWriteError
from strikemap.layers.io import layer_bytes, layer_path

LAYER_FORMATS = ("auto", "geojson", "parquet")
"""How ``apply_plan`` writes a layer: as it is stored now (``auto``), GeoJSON, or GeoParquet
(layers with ``LayerSpec.large_file`` only)."""


def layer_contents(
    frame: gpd.GeoDataFrame, name: str, folder: Path, layer_format: str = "auto"
) -> dict[str, bytes | None]:
    """Return the data files that hold layer ``name`` as ``frame`` (None: remove the file).

    Raises
    ------
    LayerWriteError
        As ``apply_plan``.
    LayerReadError
        When the layer is stored both as GeoJSON and as GeoParquet.
    """
    spec = BY_NAME[name]
    current = layer_path(spec, folder)
    parquet = layer_format == "parquet" or (
        layer_format == "auto" and current != folder / spec.file
    )
    if parquet and not spec.large_file:
        msg = f"the {name} layer is kept as GeoJSON ({spec.file}); only strikes may be GeoParquet"
        raise LayerWriteError(msg)
    if current.is_dir():
        msg = (
            f"{current}: is a partitioned GeoParquet folder, which strikemap reads but does not "
            f"rewrite; move it out, import into one {spec.large_file} file, then add the parts"
        )
        raise LayerWriteError(msg)
    if parquet:
        return {spec.large_file: layer_bytes(frame, spec, parquet=True), spec.file: None}
    contents: dict[str, bytes | None] = {spec.file: layer_bytes(frame, spec)}
    if spec.large_file:
        contents[spec.large_file] = None
    return contents
