"""``strikemap validate``: check a data folder and report every problem."""

from __future__ import annotations

import argparse
import json

from strikemap.cli.common import (
    EXIT_INVALID_DATA,
    EXIT_OK,
    add_data_dir_option,
    add_verb,
    data_dir_of,
)
from strikemap.layers.report import DEFAULT_MAX_PER_FILE
from strikemap.layers.validate import validate_data_dir


def add_validate_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap validate`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "validate",
        help="check every layer and relations.csv; exit 1 if the data is invalid",
        description="Check every layer file and relations.csv of a data folder and report every "
        "problem at once, grouped by file, each naming the feature, the field and the fix.",
    )
    add_data_dir_option(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), json for machines",
    )
    parser.add_argument(
        "--max-per-file",
        type=int,
        default=DEFAULT_MAX_PER_FILE,
        metavar="N",
        help=f"show at most N problems per file in text (default {DEFAULT_MAX_PER_FILE}; 0 = all)",
    )
    parser.set_defaults(run=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    report = validate_data_dir(data_dir)
    if args.format == "json":
        print(json.dumps({"data_dir": str(data_dir), **report.to_dict()}, indent=2))
    else:
        print(report.format(max_per_file=args.max_per_file or None))
    return EXIT_OK if report.ok else EXIT_INVALID_DATA
