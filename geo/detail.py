"""Sentences that say why each link of the impact table exists, in words an analyst can quote.

Notes
-----
Sentences are built column-wise: a few templates per relation, filled from arrays (asset names,
formatted distances, radii, validity of relations) with vectorised string concatenation, never a
pandas mask per row. ``LinkExplainer.parts`` returns the pieces (why an asset is linked, the
phrase that links a country through it), ``LinkExplainer.describe`` the ``detail`` sentence of
each row, and ``geo.chain`` groups the same pieces into a strike's chain, so the tables and the
chain say the same thing in the same words.

An asset row says why the asset is linked. A country row says how the country is reached and
through which asset, briefly (``Azerbaijan: supply origin of its gas since 2025-07-28, through
Orlivka station (named by sources as the target, 0 m)``); the asset's own sentence is not
repeated in every country row.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.geo.assets import NETWORK_LINE
from strikemap.geo.countries import country_name_map
from strikemap.geo.crs import lonlat_to_metric
from strikemap.geo.network import PipelineNetwork, as_start, network_for
from strikemap.geo.rules import (
    ASSET_RELATIONS,
    COUNTRY_RELATIONS,
    DEFAULT_RULES,
    PRECISIONS,
    ImpactRules,
)
from strikemap.geo.wording import (
    ASSET_STANDS,
    BASIS_WORDS,
    KNOWN_TO,
    RELATION_WORDS,
    SEA_TEXT,
    STRIKE_KNOWN_TO,
    commodity,
    format_distance,
    format_distances,
    validity,
)

PART_COLUMNS: tuple[str, ...] = ("asset_name", "country_name", "why", "phrase")
"""Columns of ``LinkExplainer.parts``."""


def _text(values: object, n: int) -> np.ndarray:
    """``values`` as an object array of ``n`` strings (a scalar is repeated)."""
    if isinstance(values, str):
        return np.full(n, values, dtype=object)
    return np.asarray(values, dtype=object)


def _take(values: np.ndarray, at: np.ndarray, default: object) -> np.ndarray:
    """``values[at]`` where ``at >= 0``, ``default`` elsewhere (``values`` may be empty)."""
    out = np.full(len(at), default, dtype=values.dtype if values.dtype != bool else object)
    ok = at >= 0
    out[ok] = values[at[ok]]
    return out


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a column as floats (NaN when missing or not a number)."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(float)


def _strings(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a column as strings ("" when missing)."""
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[column].astype(object).fillna("").astype(str).to_numpy(object)


def _join(*parts: object, n: int) -> np.ndarray:
    """Concatenate string arrays (or scalars) element-wise: the column-wise template filler."""
    out = np.full(n, "", dtype=object)
    for part in parts:
        out = out + _text(part, n)
    return out


