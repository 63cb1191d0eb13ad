"""The frame every check works on, and small vectorised helpers shared by the checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from strikemap.layers.catalog import LayerSpec
from strikemap.layers.limits import date_in_range
from strikemap.layers.report import Problem, Severity
from strikemap.layers.schema import RAW_IP_URL_PATTERN

COUNTRY_CODE_FIELDS = ("owner_country", "reported_countries", "iso3")
"""Properties that hold ISO3 codes."""
ISO_DATE = r"\d{4}-\d{2}-\d{2}"
MAX_LISTED = 5
"""Feature ids listed in a file-level message before it says 'and N more'."""


@dataclass
class Table:
    """A layer as the checks see it: raw properties, shapely geometries, positions in the file."""

    file: str
    spec: LayerSpec
    props: pd.DataFrame
    geometry: np.ndarray
    rows: np.ndarray
    degrees: bool = True
    broken: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> pd.Series:
        """Return property ``name`` as objects (all ``None`` when no feature has it)."""
        if name in self.props.columns:
            return self.props[name].astype(object)
        return pd.Series([None] * len(self), index=self.props.index, dtype=object)

    def labels(self) -> list[str | None]:
        """Return each feature's id when it is a non-empty string, else ``None``."""
        return [v if isinstance(v, str) and v.strip() else None for v in self.column("id")]

    def problem(
        self,
        i: int,
        *,
        field: str | None,
        code: str,
        message: str,
        severity: Severity = "error",
    ) -> Problem:
        """Return a problem about the feature at position ``i``."""
        fid = self.props["id"].iloc[i] if "id" in self.props.columns else None
        label = fid if isinstance(fid, str) and fid.strip() else None
        row = int(self.rows[i])
        return Problem(severity, self.file, message, feature=label, row=row, field=field, code=code)

    def flag(
        self,
        mask: np.ndarray | pd.Series,
        *,
        field: str | None,
        code: str,
        message: str | Callable[[int], str],
        severity: Severity = "error",
    ) -> list[Problem]:
        """Return one problem per feature where ``mask`` is true; ``message(i)`` may vary."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):
            return []
        labels = self.labels()
        return [
            Problem(
                severity,
                self.file,
                message(i) if callable(message) else message,
                feature=labels[i],
                row=int(self.rows[i]),
                field=field,
                code=code,
            )
            for i in positions.tolist()
        ]


def is_missing(values: pd.Series) -> pd.Series:
    """``None``, NaN, blank text and empty lists are missing."""
    missing = values.isna()
    present = values[~missing]
    if len(present):
        missing[~missing] = present.map(_is_blank).astype(bool)
    return missing


def _is_blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | np.ndarray) and len(value) == 0


def explode_items(values: pd.Series) -> pd.Series:
    """One row per list item (scalars count as one item), indexed by feature position."""
    return values.explode().dropna()


def bad_items(elements: pd.Series, ok: pd.Series, size: int) -> pd.Series:
    """Per feature position, the offending items in words (``NaN`` where none)."""
    bad = elements[~ok.astype(bool)]
    words = bad.map(repr).groupby(level=0).agg(", ".join)
    return words.reindex(range(size))


def flag_raw_ip_sources(table: Table, items: pd.Series, size: int, *, field: str) -> list[Problem]:
    """Return an error per feature or row citing a URL on a bare IP address.

    Such a URL hides its publisher (usually it is a copy on an unknown server), and sources are
    shown to readers in the app and every export, so it is refused rather than warned about.

    Parameters
    ----------
    table
        The checked table.
    items
        The source items, one per row, indexed by feature or row position.
    size
        Number of features or rows.
    field
        The property or column holding the sources.
    """
    text = items.map(lambda v: v.strip() if isinstance(v, str) else "").astype(object)
    raw = bad_items(items, ~text.str.match(RAW_IP_URL_PATTERN).astype(bool), size)
    return table.flag(
        raw.notna(),
        field=field,
        code="raw-ip-source",
        message=lambda i: (
            f"{field} holds {raw.iloc[i]}, a URL on a bare IP address that hides its publisher "
            "(usually a copy); cite the original publisher's URL instead, or drop it when "
            "another source carries the same facts"
        ),
    )


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse ``YYYY-MM-DD`` text (or date objects) to timestamps; anything else gives NaT.

    Dates outside ``limits.DATE_MIN..DATE_MAX`` give NaT too (``date_shaped`` tells them apart).
    """
    text = values.map(date_text)
    usable = date_in_range(text)
    return pd.to_datetime(text.where(usable), format="%Y-%m-%d", errors="coerce")


def date_shaped(values: pd.Series) -> pd.Series:
    """Whether each value is ``YYYY-MM-DD`` text or a date object (whatever the year)."""
    text = values.map(date_text)
    return text.astype("string").str.fullmatch(ISO_DATE).fillna(False).astype(bool)


def date_text(value: object) -> str | None:
    """Return a date as ``YYYY-MM-DD`` text (text stripped), ``None`` for anything else."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, date):
        return value.isoformat()[:10]
    return None


def listed(table: Table, mask: np.ndarray) -> str:
    """Name the features where ``mask`` is true, at most ``MAX_LISTED`` of them."""
    labels = table.labels()
    names = [labels[i] or f"#{table.rows[i]}" for i in np.flatnonzero(mask)]
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(repr(n) for n in names[:MAX_LISTED]) + more


def is_number(value: object) -> bool:
    """Whether ``value`` is a JSON number (not a bool)."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
