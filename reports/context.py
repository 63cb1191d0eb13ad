"""What every section of a report reads: the analysis, the country, its chains and tiers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from strikemap.analysis import Analysis
from strikemap.geo.rules import ASSET_RELATIONS
from strikemap.layers.schema import URL_PATTERN
from strikemap.reports.document import Link, Text, text
from strikemap.reports.tiers import strike_tiers


class ReportError(ValueError):
    """A report cannot be made from the analysis as given (e.g. no single country chosen)."""


@dataclass(frozen=True)
class ReportContext:
    """The analysis a report is made from, and what its sections share.

    Parameters
    ----------
    analysis
        An analysis whose view names exactly one country (``View.countries``).
    """

    analysis: Analysis

    def __post_init__(self) -> None:
        countries = self.analysis.view.countries
        if len(countries) != 1:
            named = ", ".join(countries) or "none"
            msg = (
                f"a country report is about one country; the view names {named}: "
                "analyse a view with countries=(ISO3,)"
            )
            raise ReportError(msg)

    @property
    def country(self) -> str:
        """ISO3 code of the report's country."""
        return self.analysis.view.countries[0]

    @property
    def name(self) -> str:
        """The country's name."""
        return self.analysis.country_names.get(self.country, self.country)

    @cached_property
    def tiers(self) -> pd.DataFrame:
        """``strike_id, confidence, tier`` of every shown strike linked to the country."""
        return strike_tiers(self.analysis.links, self.country)

    @cached_property
    def chain(self) -> pd.DataFrame:
        """The shown links of the country's chains, without ``detail``.

        The links to the country, and the target/nearby links of the assets they come
        through (the first step of each chain).
        """
        links = self.analysis.links
        to_country = (links["country"].astype(str) == self.country).to_numpy()
        via = links[to_country]
        pairs = pd.MultiIndex.from_arrays(
            [via["strike_id"].astype(str), via["asset_id"].astype(str)]
        )
        keys = pd.MultiIndex.from_arrays(
            [links["strike_id"].astype(str), links["asset_id"].astype(str)]
        )
        first_step = links["relation"].astype(str).isin(ASSET_RELATIONS).to_numpy()
        return links[to_country | (first_step & keys.isin(pairs))]

    @cached_property
    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """First and last day of the time window: the view's, else the shown strikes' dates."""
        view = self.analysis.view
        dates = pd.to_datetime(self.analysis.strikes["date"], errors="coerce").dropna()
        start = view.date_from or (dates.min().date() if len(dates) else None)
        cutoff = self.analysis.dataset.cutoff
        end = view.date_to or (dt.date.fromisoformat(cutoff) if cutoff else None)
        return start, end

    def asset_names(self) -> dict[str, str]:
        """``{asset id: name}`` of every asset of the dataset."""
        assets = self.analysis.dataset.assets
        return dict(zip(assets["id"].astype(str), assets["name"].astype(str), strict=True))


def source_text(source: str) -> Text:
    """Return a source as a link to itself when it is a URL, else as plain text."""
    source = str(source).strip()
    if URL_PATTERN.match(source):
        return text(Link(source, source))
    return text(source)


def as_list(value: object) -> list[str]:
    """Return a list property (sources, target ids) as a list of non-empty strings."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if str(v).strip()]


def words(value: object) -> str:
    """Return a vocabulary value in words (``supply_origin`` -> ``supply origin``)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).replace("_", " ")
