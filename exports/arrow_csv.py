"""CSV text of large tables built in Arrow: quoting, formula defusing and joining in C++.

Notes
-----
``pandas.DataFrame.to_csv`` writes about 70 MB/s through Python's csv module; the link table of
a million strikes is gigabytes. Here every column becomes Arrow text, each cell is defused
(``exports.files.FORMULA_PREFIXES``) and quoted where CSV needs it (a comma, a double quote, a
line feed or a carriage return; quotes doubled), and the cells of a row are joined in Arrow,
whose text buffer is the CSV itself. Dictionary (categorical) columns are defused and quoted
once per distinct value. The text is that of ``csv_text`` (pandas' minimal quoting, newline line
ends) except that a field holding a carriage return is quoted too, as RFC 4180 asks.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from strikemap.exports.files import FORMULA_PREFIXES

NEEDS_QUOTES = r'[,"\r\n]'
"""A field holding any of these is enclosed in double quotes."""
ROWS_PER_BLOCK = 200_000
"""Rows formatted at a time: bounds the memory of a block's text to a few hundred MB."""


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def csv_field_text(values: pa.Array, *, defuse: bool = True) -> pa.Array:
    """Return text cells as CSV fields: formulas defused, quoted where needed (nulls -> "")."""
    values = pc.fill_null(values.cast(pa.large_string()), _text(""))
    if defuse:
        first = pc.utf8_slice_codeunits(values, 0, 1)
        risky = pc.is_in(first, value_set=pa.array(FORMULA_PREFIXES, pa.large_string()))
        defused = pc.binary_join_element_wise(_text("'"), values, _text(""))
        values = pc.if_else(risky, defused, values)
    quote = pc.match_substring_regex(values, NEEDS_QUOTES)
    doubled = pc.replace_substring(values, '"', '""')
    quoted = pc.binary_join_element_wise(_text('"'), doubled, _text('"'), _text(""))
    return pc.if_else(quote, quoted, values)


def _column_fields(values: pd.Series) -> pa.Array:
    """Return a pandas column as CSV fields (whole numbers as digits, missing as empty)."""
    if pd.api.types.is_integer_dtype(values.dtype):
        numbers = pa.array(values, from_pandas=True)
        return pc.fill_null(numbers.cast(pa.large_string()), _text(""))
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        categories = pa.array(values.cat.categories.astype(str).to_numpy(object), pa.string())
        fields = csv_field_text(categories)
        taken = fields.take(pa.array(np.where(codes >= 0, codes, 0), pa.int64()))
        return pc.if_else(pa.array(codes >= 0), taken, _text("")) if (codes < 0).any() else taken
    text = values.astype(object).where(values.notna(), "")
    return csv_field_text(pa.array(text.astype(str).to_numpy(object), pa.string()))


def blocks(frame: pd.DataFrame, rows: int = ROWS_PER_BLOCK) -> Iterator[pd.DataFrame]:
    """Yield ``frame`` ``rows`` rows at a time."""
    for begin in range(0, len(frame), rows):
        yield frame.iloc[begin : begin + rows]


def csv_blocks(
    frame: pd.DataFrame, *, header: bool = True, rows: int = ROWS_PER_BLOCK
) -> Iterator[bytes]:
    """Yield ``frame`` as UTF-8 CSV, ``rows`` rows at a time (the header first when asked).

    Columns are integers (nullable ``Int64`` included), categoricals or text; anything else is
    written as its ``str``.
    """
    if header:
        names = pa.array([str(c) for c in frame.columns], pa.string())
        yield (",".join(csv_field_text(names, defuse=False).to_pylist()) + "\n").encode("utf-8")
    for block in blocks(frame, rows):
        fields = [_column_fields(block[c]) for c in block.columns]
        lines = pc.binary_join_element_wise(*fields, _text(","))
        yield text_buffer(pc.binary_join_element_wise(lines, _text(""), _text("\n")))


def text_buffer(lines: pa.Array) -> bytes:
    """Return the concatenated text of a large-string array: its data buffer."""
    if isinstance(lines, pa.ChunkedArray):
        return b"".join(text_buffer(chunk) for chunk in lines.chunks)
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[
        lines.offset : lines.offset + len(lines) + 1
    ]
    if not len(lines):
        return b""
    start, end = int(offsets[0]), int(offsets[-1])
    return lines.buffers()[2].slice(start, end - start).to_pybytes()


def csv_bytes(frame: pd.DataFrame, *, header: bool = True) -> bytes:
    """Return ``frame`` as UTF-8 CSV (``csv_blocks`` joined)."""
    return b"".join(csv_blocks(frame, header=header))
