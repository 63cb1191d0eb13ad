"""The catalogue is the one place for layer facts: both maps draw what it lists, as it says."""

from __future__ import annotations

import pytest

from strikemap.layers.catalog import ASSET_LAYERS, CATALOG, STRIKES
from strikemap.maps.interactive import BACKGROUND_LAYERS
from strikemap.maps.style import asset_legend


@pytest.mark.parametrize("spec", ASSET_LAYERS, ids=lambda s: s.name)
def test_every_asset_type_has_its_own_colour(spec) -> None:
    if not spec.type_colors:
        return  # one colour for the whole layer
    vocabulary = spec.field("asset_type").vocabulary
    assert set(spec.type_colors) == set(vocabulary)
    if "Point" in spec.geometry_types:
        assert set(spec.type_markers) == set(vocabulary)


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_every_layer_credits_its_sources(spec) -> None:
    assert spec.attribution.strip()


def test_the_live_map_draws_every_catalogue_layer_under_the_strikes() -> None:
    assert BACKGROUND_LAYERS[0] == "countries"
    assert set(BACKGROUND_LAYERS) == {s.name for s in CATALOG} - {STRIKES.name}


def test_the_legend_lists_types_present_with_catalogue_colours(minimal_features) -> None:
    import geopandas as gpd

    from strikemap.layers.catalog import BY_NAME, FACILITIES

    frames = {
        name: gpd.GeoDataFrame.from_features(features, crs=4326)
        for name, features in minimal_features.items()
        if BY_NAME[name].is_asset
    }
    rows = {row.label: row.color for row in asset_legend(frames)}
    assert rows["compressor station"] == FACILITIES.type_colors["compressor_station"]
    assert rows["gas transmission pipeline"] == "#1f77b4"
    assert "fuel station" in rows
    assert "power line" in rows
    assert "oil depot" not in rows  # no depot in the data: no legend row
