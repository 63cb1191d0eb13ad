"""Known answers of the impact join on the shipped data, each test asserting what it names."""

from __future__ import annotations

import pandas as pd
import pytest

from strikemap.analysis import Dataset, load_dataset
from strikemap.geo.rules import DEFAULT_RULES, ImpactRules
from strikemap.geo.summaries import country_summary

ORLIVKA = "strike-2025-08-06-orlivka"
ORLIVKA_2023 = "strike-2023-09-25-orlivka"
IZMAIL_2025 = "strike-2025-10-22-izmail"
STATION = "fac-orlivka-cs"
SOCAR_STRIKES = ("strike-2025-08-08-odesa", "strike-2025-08-18-odesa")
SOCAR_DEPOT = "fac-socar-odesa-depot"
ODESA_CITY_STRIKES = ("strike-2022-04-03-odesa", "strike-2024-03-25-odesa")
TEXT = ("strike_id", "asset_id", "country", "relation", "confidence", "basis")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="module")
def table(shipped) -> pd.DataFrame:
    _, links = shipped  # the session's shipped impact table (tests/conftest.py)
    return links.astype(dict.fromkeys(TEXT, str))


def links(table: pd.DataFrame, strike: str) -> pd.DataFrame:
    return table[table["strike_id"] == strike]


def country_rows(table: pd.DataFrame, strike: str, country: str) -> pd.DataFrame:
    rows = links(table, strike)
    return rows[rows["country"] == country]


def test_orlivka_station_is_the_named_target(table):
    rows = links(table, ORLIVKA)
    station = rows[(rows["asset_id"] == STATION) & (rows["relation"] == "target")]
    assert list(zip(station["confidence"], station["basis"], strict=True)) == [("high", "named")]
    assert "named by sources as the target" in station["detail"].iat[0]


def test_orlivka_links_to_azerbaijan_by_supply_from_2025_07_28_to_the_pause(table):
    rows = country_rows(table, ORLIVKA, "AZE")
    supply = rows[(rows["relation"] == "supply_origin") & (rows["asset_id"] == STATION)]
    assert list(supply["confidence"]) == ["high"]
    # the test volume of Jul-Aug 2025; the route was unused in Sept-Oct 2025
    assert (
        supply["detail"]
        .iat[0]
        .startswith(
            "Azerbaijan: supply origin of its gas from 2025-07-28 to 2025-08-31, through Orlivka "
            "gas compressor"
        )
    )


def test_orlivka_links_to_romania_by_border_and_transit(table):
    assert {"border", "transit"} <= set(country_rows(table, ORLIVKA, "ROU")["relation"])


def test_orlivka_links_to_moldova_by_transit_serves_and_downstream_through_the_station(table):
    rows = country_rows(table, ORLIVKA, "MDA")
    through_station = rows[rows["asset_id"] == STATION]
    assert set(through_station["relation"]) == {"serves", "transit", "downstream"}
    assert set(through_station["confidence"]) == {"high"}
    downstream = through_station[through_station["relation"] == "downstream"]
    assert "Causeni (Kaushany) gas metering station serves Moldova" in downstream["detail"].iat[0]


def test_izmail_strike_during_the_route_pause_does_not_link_to_its_supply_origins(table):
    # 22 Oct 2025: Route 1 was unused in Sept-Oct 2025, so no gas came from Azerbaijan or the USA
    rows = links(table, IZMAIL_2025)
    assert len(rows)
    supply = rows[rows["relation"] == "supply_origin"]
    assert not set(supply["country"]) & {"AZE", "USA"}


def test_orlivka_strike_in_2023_does_not_link_to_azerbaijan_by_supply(table):
    assert len(links(table, ORLIVKA_2023))  # the strike itself is linked (location at least)
    assert "supply_origin" not in set(country_rows(table, ORLIVKA_2023, "AZE")["relation"])


