"""Checks of ``relations.csv``: columns, relation kinds, asset ids, ISO3 codes, dates, sources."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial

import numpy as np
import pandas as pd

from strikemap.layers.catalog import LayerSpec
from strikemap.layers.io import COUNTRY_CODES_FILE, missing_column_message, missing_columns
from strikemap.layers.limits import DATE_RANGE_TEXT, date_in_range
from strikemap.layers.report import Problem, Severity
from strikemap.layers.schema import (
    DATASET_SOURCE_PREFIX,
    ISO3_PATTERN,
    RELATIONS_CSV_KINDS,
    RELATIONS_TABLE,
    URL_PATTERN,
)
from strikemap.layers.validate.table import (
    Table,
    bad_items,
    date_shaped,
    flag_raw_ip_sources,
    parse_dates,
)


def check_relations(
    file: str,
    table: pd.DataFrame,
    *,
    asset_ids: Collection[str] | None,
    country_codes: Collection[str] | None,
) -> list[Problem]:
    """Check the rows of ``relations.csv`` (already parsed as text)."""
    problems = _check_relation_columns(file, table)
    given = set(table.columns)
    table = table.reindex(columns=list(RELATIONS_TABLE.columns), fill_value="")
    table = table.apply(lambda column: column.str.strip())
    rows = np.arange(len(table)) + 2
    rel = Table(file, _RELATIONS_SPEC, table, np.full(len(table), None), rows)

    def flag(mask: pd.Series, column: str, code: str, message: str | Callable[[int], str]) -> None:
        problems.extend(rel.flag(mask, field=column, code=code, message=message))

    for column in (c for c in RELATIONS_TABLE.required if c in given):
        flag(
            table[column] == "",
            column,
            "missing-value",
            f"{column} is empty; every link needs a value in column {column!r}",
        )
    kinds = table["relation"]
    flag(
        (kinds != "") & ~kinds.isin(RELATIONS_CSV_KINDS),
        "relation",
        "bad-value",
        lambda i: (
            f"relation {kinds.iloc[i]!r} is not a known kind; use one of "
            f"{', '.join(RELATIONS_CSV_KINDS)}"
        ),
    )
    if asset_ids is not None:
        assets = table["asset_id"]
        flag(
            (assets != "") & ~assets.isin(set(asset_ids)),
            "asset_id",
            "unknown-asset",
            lambda i: (
                f"asset_id {assets.iloc[i]!r} is no asset in pipelines, power_lines, facilities or "
                "fuel_stations; fix the id or add the asset first"
            ),
        )
    problems += _check_relation_countries(rel, table["country"], country_codes)
    problems += _check_relation_dates(rel, table)
    problems += _check_relation_sources(rel, table["source"])
    return problems


def _check_relation_columns(file: str, table: pd.DataFrame) -> list[Problem]:
    """One problem per missing column: an error when the loader needs it, else a warning."""
    required, optional = missing_columns(table, RELATIONS_TABLE)
    by_severity: tuple[tuple[Severity, list[str]], ...] = (
        ("error", required),
        ("warning", optional),
    )
    return [
        Problem(
            severity,
            file,
            missing_column_message(column, RELATIONS_TABLE),
            field=column,
            code="missing-column",
        )
        for severity, columns in by_severity
        for column in columns
    ]


def _check_relation_countries(
    rel: Table, countries: pd.Series, country_codes: Collection[str] | None
) -> list[Problem]:
    given = countries != ""
    form = countries.str.fullmatch(ISO3_PATTERN)
    problems = rel.flag(
        given & ~form,
        field="country",
        code="bad-country",
        message=lambda i: (
            f"country {countries.iloc[i]!r} is not an ISO 3166 alpha-3 code; write e.g. 'AZE'"
        ),
    )
    if country_codes is not None:
        unknown = given & form & ~countries.isin(set(country_codes))
        problems += rel.flag(
            unknown,
            field="country",
            code="unknown-country",
            message=lambda i: (
                f"country {countries.iloc[i]!r} is neither in the countries layer nor in "
                f"{COUNTRY_CODES_FILE}; use a known ISO3 code or add the country"
            ),
        )
    return problems


def _check_relation_dates(rel: Table, table: pd.DataFrame) -> list[Problem]:
    problems = []
    parsed = {}
    for column in ("valid_from", "valid_to"):
        values = table[column]
        parsed[column] = parse_dates(values)
        outside = (values != "") & date_shaped(values) & ~date_in_range(values)
        bad = (values != "") & parsed[column].isna() & ~outside
        problems += rel.flag(
            bad,
            field=column,
            code="bad-date",
            message=partial(_bad_date_message, values, column),
        )
        problems += rel.flag(
            outside,
            field=column,
            code="date-out-of-range",
            message=partial(_date_range_message, values, column),
        )
    reversed_ = parsed["valid_from"] > parsed["valid_to"]
    problems += rel.flag(
        reversed_,
        field="valid_from",
        code="bad-period",
        message=lambda i: (
            f"valid_from {table['valid_from'].iloc[i]} is after valid_to "
            f"{table['valid_to'].iloc[i]}; swap them or fix the dates"
        ),
    )
    return problems


def _check_relation_sources(rel: Table, sources: pd.Series) -> list[Problem]:
    items = sources.str.split(";").explode().str.strip()
    ok = (items == "") | items.str.match(URL_PATTERN) | items.str.startswith(DATASET_SOURCE_PREFIX)
    bad = bad_items(items, ok, len(sources))
    problems = rel.flag(
        bad.notna(),
        field="source",
        code="bad-source",
        message=lambda i: (
            f"source holds {bad.iloc[i]}, not a URL; give http(s) links separated by ';', or "
            f"'{DATASET_SOURCE_PREFIX}NAME'"
        ),
    )
    return problems + flag_raw_ip_sources(rel, items, len(sources), field="source")


_RELATIONS_SPEC = LayerSpec(
    name="relations",
    file=RELATIONS_TABLE.file,
    title="Relations",
    geometry_types=(),
    fields=(),
    tooltip_fields=(),
)
"""Lets relation rows reuse the table helpers; it holds no ``id`` so rows are named by line."""


def _bad_date_message(values: pd.Series, column: str, i: int) -> str:
    return (
        f"{column} {values.iloc[i]!r} is not a date in the form YYYY-MM-DD; write e.g. "
        "2025-07-28, or leave it empty for an open end"
    )


def _date_range_message(values: pd.Series, column: str, i: int) -> str:
    return (
        f"{column} {values.iloc[i]} lies outside {DATE_RANGE_TEXT}, the dates strikemap reads; "
        "check the year, or leave it empty for an open end"
    )
