import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from strikemap.analysis.view import (
    View,
    ViewError,
    apply_view,
    parse_bbox,
    strikes_extent,
    view_from_query,
    view_to_query,
)


@pytest.fixture
def strikes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["s-odesa", "s-orlivka", "s-kyiv", "s-izmail"],
            "date": ["2025-08-08", "2025-08-06", "2025-11-14", "2023-09-13"],
            "weapon": ["drone", "drone", "missile", "drone"],
            "geo_precision": [3, 2, 3, 1],
            "status": ["confirmed", "confirmed", "context", "confirmed"],
        },
        geometry=shapely.points(
            [[30.7233, 46.4825], [28.53, 45.39], [30.48, 50.46], [28.84, 45.35]]
        ),
        crs="EPSG:4326",
    )


@pytest.fixture
def links() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "strike_id": ["s-odesa", "s-odesa", "s-orlivka", "s-orlivka", "s-izmail"],
            "asset_id": ["fac-depot", "fac-depot", "fac-orlivka", "fac-orlivka", ""],
            "country": ["", "AZE", "", "AZE", "UKR"],
            "relation": ["target", "owner", "target", "supply_origin", "location"],
            "confidence": ["high", "high", "high", "high", "high"],
        }
    )


def test_default_view_hides_context_events(strikes, links):
    shown, _ = apply_view(strikes, links, View())
    assert set(shown["id"]) == {"s-odesa", "s-orlivka", "s-izmail"}


def test_context_events_shown_on_demand(strikes, links):
    shown, _ = apply_view(strikes, links, View(include_context=True))
    assert "s-kyiv" in set(shown["id"])


def test_unconfirmed_and_disputed_strikes_are_shown_by_default_and_can_be_left_out(links):
    statuses = ["confirmed", "unconfirmed", "disputed", "context", "candidate"]
    frame = gpd.GeoDataFrame(
        {
            "id": [f"s-{s}" for s in statuses],
            "date": ["2025-08-17"] * 5,
            "weapon": ["drone"] * 5,
            "geo_precision": [1] * 5,
            "status": statuses,
        },
        geometry=shapely.points([[30.7, 46.5]] * 5),
        crs="EPSG:4326",
    )
    shown, _ = apply_view(frame, links, View())
    assert list(shown["status"]) == ["confirmed", "unconfirmed", "disputed"]
    shown, _ = apply_view(frame, links, View(include_reported=False))
    assert list(shown["status"]) == ["confirmed"]
    everything = View(include_context=True, include_candidates=True)
    assert len(apply_view(frame, links, everything)[0]) == 5


def test_leaving_out_reported_strikes_travels_in_the_url():
    params = view_to_query(View(include_reported=False))
    assert params == {"include_reported": "0"}
    assert view_from_query(params)[0] == View(include_reported=False)
    assert view_to_query(View()) == {}


def test_time_window_and_weapon(strikes, links):
    view = View(date_from=dt.date(2025, 8, 1), date_to=dt.date(2025, 8, 7), weapons=("drone",))
    shown, shown_links = apply_view(strikes, links, view)
    assert list(shown["id"]) == ["s-orlivka"]
    assert set(shown_links["strike_id"]) == {"s-orlivka"}


def test_country_filter_keeps_strikes_with_a_matching_link(strikes, links):
    shown, shown_links = apply_view(strikes, links, View(countries=("AZE",)))
    assert set(shown["id"]) == {"s-odesa", "s-orlivka"}
    # the chain through the asset stays whole: target rows come along with the AZE rows
    assert set(shown_links["relation"]) == {"target", "owner", "supply_origin"}


def test_relation_filter_keeps_rows_and_strikes_of_that_relation(strikes, links):
    shown, shown_links = apply_view(strikes, links, View(relations=("owner",)))
    assert list(shown["id"]) == ["s-odesa"]
    assert list(shown_links["relation"]) == ["owner"]


def test_asset_type_filter_uses_the_asset_table(strikes, links):
    types = {"fac-depot": "oil_depot", "fac-orlivka": "compressor_station"}
    shown, _ = apply_view(strikes, links, View(asset_types=("oil_depot",)), asset_types=types)
    assert list(shown["id"]) == ["s-odesa"]


def test_bbox_filter(strikes, links):
    shown, _ = apply_view(strikes, links, View(bbox=(28.0, 45.0, 29.0, 46.0)))
    assert set(shown["id"]) == {"s-orlivka", "s-izmail"}


def test_url_round_trip():
    view = View(
        date_from=dt.date(2025, 1, 1),
        weapons=("drone", "missile"),
        precisions=(1, 2),
        countries=("AZE",),
        include_context=True,
        selected="strike-2025-08-06-orlivka",
    )
    restored, notices = view_from_query(view_to_query(view))
    assert restored == view
    assert notices == []


def test_bad_url_values_are_dropped_with_a_notice():
    view, notices = view_from_query(
        {"weapons": "drone,laser", "date_from": "yesterday", "min_confidence": "medium"}
    )
    assert view.weapons == ()
    assert view.date_from is None
    assert view.min_confidence == "medium"
    assert len(notices) == 2
    assert "laser" in notices[0]


def test_inverted_dates_are_refused():
    with pytest.raises(ViewError, match="after date_to"):
        View(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 1, 1))


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "31,45,28,47", "28,95,31,96"])
def test_bad_bbox_is_refused(text):
    with pytest.raises(ViewError, match="bbox"):
        parse_bbox(text)


def test_extent_of_no_strikes_is_none(strikes):
    assert strikes_extent(strikes.iloc[0:0]) is None
    west, south, east, north = strikes_extent(strikes)
    assert west < 28.53 < east
    assert south < 45.35 < north
