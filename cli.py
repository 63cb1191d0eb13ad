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
from layers.history import HistoryError, list_versions
from layers.importers import IMPORTERS, ImportFileError
from layers.io import read_layer
from layers.paths import DATA_DIR_ENV, resolve_data_dir
from layers.report import DEFAULT_MAX_PER_FILE
from layers.schema import DATE_PRECISIONS, GEO_PRECISION_CODES, WEAPONS
from layers.update import (
    PlanOutdatedError,
    apply_plan,
    plan_add_strike,
    plan_import,
    restore_version,
)
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
  strikemap import acled export.csv --dry-run   preview an ACLED import, write nothing
  strikemap add-strike --date 2025-08-06 --lat 45.39 --lon 28.53 --precision 2 \\
      --weapon drone --source https://...  add one strike
  strikemap history                        list kept versions; strikemap restore latest undoes
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
# import, add-strike, history, restore (data-team verbs; every write is validated and undoable)


def _add_import_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "import",
        help="import an ACLED, OpenStreetMap, FIRMS or GEM export (preview with --dry-run)",
        description="Read an outside export, merge it into the layers and print what changes "
        "(added / updated / unchanged / rejected, with ids). The whole resulting layer set is "
        "validated before anything is written; files are replaced atomically and the previous "
        "version is kept (see `strikemap history` and `strikemap restore`).",
    )
    parser.add_argument("kind", choices=sorted(IMPORTERS), help="format of FILE")
    parser.add_argument("file", type=Path, metavar="FILE", help="the export to import")
    _add_data_dir_option(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    parser.add_argument(
        "--strict", action="store_true", help="any rejected row aborts the whole import"
    )
    parser.add_argument(
        "--all-events",
        action="store_true",
        help="acled: keep every event type, not only remote violence",
    )
    parser.add_argument(
        "--radius-m",
        type=float,
        metavar="M",
        help="firms: keep detections within M metres of an asset (default 2000)",
    )
    parser.add_argument(
        "--window-days",
        type=int,
        metavar="N",
        help="firms: group detections at one asset within N days into one candidate (default 1)",
    )
    parser.set_defaults(run=_run_import)


def _run_import(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    options: dict[str, object] = {}
    if args.all_events:
        options["all_events"] = True
    if args.radius_m is not None:
        options["radius_m"] = args.radius_m
    if args.window_days is not None:
        options["window_days"] = args.window_days
    with _ProgressBar(f"reading {args.file.name}") as bar:
        plan = plan_import(
            args.kind,
            args.file,
            data_dir=data_dir,
            strict=args.strict,
            progress=bar.update,
            **options,
        )
    print(plan.summary())
    if args.dry_run:
        print("dry run: nothing written")
    elif plan.blocked:
        print("strict: rejected rows, nothing written")
    elif plan.changed:
        paths = apply_plan(plan, data_dir=data_dir)
        print(
            f"wrote {', '.join(p.name for p in paths)} (previous version kept: strikemap history)"
        )
    else:
        print("nothing to change")
    return EXIT_INVALID_DATA if plan.rejected else EXIT_OK


def _add_add_strike_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "add-strike",
        help="add one strike by hand, after validation",
        description="Add one strike to the strikes layer. It is validated with the whole layer "
        "set first; a strike matching an existing one (same date +-1 day, within 2 km, same "
        "target) is merged into it instead of duplicated.",
    )
    _add_data_dir_option(parser)
    parser.add_argument("--date", required=True, help="ISO date, e.g. 2025-08-06")
    parser.add_argument("--lat", required=True, type=float, help="latitude in degrees (WGS84)")
    parser.add_argument("--lon", required=True, type=float, help="longitude in degrees (WGS84)")
    parser.add_argument(
        "--precision",
        required=True,
        type=int,
        choices=GEO_PRECISION_CODES,
        help="geo_precision: 0 exact, 1 town, 2 near a town/district, 3 region",
    )
    parser.add_argument("--weapon", required=True, choices=WEAPONS)
    parser.add_argument(
        "--source",
        required=True,
        action="append",
        dest="sources",
        metavar="URL",
        help="source URL (repeat for several)",
    )
    parser.add_argument(
        "--target",
        action="append",
        dest="targets",
        default=[],
        metavar="ID",
        help="asset id the sources name as the target (repeat for several)",
    )
    parser.add_argument("--name", help="short title (default: from place and date)")
    parser.add_argument("--place", help="place name as the sources give it")
    parser.add_argument("--description")
    parser.add_argument("--date-precision", choices=DATE_PRECISIONS, default="day")
    parser.add_argument("--dry-run", action="store_true", help="show the change, write nothing")
    parser.set_defaults(run=_run_add_strike)


def _run_add_strike(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    plan = plan_add_strike(
        date=args.date,
        lat=args.lat,
        lon=args.lon,
        precision=args.precision,
        weapon=args.weapon,
        sources=args.sources,
        targets=args.targets,
        name=args.name,
        place=args.place,
        description=args.description,
        date_precision=args.date_precision,
        data_dir=data_dir,
    )
    print(plan.summary())
    if plan.rejected:
        return EXIT_INVALID_DATA
    if args.dry_run:
        print("dry run: nothing written")
    else:
        apply_plan(plan, data_dir=data_dir)
    return EXIT_OK


def _add_history_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "history",
        help="list the kept previous versions of the data folder",
        description="List the versions kept before each write (newest last), with what wrote "
        "them; `strikemap restore ID` puts one back.",
    )
    _add_data_dir_option(parser)
    parser.set_defaults(run=_run_history)


def _run_history(args: argparse.Namespace) -> int:
    versions = list_versions(data_dir=_data_dir(args))
    if not versions:
        print("no previous versions kept yet")
    for version in versions:
        print(version.describe())
    return EXIT_OK


def _add_restore_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "restore",
        help="put back a kept version of the data folder (undoable)",
        description="Put back the files of a kept version. The files it replaces are kept as a "
        "new version, so a restore can itself be undone.",
    )
    parser.add_argument("version", help="version id from `strikemap history`, or 'latest'")
    _add_data_dir_option(parser)
    parser.set_defaults(run=_run_restore)


def _run_restore(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    try:
        paths = restore_version(args.version, data_dir=data_dir)
    except HistoryError as exc:
        raise _UsageError(str(exc)) from exc
    print(f"restored {', '.join(p.name for p in paths) or 'nothing (files already equal)'}")
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            sys.stderr.write("\n")

    def update(self, done: int, total: int) -> None:
        """Redraw the bar for ``done`` of ``total`` (bytes)."""
        if not sys.stderr.isatty() or total <= 0:
            return
        width = 30
        filled = int(width * min(done / total, 1.0))
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {100 * done / total:5.1f}%"
        )
        sys.stderr.flush()
        self.shown = True


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
    _add_import_parser,
    _add_add_strike_parser,
    _add_history_parser,
    _add_restore_parser,
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
    except (LayerReadError, LayerValidationError, ImportFileError, PlanOutdatedError) as exc:
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
