"""What strikemap's readers can take: file size, vertices, text length, nesting, dates.

The readers (``layers.io``, the importers) refuse what is beyond these limits, and the validator
reports it, so a data folder that validates can always be read by every command and the app.
The limits sit far below where the libraries underneath fail (GDAL refuses a feature above about
a million vertices or one nested about a thousand levels deep; Python's ``json`` fails near a
thousand levels; pandas' timestamps end in 1677 and 2262).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import pandas as pd

MAX_FILE_BYTES = 256 * 2**20
"""Largest layer or table file read (256 MB: some 400,000 strikes)."""
MAX_VERTICES_PER_FEATURE = 250_000
"""Most coordinates one feature may have (GDAL fails above about 1.1 million)."""
MAX_TEXT_CHARS = 100_000
"""Longest text property (a description of 100,000 characters is a mistake, not a strike)."""
MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects in a GeoJSON file (a MultiPolygon needs 8)."""
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
"""Dates outside this range are refused; strikes are also refused when after today."""
DATE_RANGE_TEXT = f"{DATE_MIN.isoformat()}..{DATE_MAX.isoformat()}"


class JsonDepthError(ValueError):
    """JSON text nests arrays and objects deeper than ``MAX_JSON_DEPTH``."""


def load_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> object:
    """Parse JSON, refusing nesting deeper than ``max_depth`` instead of crashing.

    Raises
    ------
    json.JSONDecodeError
        For text that is not JSON.
    JsonDepthError
        When arrays and objects nest deeper than ``max_depth`` (or too deep to parse at all).
    """
    try:
        data = json.loads(text)
    except RecursionError:
        data = None
        depth = None
    else:
        depth = json_depth(data, limit=max_depth)
    if depth is None or depth > max_depth:
        msg = (
            f"arrays and objects nest more than {max_depth} levels deep; GeoJSON needs at most 8 "
            "(a MultiPolygon), flatten the nested properties"
        )
        raise JsonDepthError(msg)
    return data


def json_depth(value: object, *, limit: int = MAX_JSON_DEPTH) -> int:
    """Return how deeply arrays and objects nest in ``value`` (a scalar is 0).

    Stops counting once the depth passes ``limit``, so the walk never recurses deeper than
    that. The ``coordinates`` of a GeoJSON geometry are measured along their first positions
    only (they are the bulk of a layer, and a ragged nesting there makes the geometry
    unreadable, which the geometry checks report).
    """
    children: Iterable[object]
    if isinstance(value, dict):
        if "coordinates" in value and isinstance(value.get("type"), str):
            own = 1 + _first_descent(value["coordinates"])
            children = [v for k, v in value.items() if k != "coordinates"]
        else:
            own, children = 1, value.values()
    elif isinstance(value, list):
        own, children = 1, value
    else:
        return 0
    if limit <= 0:
        return own
    deepest = 0
    for child in children:
        if type(child) is dict or type(child) is list:
            deepest = max(deepest, json_depth(child, limit=limit - 1))
            if deepest >= limit:
                break
    return max(own, 1 + deepest)


def _first_descent(coordinates: object) -> int:
    depth = 0
    while isinstance(coordinates, list):
        depth += 1
        coordinates = coordinates[0] if coordinates else None
    return depth


def date_in_range(values: pd.Series) -> pd.Series:
    """Return whether ``YYYY-MM-DD`` texts lie in ``DATE_MIN..DATE_MAX`` (False for non-dates).

    Works on the text, so years such as 0001 or 9999 never reach pandas' timestamp range.
    """
    text = values.astype("string").str.strip()
    shaped = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    inside = (text >= DATE_MIN.isoformat()) & (text <= DATE_MAX.isoformat())
    return (shaped & inside.fillna(False)).astype(bool)
