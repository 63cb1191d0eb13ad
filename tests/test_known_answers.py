"""Known answers: which countries every shipped strike affects, checked exactly.

``tests/known_answers.csv`` is a reviewed table with one row per strike and affected country:
a country reached by the impact join at medium or high confidence (the *affected* tier; countries
reached only at low confidence are *exposed* and not listed), with the relations that reach it
and, in ``basis``, the sources that back the answer. A strike that affects no country has one row
with ``country`` empty. Every shipped strike is in the table.

The test runs the join on the shipped data with the default rules (the ``shipped`` fixture of
``conftest.py``) and compares both ways: no strike or country missing from the table, none extra,
and the same relations.

**A change of data or rules that moves an attribution must change this table in the same
commit, with the reason in the commit message** (for example "B-E10 moved from the Moldovan
debris site to Izmail: MDA location no longer reached"). Review the new row against the
sources (``reported_countries`` / ``reported_why`` in the strike, ``../shared/research/facts.md``)
before writing it down; docs/DATA.md lists the known limitations.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

TABLE = Path(__file__).with_name("known_answers.csv")
AFFECTED = ("medium", "high")
Answer = tuple[str, str, str]
"""``(strike id, country or '', relations joined by ';' in sorted order)``."""


def reviewed() -> pd.DataFrame:
    return pd.read_csv(TABLE, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def computed(shipped) -> tuple[set[str], set[Answer]]:
    """The shipped strike ids, and the join's answers in the table's form."""
    frames, links = shipped
    affected = links[(links["country"] != "") & links["confidence"].isin(AFFECTED)]
    grouped = affected.groupby(["strike_id", "country"])["relation"].agg(
        lambda r: ";".join(sorted(set(r)))
    )
    answers = {(s, c, r) for (s, c), r in grouped.items()}
    strikes = set(frames["strikes"]["id"])
    answers |= {(s, "", "") for s in strikes - {a[0] for a in answers}}
    return strikes, answers


def test_the_table_is_well_formed() -> None:
    table = reviewed()
    assert list(table.columns) == ["strike_id", "country", "relations", "basis"]
    assert not table.duplicated(["strike_id", "country"]).any()
    assert (table["basis"].str.len() > 10).all(), "every row says what backs it"
    none = table[table["country"] == ""]
    assert (none["relations"] == "").all()
    assert not none["strike_id"].isin(table.loc[table["country"] != "", "strike_id"]).any()
    relations = table.loc[table["country"] != "", "relations"].str.split(";")
    assert relations.map(lambda r: r == sorted(set(r)) and all(r)).all()


def test_every_shipped_strike_has_a_reviewed_answer(computed) -> None:
    strikes, _ = computed
    listed = set(reviewed()["strike_id"])
    assert sorted(strikes - listed) == [], "strikes without a reviewed answer"
    assert sorted(listed - strikes) == [], "reviewed answers for strikes no longer shipped"


def test_no_reviewed_attribution_is_missing(computed) -> None:
    _, answers = computed
    table = reviewed()
    expected = set(zip(table["strike_id"], table["country"], table["relations"], strict=True))
    assert sorted(expected - answers) == [], "the join no longer gives these reviewed answers"


def test_the_join_adds_no_unreviewed_attribution(computed) -> None:
    _, answers = computed
    table = reviewed()
    expected = set(zip(table["strike_id"], table["country"], table["relations"], strict=True))
    assert sorted(answers - expected) == [], "the join gives these answers nobody reviewed"
