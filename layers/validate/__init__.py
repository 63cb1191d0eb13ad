"""Validate layer files, in-memory layers and ``relations.csv``: collect every problem, report once.

The checks run in two passes. A pre-flight pass (``preflight``) reads the raw bytes with the
standard library and catches what GDAL would hide (encoding, truncated JSON, a legacy ``crs``
member, null or NaN coordinates, unclosed rings). A frame pass then checks every feature at once
with pandas and shapely 2 (``geometry``: ranges, region, swapped coordinates, geometry types,
validity; ``properties``: ids, properties, vocabularies, dates, sources) and, for a whole data
folder, the references between layers (``references``) and ``relations.csv`` (``relations``).
``api`` holds the public functions; ``table`` the frame every check works on.
"""

from __future__ import annotations

from strikemap.layers.io import COUNTRY_CODES_FILE
from strikemap.layers.validate.api import (
    validate_data_dir,
    validate_frame,
    validate_layer_file,
    validate_relations_file,
)

__all__ = [
    "COUNTRY_CODES_FILE",
    "validate_data_dir",
    "validate_frame",
    "validate_layer_file",
    "validate_relations_file",
]
