"""The ``strikemap`` parser with every verb, and the entry point ``main``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from strikemap.cli.common import (
    EXIT_INVALID_DATA,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_loudness_options,
    log,
)
from strikemap.cli.data_team import (
    add_add_strike_parser,
    add_history_parser,
    add_import_parser,
    add_restore_parser,
)
from strikemap.cli.export import add_export_map_parser, add_export_table_parser
from strikemap.cli.impact import add_impact_parser
from strikemap.cli.layers import add_layers_parser
from strikemap.cli.report import add_report_parser
from strikemap.cli.serve import add_serve_parser
from strikemap.cli.validate import add_validate_parser
from strikemap.exports.files import (
    ExportFormatError,
    ExportWriteError,
)
from strikemap.geo.errors import ImpactInputError
from strikemap.layers.errors import LayerReadError, LayerValidationError
from strikemap.layers.history import HistoryError
from strikemap.layers.importers import ImportFileError
from strikemap.layers.journal import WriteError
from strikemap.layers.lock import LockError
from strikemap.layers.paths import DATA_DIR_ENV, resolve_data_dir
from strikemap.layers.update import (
    ImportRejectedError,
    PlanOutdatedError,
)
from strikemap.layers.validate import validate_data_dir
from strikemap.reports import ReportError

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
  strikemap report --country AZE --from 2025-07-01 --out aze.pdf   a country report
  strikemap serve --port 8502              open the interactive map at localhost:8502

data folder: --data-dir DIR, else the environment variable {DATA_DIR_ENV}, else the shipped data/.

exports never write into the data folder; --force replaces an existing output file.
a write interrupted by a crash is finished or rolled back by the next command (it says which).

exit codes:
  0  ok
  1  invalid data (a report names file, feature, field and the fix), or the data folder
     cannot be written now (another writer holds it)
  2  usage error (unknown verb or option, missing data folder, a refused --out)
"""


VERBS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    add_validate_parser,
    add_layers_parser,
    add_impact_parser,
    add_export_map_parser,
    add_export_table_parser,
    add_report_parser,
    add_import_parser,
    add_add_strike_parser,
    add_history_parser,
    add_restore_parser,
    add_serve_parser,
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
    add_loudness_options(parser, default=False)
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
    except (UsageError, ExportFormatError, ExportWriteError, ReportError) as exc:
        print(f"strikemap: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (
        ImpactInputError,
        LayerReadError,
        LayerValidationError,
        ImportFileError,
        ImportRejectedError,
        PlanOutdatedError,
        HistoryError,
    ) as exc:
        print(f"strikemap: invalid data: {exc}", file=sys.stderr)
        return EXIT_INVALID_DATA
    except (LockError, WriteError) as exc:
        print(f"strikemap: cannot write: {exc}", file=sys.stderr)
        return EXIT_INVALID_DATA
    except OSError as exc:  # the disk or the system refused (full, read-only, no rights)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"strikemap: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID_DATA
    except Exception as exc:  # invalid data the analysis tripped on, or a bug: one line each
        log.debug("traceback", exc_info=True)
        return _unexpected(args, exc)


def _unexpected(args: argparse.Namespace, exc: Exception) -> int:
    """Say why a verb failed unexpectedly: the data does not validate, or it is a bug."""
    folder = resolve_data_dir(getattr(args, "data_dir", None))
    report = validate_data_dir(folder) if folder.is_dir() else None
    if report is not None and not report.ok:
        errors = len(report.errors)
        print(
            f"strikemap: invalid data: {folder} does not validate ({errors} "
            f"{'error' if errors == 1 else 'errors'}), so `strikemap {args.verb}` cannot run; "
            f"`strikemap validate --data-dir {folder}` lists them",
            file=sys.stderr,
        )
        return EXIT_INVALID_DATA
    print(
        f"strikemap: internal error ({type(exc).__name__}: {exc}); please report it "
        "(run again with -v for details)",
        file=sys.stderr,
    )
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
