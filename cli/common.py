"""Exit codes, the usage error and the options every verb shares (data folder, -v/-q)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from strikemap.layers.journal import recover_if_needed
from strikemap.layers.paths import DATA_DIR_ENV, resolve_data_dir

log = logging.getLogger("strikemap")


EXIT_OK = 0


EXIT_INVALID_DATA = 1


EXIT_USAGE = 2


class UsageError(Exception):
    """A command line that cannot be run as given (exit code 2)."""


def text_table(rows: Sequence[Sequence[str]]) -> str:
    """Return ``rows`` as a plain-text table, columns padded to their widest cell."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def add_verb(
    verbs: argparse._SubParsersAction, name: str, *, help: str, description: str
) -> argparse.ArgumentParser:
    """Return the parser of a new verb, with the -v/-q options every verb takes."""
    parser = verbs.add_parser(name, help=help, description=description)
    add_loudness_options(parser, default=argparse.SUPPRESS)
    parser.set_defaults(verb=name)
    return parser


def add_data_dir_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--data-dir DIR``."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=f"data folder (default: ${DATA_DIR_ENV}, else the shipped data/)",
    )


def add_loudness_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    """Add -v/-q; verbs add them with ``SUPPRESS`` so ``strikemap VERB -v`` works too."""
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="log debugging details"
    )
    loudness.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="log errors only"
    )


def data_dir_of(args: argparse.Namespace) -> Path:
    """Return the data folder, after finishing or rolling back an interrupted write in it."""
    data_dir = resolve_data_dir(args.data_dir)
    if not data_dir.is_dir():
        msg = f"no such data folder: {data_dir}; pass --data-dir DIR or set {DATA_DIR_ENV}"
        raise UsageError(msg)
    if not getattr(args, "recovered", False):
        recover_if_needed(data_dir)  # logs what it did
        args.recovered = True
    return data_dir
