"""The one analysis path: a dataset, a view and impact rules -> what is shown, and why.

Every front calls :func:`analyse`: the app on each rerun, the command line's ``impact``,
``export-map`` and ``export-table``, the static and HTML maps and the country reports. The join
runs once per dataset and rule set (``Dataset.links_for`` keeps it), the view then picks strikes
and links, and the ``detail`` sentences are written only for the rows a caller shows or exports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import pandas as pd

from strikemap.analysis.dataset import Dataset
from strikemap.analysis.view import View, ViewError, apply_view
from strikemap.geo.rules import DEFAULT_RULES, ImpactRules
from strikemap.geo.summaries import country_summary


def rules_for(view: View, rules: ImpactRules = DEFAULT_RULES) -> ImpactRules:
    """Return ``rules`` as the view needs them: candidate strikes linked when it shows them."""
    if rules.include_candidates == view.include_candidates:
        return rules
    return dataclasses.replace(rules, include_candidates=view.include_candidates)


def check_view(dataset: Dataset, view: View) -> None:
    """Raise ViewError when the view names a country the data does not know."""
    unknown = sorted(set(view.countries) - set(dataset.country_names))
    if unknown:
        mapped = {*dataset.countries["iso3"].astype(str), *dataset.relations["country"].astype(str)}
        msg = (
            f"no such country in the data: {', '.join(unknown)}; the map's countries and those "
            f"in relations.csv are {', '.join(sorted(mapped))} (every ISO 3166 alpha-3 code in "
            "country_codes.csv is accepted)"
        )
        raise ViewError(msg)


@dataclass(frozen=True)
class Analysis:
    """What a view of a dataset shows, with the impact links of the strikes shown.

    Attributes
    ----------
    dataset
        The data folder read once.
    view
        Filters, extent, colouring and the selected strike.
    rules
        The impact rules the links were made with (``rules_for(view, ...)``).
    strikes
        The strikes the view shows, by date then id.
    links
        Their links after the view's link filters, ``detail`` empty (see ``explain``).
    all_links
        The links of every strike the rules link, before the view (a selected strike that the
        filters hide still has its chain).
    """

    dataset: Dataset
    view: View
    rules: ImpactRules
    strikes: gpd.GeoDataFrame
    links: pd.DataFrame
    all_links: pd.DataFrame

    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Every layer of the dataset, with the strikes layer narrowed to the strikes shown."""
        return {**self.dataset.layers, "strikes": self.strikes}

    @property
    def country_names(self) -> Mapping[str, str]:
        """``{ISO3: name}`` of every country the data knows."""
        return self.dataset.country_names

    def explain(self, links: pd.DataFrame | None = None) -> pd.DataFrame:
        """Return ``links`` (default: the shown links) with their ``detail`` sentences."""
        rows = self.links if links is None else links
        if rows.empty:
            return rows
        sentences = self.dataset.explainer(self.rules).describe(rows)
        return rows.assign(detail=sentences.array)

    def strike(self, strike_id: str) -> pd.Series | None:
        """Return the strike ``strike_id`` of the dataset (shown or not), or None."""
        found = self.dataset.strikes[self.dataset.strikes["id"] == strike_id]
        return None if found.empty else found.iloc[0]

    def strike_links(self, strike_id: str) -> pd.DataFrame:
        """Return the explained links of one strike, whether or not the filters show it."""
        return self.explain(self.all_links[(self.all_links["strike_id"] == strike_id).to_numpy()])

    @cached_property
    def country_summary(self) -> pd.DataFrame:
        """Per-country summary of the shown links (``geo.summaries.country_summary``)."""
        return country_summary(self.links, self.strikes, country_names=self.country_names)


def analyse(
    dataset: Dataset,
    view: View | None = None,
    rules: ImpactRules = DEFAULT_RULES,
    *,
    links: pd.DataFrame | None = None,
) -> Analysis:
    """Return what ``view`` shows of ``dataset`` under ``rules``.

    Parameters
    ----------
    dataset
        A data folder read by ``load_dataset`` (or built with ``Dataset.from_frames``).
    view
        Filters and extent; default: everything confirmed.
    rules
        Impact radii and relations; ``include_candidates`` follows the view.
    links
        Links already made for these strikes and rules (tests, synthetic data); by default the
        dataset's own, made once per rule set.

    Raises
    ------
    ViewError
        When the view names a country the data does not know.
    """
    view = view or View()
    check_view(dataset, view)
    rules = rules_for(view, rules)
    all_links = dataset.links_for(rules) if links is None else links
    strikes, shown_links = apply_view(
        dataset.strikes, all_links, view, asset_types=dataset.asset_types
    )
    strikes = _by_date(strikes)
    return Analysis(dataset, view, rules, strikes, shown_links, all_links)


def _by_date(strikes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    dates = pd.to_datetime(strikes["date"], errors="coerce")
    order = pd.DataFrame({"date": dates, "id": strikes["id"].astype(str)}).reset_index(drop=True)
    return strikes.iloc[order.sort_values(["date", "id"], kind="stable").index.to_numpy()]
