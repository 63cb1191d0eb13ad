"""The app's support without Streamlit: panels, the timeline, map events and the URL."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest

from strikemap.analysis.dataset import load_dataset
from strikemap.analysis.view import View
from strikemap.geo.assets import combine_assets
from strikemap.geo.detail import LinkExplainer
from strikemap.layers.catalog import ASSET_ROLES
from strikemap.layers.io import read_layers
from strikemap.maps import popups
from strikemap.webapp import panels, session
from strikemap.webapp.map_events import Drawn, read_map_value

ORLIVKA = "strike-2025-08-06-orlivka"


@pytest.fixture
def layers(make_data_dir, minimal_features) -> dict[str, gpd.GeoDataFrame]:
    return read_layers(data_dir=make_data_dir(**minimal_features))


@pytest.fixture
def links() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "strike_id": [ORLIVKA] * 3,
            "asset_id": ["fac-orlivka-cs", "fac-orlivka-cs", ""],
            "asset_layer": ["facilities", "facilities", ""],
            "country": ["UKR", "AZE", "UKR"],
            "relation": ["target", "supply_origin", "location"],
            "distance_m": [0.0, 0.0, None],
            "confidence": ["high", "high", "high"],
            "detail": ["named by sources <i>", "Azerbaijani gas since 2025-07-28", "in Ukraine"],
        }
    )


def test_country_table(layers, links):
    table = panels.country_table(links, layers["strikes"], country_names={"UKR": "Ukraine"})
    assert set(table.index) == {"AZE", "UKR"}
    ukr = table.loc["UKR"]
    assert ukr["name"] == "Ukraine"
    assert ukr["affected"] + ukr["exposed"] == ukr["high"] + ukr["medium"] + ukr["low"]
    assert ukr["first date"] == layers["strikes"]["date"].iloc[0]
    assert table.loc["AZE", "name"] == "AZE"  # no name known: the code


def test_impact_chain_is_readable_and_escaped(make_data_dir, minimal_features, links):
    strike_feature = minimal_features["strikes"][0]
    strike_feature["properties"].update(
        place="Novosilske", sources=["https://example.org/a?b=1&c=2"]
    )
    minimal_features["facilities"][0]["properties"]["name"] = "Orlivka <b>CS</b>"
    layers = read_layers(data_dir=make_data_dir(**minimal_features))
    strike = layers["strikes"].iloc[0].to_dict()
    assets = combine_assets(layers, layers=ASSET_ROLES)
    relations = pd.DataFrame(columns=["asset_id", "country", "relation", "valid_from", "valid_to"])
    explainer = LinkExplainer(
        layers["strikes"],
        assets,
        relations,
        layers["countries"],
        country_names={"AZE": "Azerbaijan"},
    )
    body = popups.impact_chain_html(strike, links, explainer)
    assert "Orlivka &lt;b&gt;CS&lt;/b&gt;" in body
    assert "Azerbaijan: supply origin" in body
    assert body.index("<i>target</i>") < body.index("Azerbaijan") < body.index("<i>location</i>")
    assert "named by sources as the target" in body
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in body
    assert "Novosilske" in body


def test_the_strike_picker_keeps_a_hidden_selection_and_caps_its_length(layers):
    strikes = layers["strikes"]
    options = panels.strike_options(strikes.iloc[:0], ORLIVKA)
    assert options == ["", ORLIVKA]
    many = pd.concat([strikes] * 5, ignore_index=True)
    many["id"] = [f"strike-{i}" for i in range(len(many))]
    many["date"] = [f"2025-01-{i + 1:02d}" for i in range(len(many))]
    newest = panels.strike_options(many, limit=3)
    assert newest == ["", many["id"].iloc[-1], many["id"].iloc[-2], many["id"].iloc[-3]]
    assert panels.strike_options(many, "strike-0", limit=3)[-1] == "strike-0"


# ------------------------------------------------------------------------------------------
# timeline


def two_strikes() -> tuple[pd.DataFrame, pd.DataFrame]:
    strikes = pd.DataFrame(
        {
            "id": ["s-a", "s-b", "s-c"],
            "date": ["2025-08-04", "2025-08-06", "2025-08-13"],
            "weapon": ["drone", "missile", "drone"],
        }
    )
    links = pd.DataFrame(
        {
            "strike_id": ["s-a", "s-a", "s-a", "s-b", "s-c"],
            "country": ["UKR", "AZE", "MDA", "MDA", "UKR"],
            "confidence": ["high", "high", "low", "low", "high"],
        }
    )
    return strikes, links


def test_the_timeline_counts_each_strike_once_whatever_it_touches():
    strikes, links = two_strikes()
    counts, categories, colors = panels.timeline_counts(strikes, links, by="weapon")
    assert counts["strikes"].sum() == len(strikes)
    first_week = counts[counts["period"] == pd.Timestamp("2025-08-04")]
    assert dict(zip(first_week["category"], first_week["strikes"], strict=True)) == {
        "drone": 1,
        "missile": 1,
    }
    assert categories == ["drone", "missile"]
    assert len(colors) == 2
    # s-a touches three countries: still one strike in the bar
    by_country, categories, _ = panels.timeline_counts(
        strikes, links, by="affected country", country="MDA", country_names={"MDA": "Moldova"}
    )
    assert by_country["strikes"].sum() == len(strikes)
    assert categories == ["Moldova: exposed only", "not linked to Moldova"]
    aze, categories, _ = panels.timeline_counts(
        strikes, links, by="affected country", country="AZE"
    )
    assert set(aze["category"]) == {"AZE: affected", "not linked to AZE"}


def test_the_timeline_steps_by_day_for_short_windows():
    strikes, links = two_strikes()
    assert panels.timeline_step(dt.date(2025, 8, 1), dt.date(2025, 9, 1)) == "day"
    assert panels.timeline_step(dt.date(2023, 8, 1), dt.date(2025, 9, 1)) == "week"
    daily, _, _ = panels.timeline_counts(strikes, links, step="day")
    assert sorted(daily["period"].dt.day.tolist()) == [4, 6, 13]
    with pytest.raises(ValueError, match="timeline by"):
        panels.timeline_counts(strikes, links, by="colour")


# ------------------------------------------------------------------------------------------
# map events


def test_a_click_on_a_strike_selects_it_once():
    drawn = Drawn("abc123", ["s-a", "s-b"])
    value = {
        "last_object_clicked_tooltip": "synthetic · drone [s:abc123:1]",
        "last_object_clicked_count": 4,
    }
    events = read_map_value(value, drawn=drawn, last_clicks=3)
    assert events.selected == "s-b"
    assert events.clicks == 4
    again = read_map_value(value, drawn=drawn, last_clicks=4)
    assert again.selected is None  # the same click, reported again
    stale = read_map_value(value, drawn=Drawn("other", ["s-a", "s-b"]), last_clicks=3)
    assert stale.selected is None  # clicked on a map drawn before the filters changed
    asset = {
        "last_object_clicked_tooltip": "Orlivka compressor station",
        "last_object_clicked_count": 5,
    }
    assert read_map_value(asset, drawn=drawn, last_clicks=4).selected is None


def test_map_messages_choose_the_basemap_and_place_the_probe():
    value = {
        "last_object_clicked_tooltip": "strikemap:basemap:Offline (countries)",
        "last_object_clicked_count": 1,
    }
    events = read_map_value(value, drawn=None, last_clicks=0)
    assert events.basemap == "Offline (countries)"
    assert events.selected is None
    probe = {
        "last_object_clicked_tooltip": "strikemap:probe:45.35,28.85",
        "last_object_clicked_count": 2,
    }
    assert read_map_value(probe, drawn=None, last_clicks=1).probe_at == (45.35, 28.85)
    bad = {
        "last_object_clicked_tooltip": "strikemap:probe:north,south",
        "last_object_clicked_count": 3,
    }
    assert read_map_value(bad, drawn=None, last_clicks=2).probe_at is None
    assert read_map_value(None, drawn=None, last_clicks=2).clicks == 2


# ------------------------------------------------------------------------------------------
# URL


def test_the_url_keeps_the_map_view_radii_and_probe_and_gives_them_back():
    data = load_dataset()
    dates = panels.date_range(data.strikes)
    params = {
        "center": "45.35,28.85",
        "zoom": "10",
        "hit": "0.5,2.5,10",
        "border": "40",
        "probe": "45.39,28.53,2",
        "weapons": "drone",
    }
    state = session.initial_state(params, data, dates)
    assert state["url_notices"] == []
    assert state["map_view"] == (45.35, 28.85, 10)
    assert state["hit_1"] == 2.5
    assert state["threat_1"] == 10.0
    assert state["border"] == 40.0
    assert state["probe_on"]
    assert state["probe_precision"] == 2
    view = session.view_from_state(state)
    back = session.url_params(view, dates, state)
    assert back == {
        "weapons": "drone",
        "center": "45.3500,28.8500",
        "zoom": "10",
        "hit": "0.5,2.5,10",
        "border": "40",
        "probe": "45.3900,28.5300,2",
    }
    radii = session.radii_of(state)
    assert dict(radii[0])[1] == 2_500.0
    assert radii[2] == 40_000.0


@pytest.mark.parametrize(
    ("name", "value"),
    [("center", "north"), ("zoom", "40"), ("hit", "1,2"), ("probe", "91,30,1"), ("border", "-1")],
)
def test_bad_view_radii_or_probe_in_the_url_give_a_notice(name, value):
    data = load_dataset()
    params = {name: value} | ({"zoom": "8"} if name == "center" else {})
    params |= {"center": "46,30"} if name == "zoom" else {}
    state = session.initial_state(params, data, panels.date_range(data.strikes))
    assert any(name in notice for notice in state["url_notices"]), state["url_notices"]
    assert state["map_view"] is None or name not in ("center", "zoom")
    assert View() == session.view_from_state(state).with_(
        date_from=None, date_to=None
    )  # the rest of the page is the default one


def test_timeline_offers_linked_countries_most_links_first():
    links = pd.DataFrame({"country": ["ROU", "MDA", "ROU", "", None]})
    names = {"AZE": "Azerbaijan", "MDA": "Moldova", "ROU": "Romania"}
    assert panels.timeline_countries(links, names) == ["ROU", "MDA"]
    assert panels.timeline_countries(links.iloc[0:0], names) == ["AZE", "MDA", "ROU"]
