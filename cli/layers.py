"""``strikemap layers``: list the catalogue's layers with their feature counts."""

from __future__ import annotations

import argparse

from strikemap.cli.common import (
    EXIT_INVALID_DATA,
    EXIT_OK,
    add_data_dir_option,
    add_verb,
    data_dir_of,
    log,
    text_table,
)
from strikemap.layers.catalog import CATALOG
from strikemap.layers.errors import LayerReadError
from strikemap.layers.io import layer_path, read_layer


def add_layers_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap layers`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "layers",
        help="list the layers: name, file, geometry, feature count, title",
        description="List the layers of a data folder with their file, geometry types, number of "
        "features and title.",
    )
    add_data_dir_option(parser)
    parser.set_defaults(run=_run_layers)


def _run_layers(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    rows = [("name", "file", "geometry", "features", "title")]
    unreadable = False
    for spec in CATALOG:
        file = spec.file
        try:
            path = layer_path(spec, data_dir)
            file = path.name
            count = str(len(read_layer(spec, data_dir=data_dir))) if path.exists() else "missing"
        except LayerReadError as exc:
            log.warning("%s", exc)
            count, unreadable = "unreadable", True
        rows.append((spec.name, file, "/".join(spec.geometry_types), count, spec.title))
    print(text_table(rows))
    return EXIT_INVALID_DATA if unreadable else EXIT_OK
