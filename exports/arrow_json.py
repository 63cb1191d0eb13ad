"""JSON and GeoJSON text of large link tables, built in Arrow from each distinct value's text.

Notes
-----
``json.dumps`` of a million records builds a million dicts first and takes tens of seconds.
Here each column's distinct values are written once by ``json.dumps`` (text, categories) or
``repr`` (coordinates, as ``json`` writes floats), the texts are taken per row in Arrow and
the records joined there, so the output is byte for byte what ``json.dumps`` gives for the same
records: ``indent=1`` for JSON, compact separators for GeoJSON features.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from strikemap.exports.arrow_csv import text_buffer


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _taken(texts: Sequence[str], codes: np.ndarray) -> pa.Array:
    return pa.array(list(texts), pa.large_string()).take(pa.array(codes, pa.int64()))


def json_value_texts(values: pd.Series) -> pa.Array:
    """Return each cell as JSON text: whole numbers as digits, text quoted, missing as ``null``.

    Missing text (None, NaN, a categorical's missing code) is written as ``""`` as the link
    table holds it; missing numbers as ``null``.
    """
    if pd.api.types.is_integer_dtype(values.dtype):
        numbers = pa.array(values, from_pandas=True)
        return pc.fill_null(numbers.cast(pa.large_string()), _text("null"))
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy(np.int64)
        texts = [json.dumps(str(c), ensure_ascii=False) for c in values.cat.categories]
        return _taken([*texts, '""'], np.where(codes >= 0, codes, len(texts)))
    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), ""))
    return _taken([json.dumps(str(u), ensure_ascii=False) for u in uniques], codes)


def record_texts(
    frame: pd.DataFrame, *, start: str, key_separator: str, item_separator: str, end: str
) -> pa.Array:
    """Return each row as a JSON object's text: ``start`` key, value pairs ``end``."""
    pieces: list[pa.Array | pa.Scalar] = [_text(start)]
    for at, column in enumerate(frame.columns):
        key = json.dumps(str(column), ensure_ascii=False) + key_separator
        pieces += [_text((item_separator if at else "") + key), json_value_texts(frame[column])]
    pieces.append(_text(end))
    return pc.binary_join_element_wise(*pieces, _text(""))


def geometry_texts(geometry: np.ndarray) -> pa.Array | None:
    """Return Points and two-point LineStrings as compact GeoJSON (None if others occur)."""
    kinds = shapely.get_type_id(geometry)
    counts = shapely.get_num_coordinates(geometry)
    point, line = kinds == 0, (kinds == 1) & (counts == 2)
    if not (point | line).all():
        return None
    coords = shapely.get_coordinates(geometry)
    numbers, codes = np.unique(coords.ravel(), return_inverse=True)
    texts = _taken([repr(float(v)) for v in numbers], codes.reshape(-1))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    x0, y0 = texts.take(pa.array(2 * first)), texts.take(pa.array(2 * first + 1))
    last = first + np.where(line, 1, 0)
    x1, y1 = texts.take(pa.array(2 * last)), texts.take(pa.array(2 * last + 1))
    as_point = pc.binary_join_element_wise(
        _text('{"type":"Point","coordinates":['), x0, _text(","), y0, _text("]}"), _text("")
    )
    as_line = pc.binary_join_element_wise(
        _text('{"type":"LineString","coordinates":[['),
        x0,
        _text(","),
        y0,
        _text("],["),
        x1,
        _text(","),
        y1,
        _text("]]}"),
        _text(""),
    )
    return pc.if_else(pa.array(point), as_point, as_line)


def joined_blocks(records: Iterator[pa.Array], separator: str) -> Iterator[bytes]:
    """Yield the records' text joined by ``separator`` (between blocks too)."""
    first = True
    for block in records:
        if not len(block):
            continue
        text = pc.binary_join_element_wise(block, _text(""), _text(separator))
        data = text_buffer(text)[: -len(separator.encode("utf-8"))]
        yield data if first else separator.encode("utf-8") + data
        first = False
