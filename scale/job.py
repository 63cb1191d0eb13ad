"""What every partition of the join needs and does: link, apply the view, explain, write.

A ``PartitionJob`` holds the inputs every partition shares (assets, relations, countries, the
view and rules); it is built once, sent once to each Dask worker, and prepares the join's
shared context (``geo.impact.prepare_context``) once per process on first use.
``run_partition`` turns one partition of strikes into one Parquet part file, or for a text
output into one fragment of the text (``exports.link_text``), so no process ever holds more
than one partition's links.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from strikemap.analysis.dataset import Dataset
from strikemap.analysis.run import check_view, rules_for
from strikemap.analysis.view import View, apply_view, filter_strikes
from strikemap.exports.link_dataset import parquet_table, write_part
from strikemap.exports.link_text import write_fragment
from strikemap.geo.detail import LinkExplainer
from strikemap.geo.impact import JoinContext, link_prepared, prepare_context
from strikemap.geo.rules import DEFAULT_RULES, ImpactRules

JOIN_STRIKE_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "status",
    "weapon",
    "geo_precision",
    "target_ids",
    "geometry",
)
"""The strike columns a partition reads: the join's, the view's strike filters' and the
sentences'. Dask reads only these from ``strikes.parquet``, so the shuffle that sorts the
strikes does not carry their descriptions and source lists (``tests/test_scale.py`` checks that
the links of strikes cut to these columns are the links of the whole strikes)."""


@dataclass
class PartitionJob:
    """The shared inputs of a partitioned join and what to write.

    Parameters
    ----------
    assets, relations, countries, country_names, asset_types
        As ``analysis.Dataset`` holds them.
    view, rules
        What to show and how to link (``rules`` as ``analysis.rules_for`` gives them).
    geometry
        Write GeoParquet parts (link lines and points, as ``exports.links.links_to_frame``).
    text
        Write text fragments in this format (``csv``, ``json``, ``geojson``) instead of Parquet
        parts; the strikes must then be cut in the join's order.
    explain
        Write the ``detail`` sentences (the benchmarks time the join without them).
    """

    assets: gpd.GeoDataFrame
    relations: pd.DataFrame
    countries: gpd.GeoDataFrame
    country_names: dict[str, str]
    asset_types: dict[str, str]
    view: View
    rules: ImpactRules
    geometry: bool = False
    text: str | None = None
    explain: bool = True
    _built: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def from_dataset(
        cls,
        dataset: Dataset,
        view: View | None = None,
        rules: ImpactRules = DEFAULT_RULES,
        *,
        geometry: bool = False,
        text: str | None = None,
    ) -> PartitionJob:
        """Return the job of ``analyse(dataset, view, rules)``'s links (ViewError as it does)."""
        view = view or View()
        check_view(dataset, view)
        return cls(
            assets=dataset.assets,
            relations=dataset.relations,
            countries=dataset.countries,
            country_names=dict(dataset.country_names),
            asset_types=dict(dataset.asset_types),
            view=view,
            rules=rules_for(view, rules),
            geometry=geometry,
            text=text,
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_built"], state["_lock"] = {}, None  # each process prepares its own
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def context(self) -> JoinContext:
        """Return the join's shared context, prepared once per process."""
        with self._lock:
            if "context" not in self._built:
                self._built["context"] = prepare_context(
                    self.assets, self.relations, self.countries, self.rules
                )
            return self._built["context"]

    def shown_strikes(self, strikes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Keep the strikes the view's strike filters pass (the others have no shown links)."""
        return filter_strikes(strikes, self.view)

    def explained_links(self, strikes: gpd.GeoDataFrame) -> tuple[int, pd.DataFrame]:
        """Return how many of ``strikes`` the view shows and their links with ``detail``.

        The links are in the join's order: those of ``analyse(...).explain()`` for these strikes.
        """
        links = link_prepared(strikes, self.context())
        strikes, shown = apply_view(strikes, links, self.view, asset_types=self.asset_types)
        if shown.empty or not self.explain:
            return len(strikes), shown
        explainer = LinkExplainer(
            strikes,
            self.assets,
            self.relations,
            self.countries,
            rules=self.rules,
            country_names=self.country_names,
        )
        return len(strikes), shown.assign(detail=explainer.describe(shown).array)


@dataclass(frozen=True)
class PartStats:
    """What one partition wrote."""

    number: int
    strikes: int
    links: int


def run_partition(
    job: PartitionJob, strikes: gpd.GeoDataFrame, folder: str | Path, number: int
) -> PartStats:
    """Link, filter and explain one partition's strikes and write them as part ``number``.

    The part is a Parquet file, or with ``job.text`` a text fragment (``exports.link_text``).
    """
    strikes = job.shown_strikes(strikes)
    shown, links = job.explained_links(strikes)
    if job.text is not None:
        write_fragment(job.text, links, strikes, job.assets, Path(folder), number)
        return PartStats(number, shown, len(links))
    table = parquet_table(links, strikes, assets=job.assets if job.geometry else None)
    write_part(table, Path(folder), number)
    return PartStats(number, shown, table.num_rows)
