"""Link text built in Arrow: what a CSV reader, a spreadsheet or json.loads gets back."""

from __future__ import annotations

import csv
import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from strikemap.exports.arrow_csv import csv_blocks, csv_bytes
from strikemap.exports.arrow_json import geometry_texts, record_texts
from strikemap.exports.files import FORMULA_PREFIXES

TRICKY = [
    "plain",
    "comma, inside",
    'a "quoted" word',
    "two\nlines",
    "carriage\rreturn",
    "",
    "  spaces  ",
    "Izmail – Ізмаїл, Одеса",
    '=HYPERLINK("http://example.org")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tTab first",
]


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    text = [TRICKY[i] for i in rng.integers(0, len(TRICKY), n)]
    cats = pd.Categorical([TRICKY[i] for i in rng.integers(0, len(TRICKY), n)])
    cats[::7] = np.nan
    numbers = pd.array(rng.integers(-5, 10**6, n), dtype="Int64")
    numbers[::5] = pd.NA
    return pd.DataFrame({"text": text, "category": cats, "metres": numbers})


def _expected_cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def test_a_csv_reader_gets_every_cell_back_with_formulas_defused():
    frame = _frame(500)
    text = csv_bytes(frame).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["text", "category", "metres"]
    assert len(rows) == len(frame) + 1
    for got, (_, row) in zip(rows[1:], frame.iterrows(), strict=True):
        assert got[0] == _expected_cell(row["text"])
        assert got[1] == _expected_cell(row["category"])
        assert got[2] == ("" if pd.isna(row["metres"]) else str(int(row["metres"])))


def test_the_text_is_pandas_csv_where_pandas_quotes_correctly():
    frame = _frame(300)
    frame = frame[~frame["text"].str.contains("\r")].reset_index(drop=True)
    frame["category"] = frame["category"].cat.remove_categories(["carriage\rreturn"])
    expected = frame.astype({"category": object}).map(_expected_cell)
    expected["metres"] = frame["metres"]
    assert csv_bytes(frame).decode("utf-8") == expected.to_csv(index=False, lineterminator="\n")


@pytest.mark.parametrize("rows", [1, 7, 1000])
def test_blocks_of_any_size_make_the_same_file(rows):
    frame = _frame(50)
    assert b"".join(csv_blocks(frame, rows=rows)) == csv_bytes(frame)


def test_a_carriage_return_is_quoted_so_no_reader_splits_the_row():
    text = csv_bytes(pd.DataFrame({"a": ["x\ry"], "b": ["z"]})).decode()
    assert text == 'a,b\n"x\ry",z\n'


def test_an_empty_table_is_its_header_line():
    assert csv_bytes(pd.DataFrame({"a": pd.Series([], dtype=object)})) == b"a\n"


# --------------------------------------------------------------------------------------------
# JSON and GeoJSON built in Arrow (exports.arrow_json) are json.dumps' bytes


def test_json_records_are_json_dumps_of_the_same_records():
    frame = _frame(200)
    frame["text"] = frame["text"].where(frame.index % 3 > 0, 'tab\tquote"back\\slash\x01')
    texts = record_texts(frame, start="{", key_separator=": ", item_separator=", ", end="}")
    for got, (_, row) in zip(texts.to_pylist(), frame.iterrows(), strict=True):
        record = {
            "text": row["text"],
            "category": "" if pd.isna(row["category"]) else row["category"],
            "metres": None if pd.isna(row["metres"]) else int(row["metres"]),
        }
        assert got == json.dumps(record, ensure_ascii=False)


def test_geometry_texts_are_json_dumps_of_the_coordinates():
    rng = np.random.default_rng(5)
    xy = np.round(rng.uniform(-180, 180, (300, 2)), 6)
    xy[:3] = [[30.0, 46.0], [-0.00001, 1e-7], [28.864039, 30.888822]]
    shapes = np.concatenate(
        [shapely.points(xy[:150]), shapely.linestrings(np.stack([xy[150:], xy[:150]], 1))]
    )
    got = geometry_texts(shapes).to_pylist()
    assert got == [json.dumps(shapely.geometry.mapping(s), separators=(",", ":")) for s in shapes]


def test_features_of_other_shapes_are_written_by_json():
    from strikemap.exports.links import geojson_features

    shapes = [shapely.box(28.0, 45.0, 28.5, 45.5), shapely.Point(30.1, 46.2)]
    frame = gpd.GeoDataFrame({"strike_id": ["a", "b"]}, geometry=shapes, crs="EPSG:4326")
    text = b"".join(geojson_features(frame)).decode()
    features = json.loads(f"[{text}]")
    assert [f["properties"] for f in features] == [{"strike_id": "a"}, {"strike_id": "b"}]
    assert [f["geometry"] for f in features] == [
        json.loads(json.dumps(shapely.geometry.mapping(s))) for s in shapes
    ]
