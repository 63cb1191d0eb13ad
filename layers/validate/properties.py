"""Frame checks of ids and properties: slugs, required values, kinds, vocabularies, dates."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from strikemap.layers.limits import DATE_RANGE_TEXT, MAX_TEXT_CHARS, date_in_range
from strikemap.layers.report import Problem
from strikemap.layers.schema import (
    DATASET_SOURCE_PREFIX,
    ID_PATTERN,
    ISO3_PATTERN,
    URL_PATTERN,
    FieldSpec,
    slugify,
)
from strikemap.layers.validate.table import (
    COUNTRY_CODE_FIELDS,
    Table,
    bad_items,
    date_shaped,
    date_text,
    explode_items,
    flag_raw_ip_sources,
    is_missing,
    is_number,
    parse_dates,
)


def check_ids(table: Table) -> list[Problem]:
    """Check ids: present, lowercase slugs, unique within the file."""
    ids = table.column("id")
    present = ~is_missing(ids)
    slug = ids.map(lambda v: isinstance(v, str) and ID_PATTERN.fullmatch(v) is not None)
    duplicate = present & ids.astype(str).duplicated(keep="first")
    first_row = dict(zip(ids.astype(str)[::-1], table.rows[::-1], strict=True))
    return [
        *table.flag(
            ~present,
            field="id",
            code="missing-id",
            message=(
                "feature has no id; give it a unique lowercase slug such as "
                "'strike-2025-08-06-orlivka'"
            ),
        ),
        *table.flag(
            present & ~slug,
            field="id",
            code="bad-id",
            message=lambda i: (
                f"id {ids.iloc[i]!r} is not a lowercase slug (a-z, 0-9 and single hyphens); "
                f"write e.g. {slugify(str(ids.iloc[i])) or 'feature-1'!r}"
            ),
        ),
        *table.flag(
            duplicate,
            field="id",
            code="duplicate-id",
            message=lambda i: (
                f"id {ids.iloc[i]!r} is used twice in this file (first at feature "
                f"#{first_row[str(ids.iloc[i])]}); ids must be unique across all layers"
            ),
        ),
    ]


def check_properties(table: Table, *, today: date) -> list[Problem]:
    """Check every schema property: required values, kinds, vocabularies, dates, sources."""
    problems = []
    for spec in table.spec.fields:
        if spec.name == "id":
            continue
        values = table.column(spec.name)
        missing = is_missing(values)
        if spec.required:
            problems += table.flag(
                missing, field=spec.name, code="missing-property", message=_missing_message(spec)
            )
        problems += _CHECKS_BY_KIND[spec.kind](table, spec, values, ~missing, today)
        if spec.name in COUNTRY_CODE_FIELDS:
            problems += _check_iso3_form(table, spec, values, ~missing)
    if "sources" in table.spec.field_names:
        problems += _check_sources(table)
    return problems


def _missing_message(spec: FieldSpec) -> str:
    if spec.vocabulary:
        hint = f" (one of: {', '.join(map(str, spec.vocabulary))})"
    elif spec.description:
        hint = f" ({spec.description})"
    else:
        hint = ""
    return f"required property {spec.name!r} is missing or empty; add it{hint}"


def _check_text(
    table: Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    is_text = values.map(lambda v: isinstance(v, str))
    long = is_text & (values.where(is_text, "").str.len() > MAX_TEXT_CHARS)
    return [
        *table.flag(
            present & ~is_text,
            field=spec.name,
            code="bad-type",
            message=lambda i: (
                f"{spec.name} must be text, found {values.iloc[i]!r}; write it in quotes"
            ),
        ),
        *table.flag(
            long,
            field=spec.name,
            code="too-long",
            message=lambda i: (
                f"{spec.name} has {len(values.iloc[i]):,} characters, more than the "
                f"{MAX_TEXT_CHARS:,} strikemap reads; shorten it"
            ),
        ),
    ]


def _check_int(
    table: Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    number = values.map(is_number)
    numeric = pd.to_numeric(values.where(number), errors="coerce")
    whole = number & (numeric % 1 == 0)
    allowed = whole & numeric.isin(spec.vocabulary) if spec.vocabulary else whole
    choices = ", ".join(map(str, spec.vocabulary))
    expected = f"one of the whole numbers {choices}" if spec.vocabulary else "a whole number"
    return table.flag(
        present & ~allowed,
        field=spec.name,
        code="bad-value",
        message=lambda i: (
            f"{spec.name} {values.iloc[i]!r} is not allowed; use {expected} (no quotes)"
        ),
    )


def _check_enum(
    table: Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    vocabulary = set(spec.vocabulary)
    allowed = values.map(lambda v: isinstance(v, str) and v in vocabulary)
    return table.flag(
        present & ~allowed,
        field=spec.name,
        code="bad-value",
        message=lambda i: (
            f"{spec.name} {values.iloc[i]!r} is not in the vocabulary; use one of "
            f"{', '.join(map(str, spec.vocabulary))}"
        ),
    )


def _check_bool(
    table: Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    wrong = present & ~values.map(lambda v: isinstance(v, bool | np.bool_))
    return table.flag(
        wrong,
        field=spec.name,
        code="bad-type",
        message=lambda i: f"{spec.name} must be true or false, found {values.iloc[i]!r}",
    )


def _check_date(
    table: Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    parsed = parse_dates(values)
    outside = present & date_shaped(values) & ~date_in_range(values.map(date_text))
    bad = present & parsed.isna() & ~outside
    future = present & (parsed > pd.Timestamp(today))
    return [
        *table.flag(
            bad,
            field=spec.name,
            code="bad-date",
            message=lambda i: (
                f"{spec.name} {values.iloc[i]!r} is not a date in the form YYYY-MM-DD; "
                "write e.g. 2025-08-06"
            ),
        ),
        *table.flag(
            outside,
            field=spec.name,
            code="date-out-of-range",
            message=lambda i: (
                f"{spec.name} {values.iloc[i]} lies outside {DATE_RANGE_TEXT}, the dates "
                "strikemap reads; check the year"
            ),
        ),
        *table.flag(
            future,
            field=spec.name,
            code="future-date",
            message=lambda i: (
                f"{spec.name} {values.iloc[i]} lies in the future (today is {today}); "
                "check the year and the month"
            ),
        ),
    ]


def _check_list(
    table: Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    is_list = values.map(lambda v: isinstance(v, list | tuple | np.ndarray))
    problems = table.flag(
        present & ~is_list,
        field=spec.name,
        code="bad-type",
        message=lambda i: f'{spec.name} must be a list, found {values.iloc[i]!r}; write ["..."]',
    )
    elements = explode_items(values.where(present & is_list))
    if spec.kind == "list_enum":
        vocabulary = set(spec.vocabulary)
        ok = elements.map(lambda v: isinstance(v, str) and v in vocabulary)
        hint = f"use {', '.join(map(str, spec.vocabulary))}"
    else:
        ok = elements.map(
            lambda v: isinstance(v, str) and bool(v.strip()) and len(v) <= MAX_TEXT_CHARS
        )
        hint = f"each item must be non-empty text of at most {MAX_TEXT_CHARS:,} characters"
    bad = bad_items(elements, ok, len(table))
    problems += table.flag(
        bad.notna(),
        field=spec.name,
        code="bad-value",
        message=lambda i: f"{spec.name} holds {bad.iloc[i]}; {hint}",
    )
    return problems


_CHECKS_BY_KIND: dict[str, Callable[..., list[Problem]]] = {
    "str": _check_text,
    "int": _check_int,
    "enum": _check_enum,
    "bool": _check_bool,
    "date": _check_date,
    "list": _check_list,
    "list_enum": _check_list,
}


def _check_iso3_form(
    table: Table, spec: FieldSpec, values: pd.Series, present: pd.Series
) -> list[Problem]:
    elements = explode_items(values.where(present))
    ok = elements.map(lambda v: not isinstance(v, str) or ISO3_PATTERN.fullmatch(v) is not None)
    bad = bad_items(elements, ok, len(table))
    return table.flag(
        bad.notna(),
        field=spec.name,
        code="bad-country",
        message=lambda i: (
            f"{spec.name} holds {bad.iloc[i]}, not an ISO 3166 alpha-3 code; write three capital "
            "letters such as 'UKR', 'ROU', 'AZE'"
        ),
    )


def _check_sources(table: Table) -> list[Problem]:
    values = table.column("sources")
    elements = explode_items(
        values.where(values.map(lambda v: isinstance(v, list | tuple | np.ndarray)))
    )
    text = elements.map(lambda v: v.strip() if isinstance(v, str) else "").astype(object)
    ok = text.str.match(URL_PATTERN) | text.str.startswith(DATASET_SOURCE_PREFIX)
    ok |= text == ""  # blank items are reported by the list check
    bad = bad_items(elements, ok, len(table))
    problems = table.flag(
        bad.notna(),
        field="sources",
        code="bad-source",
        message=lambda i: (
            f"sources holds {bad.iloc[i]}, not a URL; give http(s) links to the source, or "
            f"'{DATASET_SOURCE_PREFIX}NAME' for rows imported from a dataset"
        ),
    )
    return problems + flag_raw_ip_sources(table, elements, len(table), field="sources")


def check_extra_properties(table: Table) -> list[Problem]:
    """Warn about properties not in the schema, suggesting a close known name."""
    known = table.spec.field_names
    problems = []
    for name in (c for c in table.props.columns if c not in known):
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"property {name!r} is not in the {table.spec.name} schema; it is kept as is{hint}"
        problems.append(Problem("warning", table.file, msg, field=str(name), code="extra-property"))
    return problems