def test_a_strike_near_the_station_only_exposes_its_supply_and_transit_countries(table):
    # Izmail, 24 km from the station known only to part of a district (and from the line into
    # it): nearby assets, context, never evidence
    for country in ("BGR", "MDA"):
        rows = country_rows(table, IZMAIL_2025, country)
        assert len(rows), country
        assert STATION in set(rows["asset_id"])
        assert set(rows["confidence"]) == {"low"}  # exposed, never affected
        assert set(rows["basis"]) <= {"context", "threat_radius"}


def test_only_the_named_orlivka_strike_affects_bulgaria(dataset, table):
    summary = country_summary(table, dataset.strikes).set_index("country")
    affecting = table[(table["country"] == "BGR") & table["confidence"].isin(["high", "medium"])]
    assert set(affecting["strike_id"]) == {ORLIVKA}
    assert summary.loc["BGR", "affected"] == 1
    assert summary.loc["BGR", "exposed"] == summary.loc["BGR", "strikes"] - 1


@pytest.mark.parametrize("strike", SOCAR_STRIKES)
def test_socar_depot_strikes_link_to_azerbaijan_as_owner(table, strike):
    owner = country_rows(table, strike, "AZE")
    owner = owner[owner["relation"] == "owner"]
    assert list(owner["asset_id"]) == [SOCAR_DEPOT]
    assert list(owner["confidence"]) == ["high"]


@pytest.mark.parametrize("strike", ODESA_CITY_STRIKES)
def test_odesa_city_strikes_do_not_hit_the_depot_known_only_to_the_region(table, strike):
    # the depot (precision 3) sits on the Odesa centroid like these strikes: 0 m proves nothing
    rows = links(table, strike)
    assert len(rows)
    assert SOCAR_DEPOT not in set(rows["asset_id"])


def test_precision_three_strikes_link_to_assets_only_through_target_ids(dataset, table):
    strikes = dataset.strikes
    vague = strikes[strikes["geo_precision"] == 3]
    assert len(vague)
    named = {(s, a) for s, ids in zip(vague["id"], vague["target_ids"], strict=True) for a in ids}
    asset_rows = table[table["strike_id"].isin(vague["id"]) & (table["asset_id"] != "")]
    assert set(zip(asset_rows["strike_id"], asset_rows["asset_id"], strict=True)) <= named


def test_candidate_strikes_are_linked_only_when_the_rules_include_them(dataset):
    # a FIRMS-style candidate at the Orlivka strike's point (a test copy, not shipped data)
    strikes = dataset.strikes
    candidate = strikes[strikes["id"] == ORLIVKA].assign(
        id="strike-test-candidate", status="candidate", target_ids=[[]]
    )
    with_candidate = pd.concat([strikes, candidate], ignore_index=True)
    default = dataset.link(strikes=with_candidate, with_detail=False)
    assert "strike-test-candidate" not in set(default["strike_id"].astype(str))
    included = dataset.link(
        strikes=with_candidate, rules=ImpactRules(include_candidates=True), with_detail=False
    )
    candidate_rows = included[included["strike_id"].astype(str) == "strike-test-candidate"]
    assert "fac-orlivka-cs" in set(candidate_rows["asset_id"].astype(str))
    # the confirmed strikes' rows are the same either way
    confirmed = included[included["strike_id"].astype(str) != "strike-test-candidate"]
    pd.testing.assert_frame_equal(
        confirmed.astype(str).reset_index(drop=True), default.astype(str).reset_index(drop=True)
    )


def test_the_table_has_no_duplicate_links(table):
    assert not table.duplicated(["strike_id", "asset_id", "country", "relation"]).any()


def test_the_table_is_the_same_on_every_run(dataset, table):
    again = dataset.link(rules=DEFAULT_RULES).astype(dict.fromkeys(TEXT, str))
    pd.testing.assert_frame_equal(again.reset_index(drop=True), table.reset_index(drop=True))
