"""A data folder read once: layers, relations, country names, the combined assets and its links."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd

from strikemap.geo.assets import asset_type_map, combine_assets
from strikemap.geo.countries import country_name_map
from strikemap.geo.detail import LinkExplainer
from strikemap.geo.impact import link_strikes
from strikemap.geo.rules import DEFAULT_RULES, ImpactRules
from strikemap.layers.catalog import ASSET_ROLES, CATALOG
from strikemap.layers.io import empty_layer, read_country_codes, read_layers, read_relations
from strikemap.layers.journal import Recovery, recover_if_needed
from strikemap.layers.lock import read_lock
from strikemap.layers.paths import resolve_data_dir

MEMO_SIZE = 8
"""Rule sets whose links (and explainers) a dataset keeps: the app's radii being tried out."""
T = TypeVar("T")


@dataclass(frozen=True)
class Dataset:
    """Everything the analysis needs from one data folder, read once and never changed.

    Parameters
    ----------
    data_dir
        The folder the data was read from (None for frames built in memory).
    layers
        ``{layer name: frame}`` for every catalogue layer.
    relations
        ``relations.csv``.
    country_codes
        ``iso3, name`` of every known country (``country_codes.csv``).
    recovery
        What loading did first about an interrupted write (finished or rolled back), if any.

    Notes
    -----
    The impact links of every strike are computed once per rule set and kept (``links_for``),
    so the app's reruns and a command's several outputs share one join. Several threads may
    ask at once (Streamlit serves each session on its own thread): one lock per dataset makes
    the second caller wait for the first one's result instead of joining twice.
    """

    data_dir: Path | None
    layers: dict[str, gpd.GeoDataFrame]
    relations: pd.DataFrame
    country_codes: pd.DataFrame
    recovery: Recovery = field(default_factory=Recovery, compare=False)
    _memo: OrderedDict[tuple[str, ImpactRules], object] = field(
        default_factory=OrderedDict, init=False, repr=False, compare=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @classmethod
    def from_frames(
        cls,
        layers: Mapping[str, gpd.GeoDataFrame],
        *,
        relations: pd.DataFrame | None = None,
        country_codes: pd.DataFrame | None = None,
    ) -> Dataset:
        """Return a dataset of frames built in memory (tests, synthetic data, benchmarks).

        Catalogue layers missing from ``layers`` are empty.
        """
        frames = {spec.name: empty_layer(spec) for spec in CATALOG}
        frames.update(layers)
        if relations is None:
            relations = pd.DataFrame(
                columns=["asset_id", "country", "relation", "valid_from", "valid_to"]
            )
        if country_codes is None:
            country_codes = pd.DataFrame({"iso3": pd.Series([], dtype=object), "name": []})
        return cls(None, frames, relations, country_codes)

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
        return combine_assets(self.layers, layers=ASSET_ROLES)

    @cached_property
    def asset_types(self) -> dict[str, str]:
        """``{asset id: asset_type}`` for the asset-type filter of a view."""
        return asset_type_map(self.assets)

    @cached_property
    def cutoff(self) -> str | None:
        """The date of the newest strike (ISO), the data's cut-off; None without strikes."""
        dates = pd.to_datetime(self.strikes["date"], errors="coerce").dropna()
        return dates.max().date().isoformat() if len(dates) else None

    def link(
        self,
        *,
        rules: ImpactRules = DEFAULT_RULES,
        strikes: gpd.GeoDataFrame | None = None,
        with_detail: bool = True,
    ) -> pd.DataFrame:
        """Run the impact join over the given ``strikes`` (e.g. a what-if strike), uncached.

        For the dataset's own strikes, ``links_for`` keeps the result.
        """
        return link_strikes(
            self.strikes if strikes is None else strikes,
            self.assets,
            self.relations,
            self.countries,
            rules=rules,
            country_names=self.country_names,
            with_detail=with_detail,
        )

    def links_for(self, rules: ImpactRules = DEFAULT_RULES) -> pd.DataFrame:
        """Return the links of every strike under ``rules``, without ``detail`` (kept; read-only).

        ``rules.include_candidates`` decides whether candidate strikes are linked.
        """
        return self._memoised("links", rules, lambda: self.link(rules=rules, with_detail=False))

    def explainer(
        self, rules: ImpactRules = DEFAULT_RULES, *, strikes: gpd.GeoDataFrame | None = None
    ) -> LinkExplainer:
        """Return the object that writes the ``detail`` sentence of links made under ``rules``.

        Kept per rule set for the dataset's own strikes; for other ``strikes`` (a what-if strike,
        as in ``link``) built anew.
        """

        def build() -> LinkExplainer:
            return LinkExplainer(
                self.strikes if strikes is None else strikes,
                self.assets,
                self.relations,
                self.countries,
                rules=rules,
                country_names=self.country_names,
            )

        return build() if strikes is not None else self._memoised("explainer", rules, build)

    def _memoised(self, kind: str, rules: ImpactRules, build: Callable[[], T]) -> T:
        key = (kind, rules)
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[return-value]
            value = build()
            self._memo[key] = value
            while len(self._memo) > 2 * MEMO_SIZE:
                self._memo.popitem(last=False)
            return value


def load_dataset(data_dir: str | Path | None = None, *, skip: Iterable[str] = ()) -> Dataset:
    """Read every layer, ``relations.csv`` and ``country_codes.csv`` of a data folder.

    An interrupted write is finished or rolled back first (``layers.journal``), and the files
    are read under the folder's shared lock, so they are always one consistent set.

    Parameters
    ----------
    data_dir
        Data folder; defaults to ``$STRIKEMAP_DATA_DIR`` or the shipped data.
    skip
        Names of layers not to read: an empty frame of the layer's schema stands in. The Dask
        engine skips a GeoParquet strikes layer, which its workers read part by part, so the
        driver never holds every strike.
    """
    folder = resolve_data_dir(data_dir)
    recovery = recover_if_needed(folder)
    skipped = set(skip)
    with read_lock(folder):  # no write replaces files while they are read
        layers = read_layers(
            data_dir=folder, specs=[spec for spec in CATALOG if spec.name not in skipped]
        )
        layers |= {spec.name: empty_layer(spec) for spec in CATALOG if spec.name in skipped}
        return Dataset(
            data_dir=folder,
            layers=layers,
            relations=read_relations(data_dir=folder),
            country_codes=read_country_codes(data_dir=folder),
            recovery=recovery,
        )
