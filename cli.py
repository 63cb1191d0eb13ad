"""The ``strikemap`` command: a thin front over the ``layers``, ``geo`` and ``maps`` packages.

Each verb is one ``_add_<verb>_parser`` function (its options) and one ``_run_<verb>`` function
(what it does), bound with ``set_defaults(run=...)``; adding a verb is adding that pair and one
line in ``VERBS``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from layers.catalog import CATALOG
from layers.errors import LayerReadError, LayerValidationError
from layers.io import read_layer
from layers.paths import DATA_DIR_ENV, resolve_data_dir
from layers.report import DEFAULT_MAX_PER_FILE
from layers.validate import validate_data_dir
from maps.serve import DEFAULT_PORT, serve

log = logging.getLogger("strikemap")

EXIT_OK = 0
EXIT_INVALID_DATA = 1
EXIT_USAGE = 2

EPILOG = f"""\
examples:
  strikemap validate                       check the shipped data/ (or ${DATA_DIR_ENV})
  strikemap validate --data-dir my-data    check another data folder
  strikemap validate --format json         the same report for machines
  strikemap layers                         list the layers with feature counts
  strikemap serve --port 8502              open the interactive map at localhost:8502

data folder: --data-dir DIR, else the environment variable {DATA_DIR_ENV}, else the shipped data/.

exit codes:
  0  ok
  1  invalid data (a report names file, feature, field and the fix)
  2  usage error (unknown verb or option, missing data folder)
"""


class _UsageError(Exception):
    """A command line that cannot be run as given (exit code 2)."""


# --------------------------------------------------------------------------------------------
# validate


def _add_validate_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "validate",
        help="check every layer and relations.csv; exit 1 if the data is invalid",
        description="Check every layer file and relations.csv of a data folder and report every "
        "problem at once, grouped by file, each naming the feature, the field and the fix.",
    )
    _add_data_dir_option(parser)
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
    data_dir = _data_dir(args)
    report = validate_data_dir(data_dir)
    if args.format == "json":
        print(json.dumps({"data_dir": str(data_dir), **report.to_dict()}, indent=2))
    else:
        print(report.format(max_per_file=args.max_per_file or None))
    return EXIT_OK if report.ok else EXIT_INVALID_DATA


# --------------------------------------------------------------------------------------------
# layers


def _add_layers_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "layers",
        help="list the layers: name, file, geometry, feature count, title",
        description="List the layers of a data folder with their file, geometry types, number of "
        "features and title.",
    )
    _add_data_dir_option(parser)
    parser.set_defaults(run=_run_layers)


def _run_layers(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    rows = [("name", "file", "geometry", "features", "title")]
    unreadable = False
    for spec in CATALOG:
        path = data_dir / spec.file
        try:
            count = str(len(read_layer(spec, data_dir=data_dir))) if path.exists() else "missing"
        except LayerReadError as exc:
            log.warning("%s", exc)
            count, unreadable = "unreadable", True
        rows.append((spec.name, spec.file, "/".join(spec.geometry_types), count, spec.title))
    print(_table(rows))
    return EXIT_INVALID_DATA if unreadable else EXIT_OK


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


# --------------------------------------------------------------------------------------------
# serve


def _add_serve_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "serve",
        help="start the interactive map (Streamlit) on a data folder",
        description="Start the interactive map on a data folder and keep it running until "
        "Ctrl+C. The map's libraries are served by the app itself, so it works offline.",
    )
    _add_data_dir_option(parser)
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument("--address", help="address to bind, e.g. 0.0.0.0 to share on the network")
    parser.add_argument(
        "--open-browser", action="store_true", help="open a browser window once the app runs"
    )
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    if not 0 < args.port < 65536:
        msg = f"--port {args.port} is not a port number (1-65535)"
        raise _UsageError(msg)
    print(f"strikemap: serving {data_dir} at http://localhost:{args.port} (Ctrl+C stops)")
    return serve(data_dir, args.port, headless=not args.open_browser, address=args.address)


# --------------------------------------------------------------------------------------------
# Shared options and the entry point


def _add_verb(
    verbs: argparse._SubParsersAction, name: str, *, help: str, description: str
) -> argparse.ArgumentParser:
    """Return the parser of a new verb, with the -v/-q options every verb takes."""
    parser = verbs.add_parser(name, help=help, description=description)
    _add_loudness_options(parser, default=argparse.SUPPRESS)
    return parser


def _add_data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=f"data folder (default: ${DATA_DIR_ENV}, else the shipped data/)",
    )


def _add_loudness_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    """Add -v/-q; verbs add them with ``SUPPRESS`` so ``strikemap VERB -v`` works too."""
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="log debugging details"
    )
    loudness.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="log errors only"
    )


def _data_dir(args: argparse.Namespace) -> Path:
    data_dir = resolve_data_dir(args.data_dir)
    if not data_dir.is_dir():
        msg = f"no such data folder: {data_dir}; pass --data-dir DIR or set {DATA_DIR_ENV}"
        raise _UsageError(msg)
    return data_dir


VERBS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_validate_parser,
    _add_layers_parser,
    _add_serve_parser,
)
"""One parser block per verb, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """Return the ``strikemap`` argument parser with every verb."""
    parser = argparse.ArgumentParser(
        prog="strikemap",
        description="Map strikes on energy infrastructure around Odesa and explain which assets "
        "and countries each strike touches.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_loudness_options(parser, default=False)
    verbs = parser.add_subparsers(title="verbs", metavar="VERB")
    for add_parser in VERBS:
        add_parser(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``strikemap`` command and return its exit code (0 ok, 1 invalid data, 2 usage).

    Parameters
    ----------
    argv
        Arguments without the program name; defaults to ``sys.argv[1:]``.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return EXIT_OK if exc.code in (0, None) else EXIT_USAGE
    _configure_logging(verbose=args.verbose, quiet=args.quiet)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args)
    except _UsageError as exc:
        print(f"strikemap: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (LayerReadError, LayerValidationError) as exc:
        print(f"strikemap: invalid data: {exc}", file=sys.stderr)
        return EXIT_INVALID_DATA


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    """Log to the current stderr at the chosen level; safe to call again (tests call main often)."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)


class _StderrHandler(logging.StreamHandler):
    """A stream handler that always writes to the current ``sys.stderr``."""

    @property
    def stream(self) -> object:  # type: ignore[override]
        """The current ``sys.stderr`` (so output captured by tests lands in the capture)."""
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


if __name__ == "__main__":
    sys.exit(main())
