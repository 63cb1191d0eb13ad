"""Validate a GeoParquet layer chunk by chunk, with the checks every GeoJSON layer gets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from strikemap.layers.catalog import LayerSpec
from strikemap.layers.errors import LayerReadError
from strikemap.layers.parquet import CHUNK_ROWS, parquet_chunks
from strikemap.layers.report import Problem
from strikemap.layers.validate.geometry import check_geometry
from strikemap.layers.validate.properties import (
    check_extra_properties,
    check_ids,
    check_properties,
)
from strikemap.layers.validate.references import ASSET_REFERENCE_FIELDS
from strikemap.layers.validate.table import COUNTRY_CODE_FIELDS, Table

KEPT_FIELDS = ("id", *ASSET_REFERENCE_FIELDS, *COUNTRY_CODE_FIELDS)
"""The properties kept for the whole layer after its chunks are checked: the ids (unique in the
layer and across layers) and the references (to assets and countries, checked by the caller)."""


def check_parquet_layer(
    path: Path, spec: LayerSpec, *, today: date, rows: int = CHUNK_ROWS
) -> tuple[list[Problem], Table | None]:
    """Check a GeoParquet layer (file or partitioned folder) ``rows`` rows at a time.

    Geometry, properties (with ``layers.limits``: dates, text length, vertices) and extra
    properties are checked per chunk, vectorised; ids over the whole layer.

    Returns
    -------
    problems, table
        Every problem found (feature rows count from 1 over the whole layer), and a table of the
        ids and references of every row (``None`` when the file cannot be read), with no
        geometry, for the checks across layers.
    """
    file = str(path)
    problems: list[Problem] = []
    kept: list[pd.DataFrame] = []
    try:
        for chunk in parquet_chunks(path, rows=rows):
            positions = np.arange(chunk.start + 1, chunk.start + len(chunk.props) + 1)
            table = Table(file, spec, chunk.props, chunk.geometry, positions, True, chunk.broken)
            problems += table.flag(
                chunk.broken,
                field=None,
                code="bad-geometry",
                message="geometry is not readable WKB; write the layer again with to_parquet",
            )
            problems += check_geometry(table)
            problems += check_properties(table, today=today)
            if chunk.start == 0:  # every chunk has the same columns
                problems += check_extra_properties(table)
            kept.append(
                chunk.props.reindex(columns=[f for f in KEPT_FIELDS if f in spec.field_names])
            )
    except LayerReadError as exc:
        return [*problems, Problem("error", file, exc.reason, code=exc.code)], None
    props = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=["id"])
    rows_all = np.arange(1, len(props) + 1)
    whole = Table(file, spec, props, np.full(len(props), None, dtype=object), rows_all)
    return [*problems, *check_ids(whole)], whole
