"""What a briefing map shows: the strikes, links and assets of an analysed view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from strikemap.analysis import Analysis
from strikemap.layers.catalog import ASSET_LAYERS

LINK_FIELDS = ("strike_id", "asset_id", "country", "relation", "confidence")
"""Link columns the drawing reads (links given by tests may lack some)."""


@dataclass(frozen=True)
class Selection:
    """The strikes, links and assets a view shows, and facts about the whole data."""

    strikes: gpd.GeoDataFrame
    links: pd.DataFrame
    assets: dict[str, gpd.GeoDataFrame]
    countries: gpd.GeoDataFrame
    cutoff: dt.date | None


def select_view(analysis: Analysis) -> Selection:
    """Return what the map draws of ``analysis``: shown strikes and links, every asset layer."""
    layers = analysis.dataset.layers
    assets = {spec.name: layers[spec.name] for spec in ASSET_LAYERS if spec.name in layers}
    links = analysis.links
    missing = [c for c in LINK_FIELDS if c not in links.columns]
    if missing:
        links = links.assign(**{c: pd.Series(dtype=object) for c in missing})
    cutoff = analysis.dataset.cutoff
    return Selection(
        strikes=analysis.strikes,
        links=links,
        assets=assets,
        countries=analysis.dataset.countries,
        cutoff=dt.date.fromisoformat(cutoff) if cutoff else None,
    )
