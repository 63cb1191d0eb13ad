"""A data folder read once: layers, relations, country names and the combined assets."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from strikemap.geo.assets import asset_type_map, combine_assets
from strikemap.geo.countries import country_name_map
from strikemap.geo.impact import link_strikes
from strikemap.geo.rules import DEFAULT_RULES, ImpactRules
from strikemap.layers.io import read_country_codes, read_layers, read_relations
from strikemap.layers.journal import Recovery, recover_if_needed
from strikemap.layers.lock import read_lock
from strikemap.layers.paths import resolve_data_dir


@dataclass(frozen=True)
class Dataset:
    """Everything the fronts need from one data folder.

    Parameters
    ----------
    data_dir
        The folder the data was read from.
    layers
        ``{layer name: frame}`` for every catalogue layer.
    relations
        ``relations.csv``.
    country_codes
        ``iso3, name`` of every known country (``country_codes.csv``).
    recovery
        What loading did first about an interrupted write (finished or rolled back), if any.
    """

    data_dir: Path
    layers: dict[str, gpd.GeoDataFrame]
    relations: pd.DataFrame
    country_codes: pd.DataFrame
    recovery: Recovery = field(default_factory=Recovery)

    @property
    def strikes(self) -> gpd.GeoDataFrame:
        """The strikes layer."""
        return self.layers["strikes"]

    @property
    def countries(self) -> gpd.GeoDataFrame:
        """The countries layer."""
        return self.layers["countries"]

    @cached_property
    def country_names(self) -> dict[str, str]:
        """``{ISO3: name}``: the countries layer first, then ``country_codes.csv``."""
        codes = dict(zip(self.country_codes["iso3"], self.country_codes["name"], strict=True))
        return country_name_map(self.countries, codes)

    @cached_property
    def assets(self) -> gpd.GeoDataFrame:
        """The asset layers combined into one frame (``geo.assets.combine_assets``)."""
        return combine_assets(self.layers)

    @cached_property
    def asset_types(self) -> dict[str, str]:
        """``{asset id: asset_type}`` for the asset-type filter of a view."""
        return asset_type_map(self.assets)

    def link(
        self,
        *,
        rules: ImpactRules = DEFAULT_RULES,
        strikes: gpd.GeoDataFrame | None = None,
        with_detail: bool = True,
    ) -> pd.DataFrame:
        """Run the impact join over the strikes (or the given ``strikes``) of this folder."""
        return link_strikes(
            self.strikes if strikes is None else strikes,
            self.assets,
            self.relations,
            self.countries,
            rules=rules,
            country_names=self.country_names,
            with_detail=with_detail,
        )


def load_dataset(data_dir: str | Path | None = None) -> Dataset:
    """Read every layer, ``relations.csv`` and ``country_codes.csv`` of a data folder.

    An interrupted write is finished or rolled back first (``layers.journal``), and the files
    are read under the folder's shared lock, so they are always one consistent set.

    Parameters
    ----------
    data_dir
        Data folder; defaults to ``$STRIKEMAP_DATA_DIR`` or the shipped ``data/``.
    """
    folder = resolve_data_dir(data_dir)
    recovery = recover_if_needed(folder)
    with read_lock(folder):  # no write replaces files while they are read
        return Dataset(
            data_dir=folder,
            layers=read_layers(data_dir=folder),
            relations=read_relations(data_dir=folder),
            country_codes=read_country_codes(data_dir=folder),
            recovery=recovery,
        )