class LinkExplainer:
    """Give any rows of the link table their ``detail`` sentences, column-wise.

    Build it once from the same inputs as ``geo.impact.link_strikes`` and ask for the rows you
    show or export: ``LinkExplainer(...).describe(table.head(50))``.
    """

    def __init__(
        self,
        strikes: gpd.GeoDataFrame,
        assets: gpd.GeoDataFrame,
        relations: pd.DataFrame,
        countries: gpd.GeoDataFrame,
        *,
        rules: ImpactRules = DEFAULT_RULES,
        country_names: Mapping[str, str] | None = None,
    ) -> None:
        self._rules = rules
        self._names = country_name_map(countries, country_names)
        self._all_assets = assets
        self._strike_index = pd.Index(strikes["id"].astype(str))
        precision = _numbers(strikes, "geo_precision")
        self._strike_precision = np.where(np.isin(precision, PRECISIONS), precision, 3).astype(int)
        self._strike_date = _strings(strikes, "date")
        self._strike_date_code = pd.factorize(self._strike_date)[0]
        points = np.asarray(strikes.geometry.values)
        self._strike_lon = np.asarray(shapely.get_x(points), dtype=float)
        self._strike_lat = np.asarray(shapely.get_y(points), dtype=float)
        self._asset_index = pd.Index(assets["id"].astype(str))
        names, ids = _strings(assets, "name"), assets["id"].astype(str).to_numpy(object)
        self._asset_name = np.where(names != "", names, ids).astype(object)
        raw = _numbers(assets, "geo_precision")
        self._asset_precision = np.where(np.isin(raw, PRECISIONS), raw, 0).astype(int)
        types = _strings(assets, "asset_type")
        self._asset_commodity = np.array([commodity(t) for t in types], dtype=object)
        self._asset_owner = _strings(assets, "owner_country")
        self._asset_is_line = _strings(assets, "network") == NETWORK_LINE
        self._relations = _relation_table(relations)

    # ----------------------------------------------------------------------------------------
    # Public

    def describe(self, table: pd.DataFrame) -> pd.Series:
        """Return the ``detail`` sentence of every row of ``table`` (same index, categorical).

        Rows that differ only in what the sentence does not show (another strike of the same
        precision at the same shown distance from the same asset) share their sentence: it is
        built once per distinct group of rows (``sentence_groups``) and the column is a
        categorical of the distinct sentences, so a million links cost their few thousand
        sentences.
        """
        groups, first = self.sentence_groups(table)
        sentences = self._describe_rows(table.iloc[first])
        codes, texts = pd.factorize(sentences)
        return pd.Series(
            pd.Categorical.from_codes(codes[groups], categories=pd.Index(texts, dtype=object)),
            index=table.index,
        )

    def sentence_groups(self, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Return each row's group of rows with the same sentence, and each group's first row.

        A sentence depends on the asset, country, relation, confidence and basis, the distance
        as shown (``format_distances``' steps, and whether it is above zero), the strike's
        precision, for links through a
        relation the strike's date (which relations are valid), and for ``downstream`` links
        the strike itself (where it hit the pipeline).
        """
        n = len(table)
        strike_codes, strike_ids = _codes(table["strike_id"])
        strike_at = self._strike_index.get_indexer(np.asarray(strike_ids, dtype=object))
        at = np.where(strike_codes >= 0, strike_at[strike_codes], -1) if n else strike_codes
        relation_codes, relations = _codes(table["relation"])
        relation_names = np.asarray(relations, dtype=object)
        known = relation_codes >= 0
        dated = np.isin(relation_names, [*COUNTRY_RELATIONS, "downstream"])[relation_codes] & known
        downstream = (relation_names == "downstream")[relation_codes] & known
        metres = _numbers(table, "distance_m")
        keys = [
            _take(self._strike_precision, at, 3),
            np.where(dated, _take(self._strike_date_code, at, -1), -1),
            np.where(downstream, at, -1),
            relation_codes,
            pd.factorize(_shown_distance(metres), use_na_sentinel=False)[0],
            metres > 0,  # at sea, or on land (location rows)
        ]
        keys += [_codes(table[c])[0] for c in ("asset_id", "country", "confidence", "basis")
                 if c in table.columns]  # fmt: skip
        _, first, groups = np.unique(_combined_codes(keys), return_index=True, return_inverse=True)
        return groups.reshape(-1), first

    def _describe_rows(self, table: pd.DataFrame) -> np.ndarray:
        """Return the ``detail`` sentence of every row of ``table``, row by row in arrays."""
        parts = self.parts(table)
        rows = _plain(table)
        relation = rows["relation"].to_numpy(object)
        via_asset = np.isin(relation, [*COUNTRY_RELATIONS, "downstream"])
        detail = parts["why"].to_numpy(object).copy()
        if via_asset.any():
            basis = self._basis(rows)[via_asset]
            through = _join(
                parts["country_name"].to_numpy(object)[via_asset],
                ": ",
                parts["phrase"].to_numpy(object)[via_asset],
                ", through ",
                parts["asset_name"].to_numpy(object)[via_asset],
                " (",
                np.array([BASIS_WORDS.get(b, "") for b in basis], dtype=object),
                ", ",
                format_distances(rows["distance_m"].to_numpy(float)[via_asset]),
                ")",
                n=int(via_asset.sum()),
            )
            detail[via_asset] = through
        return detail

    def parts(self, table: pd.DataFrame) -> pd.DataFrame:
        """Return the pieces of each row's explanation (``PART_COLUMNS``, same index).

        ``why`` is the sentence of an asset row (why the asset is linked) or of a ``location``
        or ``border`` row; ``phrase`` how a country row's country is reached through its asset
        (``"supply origin of its gas since 2025-07-28"``, ``"transit"``), empty otherwise.
        """
        rows = _plain(table)
        n = len(rows)
        relation = rows["relation"].to_numpy(object)
        asset = self._asset_index.get_indexer(rows["asset_id"].to_numpy(object))
        asset_name = rows["asset_id"].to_numpy(object).copy()
        asset_name[asset >= 0] = self._asset_name[asset[asset >= 0]]
        codes = rows["country"].to_numpy(object)
        country_name = np.array([self._names.get(c, c) for c in codes], dtype=object)
        why = np.full(n, "", dtype=object)
        phrase = np.full(n, "", dtype=object)
        is_asset = np.isin(relation, ASSET_RELATIONS)
        if is_asset.any():
            why[is_asset] = self._asset_sentences(
                rows[is_asset], asset[is_asset], asset_name[is_asset]
            )
        for kind, builder in (
            ("location", self._location_sentences),
            ("border", self._border_sentences),
        ):
            mask = relation == kind
            if mask.any():
                why[mask] = builder(rows[mask], country_name[mask])
        related = np.isin(relation, COUNTRY_RELATIONS)
        if related.any():
            phrase[related] = self._relation_phrases(rows[related], asset[related])
        downstream = relation == "downstream"
        if downstream.any():
            phrase[downstream] = self._downstream_phrases(rows[downstream])
        return pd.DataFrame(
            {"asset_name": asset_name, "country_name": country_name, "why": why, "phrase": phrase},
            index=table.index,
        )

    def country(self, iso3: object) -> str:
        """Return the country's name, or its code when no name is known."""
        return self._names.get(str(iso3), str(iso3))

    # ----------------------------------------------------------------------------------------
    # Asset rows

    def _strike_positions(self, rows: pd.DataFrame) -> np.ndarray:
        return self._strike_index.get_indexer(rows["strike_id"].to_numpy(object))

    def _strike_precisions(self, rows: pd.DataFrame) -> np.ndarray:
        return _take(self._strike_precision, self._strike_positions(rows), 3)

    def _asset_precisions(self, rows: pd.DataFrame) -> np.ndarray:
        at = self._asset_index.get_indexer(rows["asset_id"].to_numpy(object))
        return _take(self._asset_precision, at, 0)

    def _basis(self, rows: pd.DataFrame) -> np.ndarray:
        """Return the ``basis`` column (derived from confidence for tables made without it)."""
        if "basis" in rows.columns:
            return rows["basis"].to_numpy(object)
        confidence = rows["confidence"].to_numpy(object)
        low = np.where(self._asset_precisions(rows) == 0, "threat_radius", "context")
        return np.select(
            [confidence == "high", confidence == "medium"], ["named", "hit_radius"], low
        ).astype(object)

    def _asset_sentences(
        self, rows: pd.DataFrame, asset: np.ndarray, name: np.ndarray
    ) -> np.ndarray:
        n = len(rows)
        asset_precision = _take(self._asset_precision, asset, 0)
        pair = np.maximum(self._strike_precisions(rows), asset_precision)
        hit = _radius_texts(self._rules.hit_radius_m, pair)
        threat = _radius_texts(self._rules.threat_radius_m, pair)
        caveat = np.array(
            [""]
            + [
                f" (its location is only known to {KNOWN_TO[p]}, so the distance is approximate)"
                for p in (1, 2, 3)
            ],
            dtype=object,
        )[asset_precision]
        stands = np.array(["", *(ASSET_STANDS[p] for p in (1, 2, 3))], dtype=object)[
            asset_precision
        ]
        basis = self._basis(rows)
        tail = np.select(
            [basis == "named", basis == "hit_radius", basis == "context"],
            [
                _text(" and is named by sources as the target", n),
                _join(", within the ", hit, " hit radius (target)", n=n),
                _join(
                    ", within the ",
                    threat,
                    " threat radius (nearby); context, not evidence: the asset is drawn ",
                    stands,
                    ", so being near the strike does not show that it was hit",
                    n=n,
                ),
            ],
            _join(", within the ", threat, " threat radius (nearby)", n=n),
        )
        distance = format_distances(rows["distance_m"].to_numpy(float))
        return _join(name, " lies ", distance, " from the strike", caveat, tail, n=n)

    # ----------------------------------------------------------------------------------------
    # Location and border rows

    def _location_sentences(self, rows: pd.DataFrame, country: np.ndarray) -> np.ndarray:
        n = len(rows)
        distance = rows["distance_m"].to_numpy(float)
        at_sea = distance > 0
        where = np.where(
            at_sea,
            _join(
                "The strike lies at sea, ",
                format_distances(distance),
                " off the coast of ",
                country,
                f", within its 12-nautical-mile ({SEA_TEXT}) territorial sea",
                n=n,
            ),
            _join("The strike lies in ", country, n=n),
        )
        precision = self._strike_precisions(rows)
        known = np.array([STRIKE_KNOWN_TO[p] for p in PRECISIONS], dtype=object)[precision]
        radius = np.array(
            [self._rules.hit_radius_m.get(p, np.nan) for p in PRECISIONS], dtype=float
        )[precision]
        uncertain = rows["confidence"].to_numpy(object) != "high"
        stand_in = uncertain & ~np.isfinite(radius)
        near_border = uncertain & np.isfinite(radius)
        out = where.copy()
        out[stand_in] = _join(
            where[stand_in], "; its point stands in for ", known[stand_in], n=int(stand_in.sum())
        )
        out[near_border] = _join(
            where[near_border],
            "; its location is only known to ",
            known[near_border],
            " (within ",
            format_distances(radius[near_border]),
            ") and another country's border is closer than that",
            n=int(near_border.sum()),
        )
        return out

    def _border_sentences(self, rows: pd.DataFrame, country: np.ndarray) -> np.ndarray:
        n = len(rows)
        precision = self._strike_precisions(rows)
        caveat = np.array(
            [""]
            + [
                f" (its location is only known to {STRIKE_KNOWN_TO[p]}, so the distance is "
                "approximate)"
                for p in (1, 2, 3)
            ],
            dtype=object,
        )[precision]
        return _join(
            "The strike lies ",
            format_distances(rows["distance_m"].to_numpy(float)),
            " from the land border of ",
            country,
            caveat,
            f", within the {format_distance(self._rules.border_radius_m)} border radius",
            n=n,
        )

    # ----------------------------------------------------------------------------------------
    # Country rows through an asset

    def _relation_phrases(self, rows: pd.DataFrame, asset: np.ndarray) -> np.ndarray:
        """``owner``, ``supply origin of its gas``, ``served by it``, ``transit``, with validity."""
        n = len(rows)
        relation = rows["relation"].to_numpy(object)
        record = self._records(rows)
        found = record >= 0
        table = self._relations
        when = np.full(n, "", dtype=object)
        when[found] = table["when"].to_numpy(object)[record[found]]
        goods = _take(self._asset_commodity, asset, "supplies")
        words = np.array([RELATION_WORDS.get(r, "") for r in relation], dtype=object)
        words = np.where(
            relation == "supply_origin", _join("supply origin of its ", goods, n=n), words
        )
        derived = (relation == "owner") & ~found  # from the asset's owner_country
        words = np.where(derived, "owner (owner_country of the asset)", words)
        spaced = np.where(when != "", _join(" ", when, n=n), "")
        return _join(words, spaced, n=n)

    def _records(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row, the relations.csv row valid on the strike's date (-1 when none)."""
        table = self._relations
        n = len(rows)
        if table.empty or not n:
            return np.full(n, -1, np.int64)
        dates = _take(self._strike_date, self._strike_positions(rows), "")
        keys = pd.DataFrame(
            {
                "asset_id": rows["asset_id"].to_numpy(object),
                "country": rows["country"].to_numpy(object),
                "relation": rows["relation"].to_numpy(object),
                "_row": np.arange(n),
                "_date": dates,
            }
        )
        matched = keys.merge(
            table.reset_index(names="_record"), on=["asset_id", "country", "relation"]
        )
        valid = ((matched["valid_from"] == "") | (matched["valid_from"] <= matched["_date"])) & (
            (matched["valid_to"] == "") | (matched["valid_to"] >= matched["_date"])
        )
        first = matched[valid].drop_duplicates("_row")
        record = np.full(n, -1, np.int64)
        record[first["_row"].to_numpy()] = first["_record"].to_numpy()
        return record

    def _downstream_phrases(self, rows: pd.DataFrame) -> np.ndarray:
        """``downstream along A -> B (B serves Moldova)``, one search per hit and country."""
        network = network_for(self._all_assets, snap_tolerance_m=self._rules.snap_tolerance_m)
        at = self._strike_positions(rows)
        lon, lat = _take(self._strike_lon, at, np.nan), _take(self._strike_lat, at, np.nan)
        x, y = lonlat_to_metric(lon, lat)
        starts = network.start_nodes(rows["asset_id"].to_numpy(object), x, y)
        dates = _take(self._strike_date, at, "")
        keys = pd.DataFrame(
            {
                "asset": rows["asset_id"].to_numpy(object),
                "a": starts[:, 0],
                "b": starts[:, 1],
                "country": rows["country"].to_numpy(object),
                "date": dates,
            }
        )
        codes, uniques = pd.factorize(pd.MultiIndex.from_frame(keys))
        phrases = np.array(
            [self._downstream_phrase(network, *key) for key in uniques], dtype=object
        )
        return phrases[codes]

    def _downstream_phrase(
        self, network: PipelineNetwork, start_asset: str, a: int, b: int, iso3: str, date: str
    ) -> str:
        nodes = as_start(np.array([a, b]))
        best: tuple[int, str, str] | None = None
        for via, hops in network.downstream_hops(start_asset, nodes).items():
            if best is not None and (hops, via) >= best[:2]:
                continue
            at = self._asset_index.get_loc(via) if via in self._asset_index else -1
            if at >= 0 and self._asset_is_line[at] and self._asset_owner[at] == iso3:
                why = f"{self._asset_name[at]} has its owner in {self.country(iso3)}"
            elif self._serves(via, iso3, date):
                name = self._asset_name[at] if at >= 0 else via
                why = f"{name} serves {self.country(iso3)}"
            else:
                continue
            best = (hops, via, why)
        if best is None:
            return "downstream on the pipeline network"
        _, via, why = best
        along = " -> ".join(self._name_of(p) for p in network.path(start_asset, nodes, via))
        return f"downstream along {along} ({why})"

    def _serves(self, asset_id: str, iso3: str, date: str) -> bool:
        table = self._relations
        match = table[
            (table["asset_id"] == asset_id)
            & (table["country"] == iso3)
            & (table["relation"] == "serves")
        ]
        valid = ((match["valid_from"] == "") | (match["valid_from"] <= date)) & (
            (match["valid_to"] == "") | (match["valid_to"] >= date)
        )
        return bool(valid.any())

    def _name_of(self, asset_id: str) -> str:
        at = self._asset_index.get_indexer([asset_id])[0]
        return str(self._asset_name[at]) if at >= 0 else asset_id


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Return integer codes of ``values`` and the values they stand for (-1 for missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(np.int64), values.cat.categories
    codes, uniques = pd.factorize(values.to_numpy(object) if values.dtype == object else values)
    return codes.astype(np.int64), pd.Index(uniques)


def _combined_codes(keys: list[np.ndarray]) -> np.ndarray:
    """Return one integer per row that differs exactly where any of ``keys`` differs.

    Keys are integer (or boolean) arrays, -1 allowed; they are packed into one int64 when their
    ranges allow, else grouped by pandas.
    """
    packed = np.zeros(len(keys[0]), np.int64)
    room = 1
    for key in keys:
        key = np.asarray(key, np.int64) + 1
        span = int(key.max()) + 1 if len(key) else 1
        if room * span >= 2**62:
            frame = pd.DataFrame({str(i): k for i, k in enumerate(keys)})
            return frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy(np.int64)
        packed = packed * span + key
        room *= span
    return packed


def _shown_distance(metres: np.ndarray) -> np.ndarray:
    """Return the distance each row's sentence shows (``format_distances``' steps), NaN if none."""
    return np.where(
        metres < 100,
        np.round(metres / 10) * 10,
        np.where(metres < 10_000, np.round(metres, -2), np.round(metres, -3)),
    )


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Return the columns the explainer reads, as plain objects ("" for missing text)."""
    columns = ["strike_id", "asset_id", "country", "relation", "confidence"]
    rows = pd.DataFrame(
        {c: table[c].astype(object).fillna("").astype(str).to_numpy(object) for c in columns},
        index=table.index,
    )
    rows["distance_m"] = pd.to_numeric(table["distance_m"], errors="coerce").to_numpy(float)
    if "basis" in table.columns:
        rows["basis"] = table["basis"].astype(object).fillna("").astype(str).to_numpy(object)
    return rows


def _relation_table(relations: pd.DataFrame) -> pd.DataFrame:
    """relations.csv as plain strings with its validity in words (``when``)."""
    columns = ["asset_id", "country", "relation", "valid_from", "valid_to"]
    table = pd.DataFrame(
        {
            c: (relations[c] if c in relations.columns else pd.Series("", index=relations.index))
            .astype(object)
            .fillna("")
            .astype(str)
            for c in columns
        }
    ).reset_index(drop=True)
    table["when"] = [
        validity(a, b) for a, b in zip(table["valid_from"], table["valid_to"], strict=True)
    ]
    return table


def _radius_texts(radii: Mapping[int, float], precision: np.ndarray) -> np.ndarray:
    """Return the formatted radius of each pair precision (``an unknown distance`` without one)."""
    texts = np.array(
        [format_distance(radii.get(p, float("nan"))) for p in PRECISIONS], dtype=object
    )
    return texts[precision]
