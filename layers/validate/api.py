"""The validator's public functions: a data folder, one layer file, a frame, ``relations.csv``."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from strikemap.layers.catalog import CATALOG, LayerSpec
from strikemap.layers.errors import LayerReadError
from strikemap.layers.io import layer_path, read_layer_frame
from strikemap.layers.parquet import is_parquet
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.report import Problem, ValidationReport
from strikemap.layers.schema import RELATIONS_TABLE
from strikemap.layers.validate.geometry import check_geometry
from strikemap.layers.validate.parquet import check_parquet_layer
from strikemap.layers.validate.preflight import (
    check_crs_member,
    check_frame_crs,
    feature_list,
    parse_csv,
    parse_json,
    read_text,
    table_from_features,
)
from strikemap.layers.validate.properties import (
    check_extra_properties,
    check_ids,
    check_properties,
)
from strikemap.layers.validate.references import (
    check_ids_across_layers,
    check_references,
    ids_of,
    known_country_codes,
)
from strikemap.layers.validate.relations import check_relations
from strikemap.layers.validate.table import Table


def validate_data_dir(
    data_dir: str | Path | None = None,
    *,
    today: date | None = None,
    specs: Iterable[LayerSpec] = CATALOG,
) -> ValidationReport:
    """Validate every layer of a data folder, ``relations.csv`` and the links between them.

    Parameters
    ----------
    data_dir
        Data folder; defaults to ``$STRIKEMAP_DATA_DIR`` or the shipped ``data/``.
    today
        Dates after this day are errors; defaults to ``date.today()``.
    specs
        Layers to check; defaults to the whole catalogue.

    Returns
    -------
    ValidationReport
        Every problem found; ``report.ok`` is true when there are no errors.
    """
    folder = resolve_data_dir(data_dir)
    report = ValidationReport()
    if not folder.is_dir():
        msg = "no such data folder; pass --data-dir DIR or set STRIKEMAP_DATA_DIR"
        report.add([Problem("error", str(folder), msg, code="no-data-dir")], file=str(folder))
        return report
    tables: list[Table] = []
    unreadable_assets: list[str] = []
    for spec in specs:
        try:
            path = layer_path(spec, folder)
        except LayerReadError as exc:
            report.add([Problem("error", str(folder), exc.reason, code=exc.code)])
            continue
        problems, table = _check_layer_path(path, spec, today=today, required=True)
        report.add(problems, file=str(path))
        if table is not None:
            tables.append(table)
        elif spec.is_asset and path.exists():
            unreadable_assets.append(spec.file)
    asset_ids: set[str] | None = ids_of(t for t in tables if t.spec.is_asset)
    if unreadable_assets:  # every reference would look broken: say so once instead
        asset_ids = None
        files = ", ".join(unreadable_assets)
        msg = (
            f"references to asset ids (target_ids, relations.csv) were not checked because "
            f"{files} could not be read; fix that file and validate again"
        )
        report.add([Problem("warning", str(folder), msg, code="references-not-checked")])
    country_codes, code_problems = known_country_codes(folder, tables)
    report.add(code_problems)
    for table in tables:
        report.add(check_references(table, asset_ids=asset_ids, country_codes=country_codes))
    report.add(check_ids_across_layers(tables))
    relations_path = folder / RELATIONS_TABLE.file
    relations = validate_relations_file(
        relations_path, asset_ids=asset_ids, country_codes=country_codes, required=True
    )
    report.merge(relations)
    return report


def validate_layer_file(
    path: str | Path,
    spec: LayerSpec,
    *,
    today: date | None = None,
    asset_ids: Collection[str] | None = None,
    country_codes: Collection[str] | None = None,
) -> ValidationReport:
    """Validate one layer file on its own (for importers and the upload page).

    Parameters
    ----------
    path
        The GeoJSON file.
    spec
        The layer it should hold.
    today
        Dates after this day are errors; defaults to ``date.today()``.
    asset_ids
        Known asset ids; when given, ``target_ids`` must name one of them.
    country_codes
        Known ISO3 codes; when given, country properties must use one of them.

    Returns
    -------
    ValidationReport
        Every problem found in the file.
    """
    problems, table = _check_layer_path(Path(path), spec, today=today, required=True)
    report = ValidationReport()
    report.add(problems, file=str(path))
    if table is not None:
        report.add(check_references(table, asset_ids=asset_ids, country_codes=country_codes))
    return report


def validate_frame(
    frame: gpd.GeoDataFrame,
    spec: LayerSpec,
    *,
    file: str | None = None,
    today: date | None = None,
    asset_ids: Collection[str] | None = None,
    country_codes: Collection[str] | None = None,
) -> ValidationReport:
    """Validate an in-memory layer (for importers, before they write it).

    Parameters
    ----------
    frame
        The layer, in the in-memory form of ``layers.io`` (EPSG:4326, lists as lists).
    spec
        The layer it should be.
    file
        Name used in the report; defaults to the layer's file name.
    today, asset_ids, country_codes
        As for ``validate_layer_file``.

    Returns
    -------
    ValidationReport
        Every problem found in the frame.
    """
    label = file or spec.file
    problems, degrees = check_frame_crs(frame, label)
    props = pd.DataFrame(frame.drop(columns=frame.geometry.name)).reset_index(drop=True)
    geometry = np.asarray(frame.geometry.array, dtype=object)
    rows = np.arange(1, len(frame) + 1)
    table = Table(label, spec, props, geometry, rows, degrees=degrees)
    problems += check_table(table, today=today)
    problems += check_references(table, asset_ids=asset_ids, country_codes=country_codes)
    report = ValidationReport()
    report.add(problems, file=label)
    return report


def validate_relations_file(
    path: str | Path,
    *,
    asset_ids: Collection[str] | None = None,
    country_codes: Collection[str] | None = None,
    required: bool = False,
) -> ValidationReport:
    """Validate ``relations.csv``: columns, relation kinds, asset ids, ISO3 codes and dates.

    Parameters
    ----------
    path
        The CSV file.
    asset_ids
        Known asset ids; when given, ``asset_id`` must be one of them.
    country_codes
        Known ISO3 codes; when given, ``country`` must be one of them.
    required
        Report a missing file as a warning (otherwise a missing file is silently fine).

    Returns
    -------
    ValidationReport
        Every problem found in the table.
    """
    path = Path(path)
    file = str(path)
    report = ValidationReport()
    if not path.exists():
        if required:
            msg = "no relations table; no asset is linked to a country (create it with the header)"
            report.add([Problem("warning", file, msg, code="missing-file")], file=file)
        return report
    text, problems = read_text(path)
    table = None
    if text is not None:
        table, more = parse_csv(file, text)
        problems += more
    if table is not None:
        problems += check_relations(file, table, asset_ids=asset_ids, country_codes=country_codes)
    report.add(problems, file=file)
    return report


def _check_layer_path(
    path: Path, spec: LayerSpec, *, today: date | None, required: bool
) -> tuple[list[Problem], Table | None]:
    file = str(path)
    if not path.exists():
        if not required:
            return [], None
        msg = (
            f"no {spec.name} layer file; the layer is empty. Create it, an empty FeatureCollection"
            ' {"type": "FeatureCollection", "features": []} is fine'
        )
        return [Problem("warning", file, msg, code="missing-file")], None
    if is_parquet(path):
        return check_parquet_layer(path, spec, today=today or date.today())
    text, problems = read_text(path)
    if text is None:
        return problems, None
    data, more = parse_json(file, text)
    problems += more
    features, more = feature_list(file, data)
    problems += more
    if features is None:
        return problems, None
    more, degrees = check_crs_member(file, data) if isinstance(data, dict) else ([], True)
    problems += more
    table, more = table_from_features(file, spec, features, degrees=degrees)
    problems += more
    problems += check_table(table, today=today)
    if not any(p.severity == "error" for p in problems):
        problems += _check_loads(path, spec)
    return problems, table


def _check_loads(path: Path, spec: LayerSpec) -> list[Problem]:
    """Read the file with the loader's reader: what the checks above pass must load.

    The in-memory step after reading (``normalise_layer``) is left out here; it works on any
    frame GDAL returns, which ``tests/test_validates_loads.py`` checks.
    """
    try:
        read_layer_frame(path)
    except LayerReadError as exc:
        msg = f"passes every check but strikemap cannot load it: {exc.reason}"
        return [Problem("error", str(path), msg, code="unloadable")]
    return []


def check_table(table: Table, *, today: date | None) -> list[Problem]:
    """Run every frame check of one layer: geometry, ids, properties, extra properties."""
    today = today or date.today()
    return [
        *check_geometry(table),
        *check_ids(table),
        *check_properties(table, today=today),
        *check_extra_properties(table),
    ]
