"""Static briefing maps: formats, page sizes, layout, empty selections and bad options.

Why one long module: every test draws from the same small synthetic layers and links (the
fixtures at the top); the sections follow the page from picture formats to legend and footer.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.testing.compare import compare_images
from PIL import Image
from pypdf import PdfReader
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, box

from strikemap.analysis import Analysis, Dataset, analyse
from strikemap.analysis.view import View
from strikemap.exports.files import ExportFormatError, ExportWriteError
from strikemap.geo.impact import LINK_COLUMNS
from strikemap.layers.catalog import BY_NAME, FACILITIES
from strikemap.layers.io import empty_layer, normalise_layer
from strikemap.maps import static
from strikemap.maps.static import (
    PAGES,
    build_figure,
    map_projection,
    render_static_map,
    select_view,
)
from strikemap.maps.static.captions import publishers, subtitle_text
from strikemap.maps.static.labels import LabelRequest, place_labels
from strikemap.maps.static.options import MIN_SPAN_DEG

BASELINE_IMAGE = Path(__file__).parent / "baseline" / "static_small.png"
"""Committed; only ``tests/update_baseline.py`` writes it, never a test run."""

ODESA = (30.7233, 46.4825)
IZMAIL = (28.8375, 45.35)
ORLIVKA = (28.53, 45.39)
A4_LANDSCAPE_PT = (841.89, 595.28)


def analysed(layers: dict[str, gpd.GeoDataFrame], links: pd.DataFrame, view: View) -> Analysis:
    """The analysis of synthetic layers and links (codes without a name keep their code)."""
    if not len(links.columns):
        links = pd.DataFrame(columns=list(LINK_COLUMNS))
    countries = links["country"]
    codes = sorted({str(c) for c in countries if c} | set(view.countries))
    names = pd.DataFrame({"iso3": codes, "name": codes})
    return analyse(Dataset.from_frames(layers, country_codes=names), view, links=links)


def _layer(name: str, rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    if not rows:
        return empty_layer(BY_NAME[name])
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    given = frame["sources"] if "sources" in frame.columns else [None] * len(frame)
    frame["sources"] = [s if isinstance(s, list) else ["https://example.org/x"] for s in given]
    precision = frame["geo_precision"] if "geo_precision" in frame.columns else 1
    frame["geo_precision"] = pd.Series(precision, index=frame.index).fillna(1).astype(int)
    return normalise_layer(frame, BY_NAME[name])


def _strike(sid: str, date: str, lonlat: tuple[float, float], **extra: object) -> dict:
    return {
        "id": sid,
        "name": sid,
        "date": date,
        "date_precision": "day",
        "weapon": extra.pop("weapon", "drone"),
        "status": extra.pop("status", "confirmed"),
        "geometry": Point(lonlat),
        **extra,
    }


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    return small_layers()


def small_layers() -> dict[str, gpd.GeoDataFrame]:
    """A small, fixed set of layers around Odesa and the Danube (real town coordinates)."""
    strikes = _layer(
        "strikes",
        [
            _strike(
                "strike-2025-08-06-orlivka",
                "2025-08-06",
                ORLIVKA,
                geo_precision=2,
                sources=["https://www.kyivindependent.com/a", "https://babel.ua/b"],
            ),
            _strike(
                "strike-2025-08-08-odesa",
                "2025-08-08",
                ODESA,
                geo_precision=3,
                sources=["https://azernews.az/c"],
            ),
            _strike("strike-2025-08-18-odesa", "2025-08-18", ODESA, weapon="missile"),
            _strike(
                "strike-2025-10-22-izmail",
                "2025-10-22",
                IZMAIL,
                sources=["dataset:ACLED (Ukrinform)"],
            ),
            _strike("strike-2025-11-14-kyiv", "2025-11-14", (30.482, 50.462), status="context"),
        ],
    )
    facilities = _layer(
        "facilities",
        [
            {
                "id": "fac-orlivka-cs",
                "name": "Orlivka CS",
                "asset_type": "compressor_station",
                "geometry": Point(28.60, 45.42),
            },
            {
                "id": "fac-socar-odesa",
                "name": "SOCAR depot",
                "asset_type": "oil_depot",
                "geometry": Point(30.70, 46.55),
            },
        ],
    )
    pipelines = _layer(
        "pipelines",
        [
            {
                "id": "pipe-trans-balkan",
                "name": "Trans-Balkan",
                "asset_type": "gas_transmission",
                "flow_direction": "forward",
                "route_accuracy": "schematic",
                "geometry": LineString([(28.46, 45.27), (28.6, 45.42), (29.41, 46.64)]),
            }
        ],
    )
    countries = _layer(
        "countries",
        [
            {"id": "country-ukr", "name": "Ukraine", "iso3": "UKR",
             "geometry": box(28.2, 45.45, 33.0, 49.0).union(box(28.9, 45.2, 29.8, 45.45))},
            {"id": "country-rou", "name": "Romania", "iso3": "ROU",
             "geometry": box(25.0, 43.5, 28.2, 45.45).union(box(28.2, 44.5, 28.9, 45.45))},
            {"id": "country-mda", "name": "Moldova", "iso3": "MDA",
             "geometry": box(26.6, 45.45, 28.2, 48.5)},
        ],
    )  # fmt: skip
    empty = {name: _layer(name, []) for name in ("power_lines", "fuel_stations")}
    return {
        "strikes": strikes,
        "facilities": facilities,
        "pipelines": pipelines,
        "countries": countries,
        **empty,
    }


@pytest.fixture
def links() -> pd.DataFrame:
    return small_links()


def small_links() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("strike-2025-08-06-orlivka", "fac-orlivka-cs", "facilities", "UKR", "target", 7000.0,
             "medium", "within the hit radius"),
            ("strike-2025-08-06-orlivka", "pipe-trans-balkan", "pipelines", "ROU", "nearby", 2000.0,
             "low", "within the threat radius"),
            ("strike-2025-08-08-odesa", "fac-socar-odesa", "facilities", "AZE", "owner", 8000.0,
             "high", "SOCAR is Azerbaijani"),
            ("strike-2025-10-22-izmail", "", "", "ROU", "border", 12000.0, "low", "Romania near"),
        ],
        columns=["strike_id", "asset_id", "asset_layer", "country", "relation", "distance_m",
                 "confidence", "detail"],
    )  # fmt: skip


def _png_pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


# --------------------------------------------------------------------------------------------
# Formats


def test_png_has_the_page_size_in_pixels_and_is_not_blank(layers, links, tmp_path):
    out = tmp_path / "brief.png"
    result = render_static_map(analysed(layers, links, View()), out=out, dpi=100)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = _png_pixels(out)
    assert pixels.shape[:2] == pytest.approx((8.2677 * 100, 11.6929 * 100), abs=1)
    assert result.size_px == (pixels.shape[1], pixels.shape[0])
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # drawn, not blank
    strike_red = np.all(np.abs(pixels.astype(int) - (214, 39, 40)) < 30, axis=-1)
    assert strike_red.sum() > 20  # the drone strikes are there
    assert result.n_strikes == 4  # the context strike in Kyiv is hidden by default
    assert result.n_links == 3  # the border link has no asset to draw a line to


@pytest.mark.parametrize(
    ("page", "size_in"), [("a4-portrait", (8.2677, 11.6929)), ("slide", (13.333, 7.5))]
)
def test_png_pixel_size_follows_page_and_dpi(layers, links, tmp_path, page, size_in):
    out = tmp_path / "brief.png"
    render_static_map(analysed(layers, links, View()), out=out, page=page, dpi=60)
    with Image.open(out) as image:
        assert image.size == pytest.approx((size_in[0] * 60, size_in[1] * 60), abs=1)


def test_pdf_is_a4_landscape_with_embedded_fonts_and_real_text(layers, links, tmp_path):
    out = tmp_path / "brief.pdf"
    result = render_static_map(analysed(layers, links, View()), out=out, title="Odesa brief")
    assert out.read_bytes()[:5] == b"%PDF-"
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        A4_LANDSCAPE_PT, abs=0.5
    )
    fonts = page["/Resources"]["/Font"]
    descriptors = [fonts[name].get_object() for name in fonts]
    assert all("/FontFile2" in _descriptor(font) for font in descriptors)  # TrueType, embedded
    text = page.extract_text()
    assert "Odesa brief" in text
    assert "Natural Earth" in text
    assert result.size_px is None


def _descriptor(font) -> dict:
    if "/FontDescriptor" in font:
        return font["/FontDescriptor"].get_object()
    return font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()


def test_svg_keeps_legend_scale_bar_and_footer_as_text(layers, links, tmp_path):
    out = tmp_path / "brief.svg"
    render_static_map(analysed(layers, links, View()), out=out)
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    for words in ("Strikes", "drone", "gas transmission pipeline", "km", "Data cut-off"):
        assert words in svg, words


def test_writes_into_a_file_object(layers, links):
    buffer = io.BytesIO()
    result = render_static_map(analysed(layers, links, View()), out=buffer, fmt="pdf")
    assert buffer.getvalue()[:5] == b"%PDF-"
    assert result.path is None


# --------------------------------------------------------------------------------------------
# Layout guarded by a stored image


def render_baseline_map(out: Path) -> None:
    """Draw the small fixture map that ``tests/baseline/static_small.png`` holds."""
    analysis = analysed(small_layers(), small_links(), View())
    render_static_map(analysis, out=out, dpi=60, title="Baseline map")


def test_layout_matches_the_committed_baseline(tmp_path):
    actual = tmp_path / "static_small.png"
    render_baseline_map(actual)
    difference = compare_images(str(BASELINE_IMAGE), str(actual), tol=2.0)
    assert difference is None, (
        f"{difference}; if the change of the map is intended, run "
        "`python tests/update_baseline.py`, look at the image and commit it"
    )


# --------------------------------------------------------------------------------------------
# What the map says


def test_footer_names_cutoff_of_all_data_and_publishers_of_shown_strikes(layers, links, tmp_path):
    out = tmp_path / "brief.svg"
    view = View(date_to=dt.date(2025, 8, 31))
    render_static_map(analysed(layers, links, view), out=out)
    svg = out.read_text(encoding="utf-8")
    assert "14 Nov 2025" in svg  # cut-off: the latest strike in the data, even hidden
    assert "kyivindependent.com" in svg
    assert "azernews.az" in svg
    assert "ACLED" not in svg  # the Izmail strike (October) is outside the window


def test_long_titles_shrink_to_the_page_and_many_publishers_are_counted(layers, links):
    strikes = layers["strikes"].copy()
    strikes["sources"] = [[f"https://site{i}-{k}.example/a" for k in range(40)] for i in range(5)]
    layers = {**layers, "strikes": strikes}
    title = "A very long title for a briefing map " * 6
    with mpl.rc_context(static.RC_PARAMS):
        fig, _ = build_figure(analysed(layers, links, View()), dpi=60, title=title)
    renderer = fig.canvas.get_renderer()
    heading = next(t for t in fig.texts if t.get_text().startswith("A very long"))
    assert heading.get_text().endswith("…")
    assert heading.get_window_extent(renderer).x1 <= fig.bbox.width
    footer = next(t.get_text() for t in fig.texts if t.get_text().startswith("Data cut-off"))
    footer = " ".join(footer.split())
    assert "and 80 more (all in the table export)" in footer  # 4 x 40 publishers, 80 named


def test_publishers_are_hostnames_and_dataset_names(layers):
    assert publishers(layers["strikes"]) == [
        "ACLED (Ukrinform)",
        "azernews.az",
        "babel.ua",
        "example.org",
        "kyivindependent.com",
    ]


def test_subtitle_states_window_and_filters_in_words(layers, links):
    view = View(
        date_from=dt.date(2025, 8, 1),
        weapons=("drone",),
        countries=("AZE",),
        min_confidence="medium",
    )
    sel = select_view(analysed(layers, links, view))
    text = subtitle_text(view, sel.strikes, countries=layers["countries"])
    assert text.startswith("1 Aug 2025 – data cut-off · 1 confirmed strike ·")
    assert "weapons: drone" in text
    assert "linked to AZE" in text  # AZE is not in the countries layer: the code stays
    assert "medium confidence" in text


def test_subtitle_counts_unconfirmed_strikes_apart(layers, links):
    strikes = layers["strikes"].copy()
    strikes["status"] = ["unconfirmed"] + ["confirmed"] * (len(strikes) - 1)
    text = subtitle_text(View(), strikes, countries=layers["countries"])
    assert f"· {len(strikes)} strikes (1 unconfirmed) ·" in text
    left_out = subtitle_text(View(include_reported=False), strikes.iloc[1:], countries=strikes[:0])
    assert "unconfirmed and disputed strikes left out" in left_out


def test_legend_lists_only_what_the_map_shows(layers, links):
    with mpl.rc_context(static.RC_PARAMS):
        fig, _ = build_figure(analysed(layers, links, View()), dpi=60)
    texts = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
    assert {"drone", "missile", "compressor station", "oil depot"} <= texts
    assert "combined" not in texts
    assert "port" not in texts
    assert "power line" not in texts
    assert "strike → target asset" in texts


def test_age_colouring_and_links_off_change_the_legend(layers, links):
    view = View(color_by="age", date_to=dt.date(2025, 10, 31))
    with mpl.rc_context(static.RC_PARAMS):
        fig, info = build_figure(analysed(layers, links, view), dpi=60, links_on=False)
    texts = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
    assert {"strike, under 30 days", "strike, 30-180 days"} <= texts
    assert "drone" not in texts
    assert not any(text.startswith("strike →") for text in texts)
    assert info.n_links == 0


def test_selected_strike_gets_its_uncertainty_circle(layers, links):
    view = View(selected="strike-2025-08-06-orlivka")
    with mpl.rc_context(static.RC_PARAMS):
        fig, _ = build_figure(analysed(layers, links, view), dpi=60)
    circles = [p for p in fig.axes[0].patches if isinstance(p, mpl.patches.Circle)]
    assert {c.get_radius() for c in circles} == {10_000.0}  # precision 2: 10 km
    texts = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
    assert "selected strike, location uncertainty" in texts


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_full_legend_fits_its_panel_beside_the_map(layers, links, page, caplog):
    types = list(FACILITIES.type_colors)
    facilities = _layer(
        "facilities",
        [
            {"id": f"fac-{i}", "name": t, "asset_type": t, "geometry": Point(29 + i * 0.1, 46)}
            for i, t in enumerate(types)
        ],
    )
    layers = {**layers, "facilities": facilities}
    with mpl.rc_context(static.RC_PARAMS):
        fig, _ = build_figure(
            analysed(layers, links, View(include_context=True)), page=page, dpi=60
        )
    renderer = fig.canvas.get_renderer()
    map_box = fig.axes[0].get_window_extent(renderer)
    texts = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
    assert {t.replace("_", " ") for t in types} <= texts
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        assert not box.overlaps(map_box)
        assert box.x0 >= 0
        assert box.y0 >= 0
        assert box.x1 <= fig.bbox.width
        assert box.y1 <= fig.bbox.height
    assert "does not fit" not in caplog.text


def test_one_strike_still_shows_its_surroundings(layers, links, tmp_path):
    view = View(date_from=dt.date(2025, 10, 1), date_to=dt.date(2025, 10, 31))
    result = render_static_map(analysed(layers, links, view), out=tmp_path / "one.png", dpi=50)
    west, south, east, north = result.extent
    assert result.n_strikes == 1
    assert east - west >= MIN_SPAN_DEG[0]
    assert north - south >= MIN_SPAN_DEG[1]


def test_map_labels_do_not_overlap(layers, links):
    with mpl.rc_context(static.RC_PARAMS):
        fig, _ = build_figure(analysed(layers, links, View()), dpi=60)
    renderer = fig.canvas.get_renderer()
    map_ax = fig.axes[0]
    labels = [t for t in map_ax.texts if t.get_text() and t.get_zorder() >= 2]
    names = {t.get_text() for t in labels}
    assert {"Odesa", "Izmail"} <= names
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            assert not first.overlaps(second)


def test_projection_is_metric_and_the_scale_is_true_at_the_centre():
    crs, visible = map_projection((28.0, 45.0, 31.0, 47.0), aspect=1.5)
    assert crs.is_projected
    assert crs.axis_info[0].unit_name == "metre"
    assert (visible[2] - visible[0]) / (visible[3] - visible[1]) == pytest.approx(1.5)
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform([29.0, 30.0], [46.0, 46.0])
    _, _, metres = Geod(ellps="WGS84").inv(29.0, 46.0, 30.0, 46.0)
    assert np.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(metres, rel=2e-3)


def test_view_bbox_sets_the_extent(layers, links, tmp_path):
    view = View(bbox=(28.0, 45.0, 29.5, 46.0))
    result = render_static_map(analysed(layers, links, view), out=tmp_path / "m.png", dpi=50)
    west, south, east, north = result.extent
    assert west <= 28.0
    assert south <= 45.0
    assert east >= 29.5
    assert north >= 46.0
    assert east - west < 3.0
    assert north - south < 2.0
    assert result.n_strikes == 2  # Orlivka and Izmail; Odesa is east of the box


def test_no_pyplot_state_or_rc_changes_leak(layers, links, tmp_path):
    import matplotlib.pyplot as plt

    before = dict(mpl.rcParams)
    render_static_map(analysed(layers, links, View()), out=tmp_path / "m.svg")
    assert plt.get_fignums() == []
    assert dict(mpl.rcParams) == before


# --------------------------------------------------------------------------------------------
# Empty selections and fallbacks


def test_empty_selection_still_gives_a_map_with_a_notice(layers, links, tmp_path):
    out = tmp_path / "empty.png"
    view = View(date_from=dt.date(2030, 1, 1))
    result = render_static_map(analysed(layers, links, view), out=out, dpi=60)
    assert result.n_strikes == 0
    assert any("No strikes match" in w for w in result.warnings)
    assert out.read_bytes()[:4] == b"\x89PNG"
    svg_out = tmp_path / "empty.svg"
    render_static_map(analysed(layers, links, view), out=svg_out)
    assert "No strikes match the filters" in svg_out.read_text(encoding="utf-8")


def test_no_layers_at_all_still_gives_a_map(tmp_path):
    result = render_static_map(analysed({}, pd.DataFrame(), View()), out=tmp_path / "m.pdf")
    assert result.n_strikes == 0
    assert result.warnings
    assert (tmp_path / "m.pdf").stat().st_size > 1000


@pytest.mark.skipif(
    importlib.util.find_spec("contextily") is not None, reason="needs contextily absent"
)
def test_tiles_fall_back_to_the_offline_basemap_with_a_warning(layers, links, tmp_path, caplog):
    result = render_static_map(
        analysed(layers, links, View()), out=tmp_path / "t.png", dpi=50, basemap="tiles"
    )
    assert result.basemap == "offline"
    assert any("contextily is not installed" in w for w in result.warnings)
    assert "Tile basemap unavailable" in caplog.text
    assert (tmp_path / "t.png").exists()


# --------------------------------------------------------------------------------------------
# Bad options


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"out": "brief.html"}, "interactive map"),
        ({"out": "brief.gif"}, "unknown export format 'gif'"),
        ({"out": "brief", "fmt": None}, "cannot tell the format"),
        ({"out": "brief.png", "fmt": "pdf"}, "does not match"),
        ({"out": "brief.png", "page": "a3"}, "a4-landscape, a4-portrait, slide"),
        ({"out": "brief.png", "dpi": 0}, "dpi 0 is out of range"),
        ({"out": "brief.png", "dpi": 150.5}, "whole number"),
        ({"out": "brief.png", "basemap": "google"}, "unknown basemap"),
    ],
)
def test_bad_options_raise_value_errors_that_say_what_to_do(layers, links, tmp_path, kwargs, match):
    kwargs = {**kwargs, "out": tmp_path / kwargs["out"]}
    with pytest.raises(ExportFormatError, match=match) as caught:
        render_static_map(analysed(layers, links, View()), **kwargs)
    assert isinstance(caught.value, ValueError)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_paths_raise_os_errors_before_drawing(layers, links, tmp_path):
    with pytest.raises(ExportWriteError, match="does not exist; create it") as caught:
        render_static_map(analysed(layers, links, View()), out=tmp_path / "missing" / "m.png")
    assert isinstance(caught.value, OSError)
    with pytest.raises(OSError, match="is a folder"):
        render_static_map(analysed(layers, links, View()), out=tmp_path, fmt="png")


def test_page_presets_are_the_three_promised():
    assert set(PAGES) == {"a4-landscape", "a4-portrait", "slide"}
    assert PAGES["slide"].width / PAGES["slide"].height == pytest.approx(16 / 9, rel=1e-3)


# --------------------------------------------------------------------------------------------
# Label placement


def test_place_labels_moves_a_clashing_label_and_drops_one_that_cannot_fit():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    renderer = fig.canvas.get_renderer()
    requests = [
        LabelRequest("First", 0.5, 0.5, priority=0, style={"fontsize": 8}),
        LabelRequest("Second", 0.5, 0.5, priority=1, style={"fontsize": 8}),
        LabelRequest("Far too long a label for this tiny map", 0.5, 0.5, priority=2),
    ]
    placed = place_labels(ax, requests, renderer=renderer)
    assert [t.get_text() for t in placed] == ["First", "Second"]
    first, second = (t.get_window_extent(renderer) for t in placed)
    assert not first.overlaps(second)
