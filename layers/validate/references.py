"""References between layers: asset ids, ISO3 codes, ids unique across layers."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from strikemap.layers.io import COUNTRY_CODES_FILE, missing_column_message, missing_columns
from strikemap.layers.report import Problem
from strikemap.layers.schema import COUNTRY_CODES_TABLE, ISO3_PATTERN
from strikemap.layers.validate.preflight import parse_csv, read_text
from strikemap.layers.validate.table import (
    COUNTRY_CODE_FIELDS,
    Table,
    bad_items,
    explode_items,
    is_missing,
)

log = logging.getLogger(__name__)

ASSET_REFERENCE_FIELDS = ("target_ids",)
"""Properties that name asset ids."""


def check_references(
    table: Table,
    *,
    asset_ids: Collection[str] | None,
    country_codes: Collection[str] | None,
) -> list[Problem]:
    """Check that asset ids and ISO3 codes named by ``table`` are known (when known are given)."""
    problems = []
    names = table.spec.field_names
    if asset_ids is not None:
        known_assets = set(asset_ids)
        for name in (n for n in ASSET_REFERENCE_FIELDS if n in names):
            problems += _check_known(
                table,
                name,
                known_assets,
                code="unknown-asset",
                hint=(
                    "which is no asset id in pipelines, power_lines, facilities or fuel_stations; "
                    "fix the id or add the asset first"
                ),
            )
    if country_codes is not None:
        known_codes = set(country_codes)
        for name in (n for n in COUNTRY_CODE_FIELDS if n in names and n != "iso3"):
            problems += _check_known(
                table,
                name,
                known_codes,
                code="unknown-country",
                hint=(
                    f"which is neither in the countries layer nor in {COUNTRY_CODES_FILE}; "
                    "use a known ISO3 code or add the country"
                ),
            )
    return problems


def _check_known(
    table: Table, name: str, known: set[str], *, code: str, hint: str
) -> list[Problem]:
    values = table.column(name)
    elements = explode_items(values.where(~is_missing(values)))
    well_formed = elements.map(lambda v: isinstance(v, str) and v.strip() != "")
    if name in COUNTRY_CODE_FIELDS:  # badly formed codes were reported already
        well_formed &= elements.map(lambda v: ISO3_PATTERN.fullmatch(str(v)) is not None)
    ok = ~well_formed | elements.isin(known)
    bad = bad_items(elements, ok, len(table))
    return table.flag(
        bad.notna(), field=name, code=code, message=lambda i: f"{name} names {bad.iloc[i]}, {hint}"
    )


def ids_of(tables: Iterable[Table]) -> set[str]:
    """Return every non-empty id of ``tables``."""
    return {v for t in tables for v in t.column("id") if isinstance(v, str) and v}


def check_ids_across_layers(tables: list[Table]) -> list[Problem]:
    """Report an id used in two layers, on the later file, naming the earlier one."""
    frames = [
        pd.DataFrame(
            {
                "id": t.column("id").map(lambda v: v if isinstance(v, str) else None),
                "table": n,
                "position": np.arange(len(t)),
            }
        )
        for n, t in enumerate(tables)
    ]
    if not frames:
        return []
    ids = pd.concat(frames, ignore_index=True).dropna(subset=["id"])
    ids = ids[ids["id"] != ""].drop_duplicates(["id", "table"])
    first = ids.drop_duplicates("id").set_index("id")
    repeated = ids[ids["id"].duplicated(keep="first")]
    problems = []
    for fid, n, position in repeated.itertuples(index=False):
        table = tables[n]
        other = tables[int(first.loc[fid, "table"])]
        other_row = other.rows[int(first.loc[fid, "position"])]
        msg = (
            f"id {fid!r} is also used in {other.file} (feature #{other_row}); ids must be "
            "unique across all layers, rename one of them"
        )
        problems.append(table.problem(position, field="id", code="duplicate-id", message=msg))
    return problems


def known_country_codes(folder: Path, tables: list[Table]) -> tuple[set[str] | None, list[Problem]]:
    """ISO3 codes of the countries layer plus ``country_codes.csv``; ``None`` when neither."""
    codes: set[str] = set()
    found = False
    for table in (t for t in tables if "iso3" in t.spec.field_names):
        codes |= {v for v in table.column("iso3") if isinstance(v, str) and v}
        found = True
    path = folder / COUNTRY_CODES_FILE
    problems: list[Problem] = []
    if path.exists():
        listed, problems = _read_country_codes(path)
        codes |= listed
        found = True
    if not found:
        log.info(
            "%s: no countries layer nor %s; ISO3 codes checked for form only",
            folder,
            COUNTRY_CODES_FILE,
        )
        return None, problems
    return codes, problems


def _read_country_codes(path: Path) -> tuple[set[str], list[Problem]]:
    """Read ``country_codes.csv`` as the loader does; a table it refuses is an error."""
    text, problems = read_text(path)
    if text is None:
        return set(), problems
    table, more = parse_csv(str(path), text)
    problems += more
    if table is None:
        return set(), problems
    required, _optional = missing_columns(table, COUNTRY_CODES_TABLE)
    problems += [
        Problem(
            "error",
            str(path),
            missing_column_message(column, COUNTRY_CODES_TABLE),
            field=column,
            code="missing-column",
        )
        for column in required
    ]
    if required or table.empty:
        return set(), problems
    values = table["iso3"].str.strip()
    bad = ~values.str.fullmatch(ISO3_PATTERN)
    for line in np.flatnonzero(bad.to_numpy()) + 2:
        msg = f"{values.iloc[line - 2]!r} is not an ISO 3166 alpha-3 code; write three capitals"
        problems.append(
            Problem("warning", str(path), msg, row=int(line), field="iso3", code="bad-country")
        )
    return set(values[~bad]), problems
