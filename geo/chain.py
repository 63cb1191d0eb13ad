"""A strike's impact chain as an analyst's note: one line per asset, then its countries together.

``strike_chain`` groups one strike's explained links (``LinkExplainer.parts``) by asset: the
asset's line (relation, distance, confidence, why), then the countries reached through it,
those reached the same way named together (``Bulgaria, Romania: transit``), then the links that
need no asset (``location``, ``border``). The app, the HTML export and the tables' ``detail``
take their words from the same parts; ``maps.popups.chain_html`` draws the chain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from strikemap.geo.detail import LinkExplainer
from strikemap.geo.rules import ASSET_RELATIONS, CONFIDENCE_ORDER, RELATION_ORDER
from strikemap.geo.wording import STRIKE_KNOWN_TO

_NOTE_MARKERS = re.compile(r"\b(coords?|coordinates|derived from|centroid|wiki|mirror)\b", re.I)
"""Words that mark a research note rather than a place name."""


@dataclass(frozen=True)
class ChainCountries:
    """Countries reached through one asset in the same way: ``Bulgaria, Romania: transit``."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    how: str
    confidence: str

    @property
    def text(self) -> str:
        """The line as the chain shows it."""
        return f"{', '.join(self.names)}: {self.how}"


@dataclass(frozen=True)
class ChainAsset:
    """One asset of the chain: how it is linked, why, and the countries reached through it."""

    asset_id: str
    name: str
    relation: str
    distance_m: float
    confidence: str
    basis: str
    why: str
    countries: tuple[ChainCountries, ...]


@dataclass(frozen=True)
class ChainCountry:
    """A link that needs no asset: the strike's ``location`` or a ``border`` within reach."""

    code: str
    name: str
    relation: str
    distance_m: float
    confidence: str
    why: str


@dataclass(frozen=True)
class StrikeChain:
    """A strike's impact chain: where and when, its assets, its direct country links."""

    strike_id: str
    name: str
    date: str
    place: str
    known_to: str
    assets: tuple[ChainAsset, ...]
    direct: tuple[ChainCountry, ...]

    @property
    def targets(self) -> tuple[ChainAsset, ...]:
        """The assets linked as ``target`` (high or medium confidence), in chain order."""
        return tuple(a for a in self.assets if a.relation == "target")

    @property
    def nearby(self) -> tuple[ChainAsset, ...]:
        """The assets only ``nearby`` (low confidence), nearest first."""
        return tuple(a for a in self.assets if a.relation != "target")


def place_name(strike: Mapping[str, object]) -> str:
    """Return the strike's place as a place name, never a research note.

    The first clause of ``place`` (up to a ``;`` outside brackets), unless it reads like a note
    (coordinates, derivations); then ``admin1``; then nothing.
    """
    place = strike.get("place")
    if isinstance(place, str) and place.strip():
        first = _first_clause(place).strip()
        if first and not _NOTE_MARKERS.search(first):
            return first
    admin1 = strike.get("admin1")
    return admin1.strip() if isinstance(admin1, str) else ""


def _first_clause(text: str) -> str:
    depth = 0
    for at, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        elif char == ";" and depth == 0:
            return text[:at]
    return text


def known_to(precision: object) -> str:
    """Return how well a strike's location is known, in words (``"located to a town"``)."""
    try:
        code = int(precision)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        code = 3
    return f"location known to {STRIKE_KNOWN_TO.get(code, STRIKE_KNOWN_TO[3])}"


def strike_chain(
    strike: Mapping[str, object], links: pd.DataFrame, explainer: LinkExplainer
) -> StrikeChain:
    """Return the chain of one strike from its rows of the link table.

    Parameters
    ----------
    strike
        The strike's properties (``id``, ``name``, ``date``, ``place``, ``admin1``,
        ``geo_precision``).
    links
        Its rows of the link table (``detail`` may be empty: the explainer writes the words).
    explainer
        The ``LinkExplainer`` of the rules the links were made with.
    """
    parts = explainer.parts(links).join(_plain(links))
    assets = tuple(
        _asset_entry(asset_id, rows)
        for asset_id, rows in _in_chain_order(parts[parts["asset_id"] != ""]).groupby(
            "asset_id", sort=False
        )
        if (rows["relation"].isin(ASSET_RELATIONS)).any()
    )
    direct = _in_chain_order(parts[parts["asset_id"] == ""])
    return StrikeChain(
        strike_id=str(strike.get("id", "")),
        name=str(strike.get("name") or ""),
        date=str(strike.get("date") or ""),
        place=place_name(strike),
        known_to=known_to(strike.get("geo_precision")),
        assets=assets,
        direct=tuple(
            ChainCountry(r.country, r.country_name, r.relation, r.distance_m, r.confidence, r.why)
            for r in direct.itertuples(index=False)
        ),
    )


def _plain(links: pd.DataFrame) -> pd.DataFrame:
    columns = ["asset_id", "country", "relation", "confidence"]
    plain = pd.DataFrame(
        {c: links[c].astype(object).fillna("").astype(str) for c in columns}, index=links.index
    )
    plain["distance_m"] = pd.to_numeric(links["distance_m"], errors="coerce")
    plain["basis"] = (
        links["basis"].astype(object).fillna("").astype(str) if "basis" in links.columns else ""
    )
    return plain


def _in_chain_order(rows: pd.DataFrame) -> pd.DataFrame:
    """Targets before nearby assets, stronger before weaker, nearer before farther."""
    keys = rows.assign(
        _asset_rank=rows.groupby("asset_id")["relation"].transform(
            lambda r: min(RELATION_ORDER.index(x) for x in r)
        ),
        _confidence=rows["confidence"].map(CONFIDENCE_ORDER.index),
        _relation=rows["relation"].map(RELATION_ORDER.index),
    )
    order = keys.sort_values(
        ["_asset_rank", "distance_m", "asset_id", "_relation", "country"], kind="stable"
    )
    return order.drop(columns=["_asset_rank", "_confidence", "_relation"])


def _asset_entry(asset_id: str, rows: pd.DataFrame) -> ChainAsset:
    own = rows[rows["relation"].isin(ASSET_RELATIONS)].iloc[0]
    return ChainAsset(
        asset_id=str(asset_id),
        name=str(own["asset_name"]),
        relation=str(own["relation"]),
        distance_m=float(own["distance_m"]),
        confidence=str(own["confidence"]),
        basis=str(own["basis"]),
        why=str(own["why"]),
        countries=_country_groups(rows[~rows["relation"].isin(ASSET_RELATIONS)]),
    )


def _country_groups(rows: pd.DataFrame) -> tuple[ChainCountries, ...]:
    """Countries with the same relations through the asset, named together, in reading order."""
    if rows.empty:
        return ()
    per_country: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    confidence: dict[str, str] = {}
    for r in rows.itertuples(index=False):
        per_country.setdefault(r.country, []).append(r.phrase)
        names[r.country] = r.country_name
        confidence[r.country] = r.confidence
    groups: dict[str, list[str]] = {}
    for code, phrases in per_country.items():
        groups.setdefault(", ".join(dict.fromkeys(phrases)), []).append(code)
    return tuple(
        ChainCountries(
            codes=tuple(codes),
            names=tuple(names[c] for c in codes),
            how=how,
            confidence=confidence[codes[0]],
        )
        for how, codes in groups.items()
    )
