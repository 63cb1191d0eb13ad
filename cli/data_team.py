"""The data team's verbs: import, add-strike, history, restore.

Every write goes through ``layers.update`` (validated as a whole, kept in the history, undoable).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from strikemap.cli.common import (
    EXIT_INVALID_DATA,
    EXIT_OK,
    UsageError,
    add_data_dir_option,
    add_verb,
    data_dir_of,
    log,
)
from strikemap.cli.view_options import bbox_option
from strikemap.layers import history, retention
from strikemap.layers.add_strike import plan_add_strike
from strikemap.layers.catalog import OPEN_DATA_BOUNDS
from strikemap.layers.history import HistoryError
from strikemap.layers.importers import IMPORTERS, importer_options
from strikemap.layers.lock import write_lock
from strikemap.layers.retention import Retention
from strikemap.layers.schema import (
    DATE_PRECISIONS,
    GEO_PRECISION_CODES,
    STRIKE_STATUSES,
    WEAPONS,
)
from strikemap.layers.update import (
    apply_plan,
    plan_import,
    restore_version,
)


def add_import_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap import`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "import",
        help="import an outside export: ACLED, OSM, FIRMS, GEM, GridKit, powerplantmatching, "
        "refineries, World Port Index, GeoNames, UCDP (preview with --dry-run)",
        description="Read an outside export, merge it into the layers and print what changes "
        "(added / updated / unchanged / rejected, with ids). The whole resulting layer set is "
        "validated before anything is written; files are replaced atomically and the previous "
        "version is kept (see `strikemap history` and `strikemap restore`). Exit 1 when any row "
        "was rejected (the good rows are still imported unless --strict).",
    )
    parser.add_argument("kind", choices=sorted(IMPORTERS), help="format of FILE")
    parser.add_argument("file", type=Path, metavar="FILE", help="the export to import")
    add_data_dir_option(parser)
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
    parser.add_argument(
        "--bbox",
        type=bbox_option,
        metavar="W,S,E,N",
        help="open data (gem, gridkit, powerplants, refineries, wpi, geonames, ucdp): keep only "
        "rows in this box, clip lines to it (default for all but gem: the map region "
        f"{','.join(f'{v:g}' for v in OPEN_DATA_BOUNDS)})",
    )
    parser.add_argument(
        "--attributes",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="gem: attribute table (xlsx, csv, geojson) joined to a route file by ProjectID; "
        "repeat for several, the first wins",
    )
    parser.add_argument(
        "--min-population",
        type=int,
        metavar="N",
        help="geonames: skip places with fewer than N people",
    )
    parser.add_argument(
        "--min-capacity-mw",
        type=float,
        metavar="MW",
        help="powerplants: skip plants smaller than MW",
    )
    parser.add_argument(
        "--format",
        choices=("geojson", "parquet"),
        dest="layer_format",
        default="auto",
        help="write the strikes layer as GeoJSON (strikes.geojson) or GeoParquet "
        "(strikes.parquet, for large layers such as a year of FIRMS detections); the old file "
        "is removed in the same write (default: keep the format the layer is stored in)",
    )
    parser.set_defaults(run=_run_import)


def _run_import(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    options: dict[str, object] = {}
    if args.all_events:
        options["all_events"] = True
    if args.radius_m is not None:
        options["radius_m"] = args.radius_m
    if args.window_days is not None:
        options["window_days"] = args.window_days
    if args.bbox is not None:
        options["bbox"] = args.bbox
    if args.attributes:
        options["attributes"] = args.attributes
    if args.min_population is not None:
        options["min_population"] = args.min_population
    if args.min_capacity_mw is not None:
        options["min_capacity_mw"] = args.min_capacity_mw
    unknown = sorted(set(options) - set(importer_options(args.kind)))
    if unknown:
        given = ", ".join("--" + name.replace("_", "-") for name in unknown)
        msg = f"{given}: not an option of `strikemap import {args.kind}`; see --help"
        raise UsageError(msg)
    action = f"import {args.kind} {args.file.name}"
    with _writing(data_dir, action, dry_run=args.dry_run):  # plan and apply on the same data
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
            paths = apply_plan(plan, data_dir=data_dir, layer_format=args.layer_format)
            print(
                f"wrote {', '.join(p.name for p in paths)} (previous version kept: "
                "strikemap history)"
            )
        else:
            print("nothing to change")
    return EXIT_INVALID_DATA if plan.rejected else EXIT_OK


@contextlib.contextmanager
def _writing(data_dir: Path, action: str, *, dry_run: bool) -> Iterator[None]:
    """Hold the data folder's write lock from planning to applying (not for a dry run)."""
    if dry_run:
        yield
        return
    with write_lock(data_dir, action=action):
        yield


def add_add_strike_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap add-strike`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "add-strike",
        help="add one strike by hand, after validation",
        description="Add one strike to the strikes layer. It is validated with the whole layer "
        "set first; a strike matching an existing one (same date +-1 day, within 2 km, same "
        "target) is merged into it instead of duplicated.",
    )
    add_data_dir_option(parser)
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
    parser.add_argument(
        "--status",
        choices=[s for s in STRIKE_STATUSES if s != "candidate"],
        default="confirmed",
        help="confirmed (default); unconfirmed when only some sources report it, disputed when "
        "they contradict each other; context for a spill-over or an event outside the region",
    )
    parser.add_argument("--dry-run", action="store_true", help="show the change, write nothing")
    parser.set_defaults(run=_run_add_strike)


def _run_add_strike(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    with _writing(data_dir, f"add-strike {args.date}", dry_run=args.dry_run):
        return _add_strike(args, data_dir)


def _add_strike(args: argparse.Namespace, data_dir: Path) -> int:
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
        status=args.status,
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


def add_history_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap history`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "history",
        help="list the kept previous versions of the data folder, or prune them",
        description="List the versions kept before each write, newest first, with what wrote "
        "them (interrupted writes too, saying whether they were finished or rolled back); "
        "`strikemap restore ID` puts one back. Versions are stored compressed; after each write "
        f"the history keeps the newest {retention.DEFAULT_KEEP} versions and every version younger "
        f"than {retention.DEFAULT_KEEP_DAYS:g} days (${retention.KEEP_ENV}, "
        f"${retention.KEEP_DAYS_ENV}).",
    )
    add_data_dir_option(parser)
    parser.add_argument(
        "--prune", action="store_true", help="delete versions outside the retention now"
    )
    parser.add_argument(
        "--keep",
        type=_non_negative(int),
        metavar="N",
        help=f"with --prune: keep the newest N versions (default {retention.DEFAULT_KEEP})",
    )
    parser.add_argument(
        "--keep-days",
        type=_non_negative(float),
        metavar="D",
        help=f"with --prune: keep versions younger than D days "
        f"(default {retention.DEFAULT_KEEP_DAYS:g})",
    )
    parser.set_defaults(run=_run_history)


def _run_history(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    if args.prune:
        return _prune_history(args, data_dir)
    if args.keep is not None or args.keep_days is not None:
        raise UsageError("--keep and --keep-days go with --prune")
    result = history.scan(data_dir=data_dir)
    versions = [v for v in result.versions if v.status != history.PENDING]
    if not versions:
        print("no previous versions kept yet")
    for version in versions:
        print(version.describe())
    for damaged in result.damaged:
        log.warning("%s", damaged.describe())
    return EXIT_OK


def _prune_history(args: argparse.Namespace, data_dir: Path) -> int:
    try:
        defaults = Retention.from_env()
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    keep = defaults.keep if args.keep is None else args.keep
    days = defaults.keep_days if args.keep_days is None else args.keep_days
    with write_lock(data_dir, action="history --prune"):
        result = retention.prune(data_dir=data_dir, retention=Retention(keep, days))
    print(
        f"removed {len(result.removed)} versions (kept the newest {keep} and those younger than "
        f"{days:g} days); the history takes {result.bytes_after / 2**20:.1f} MB"
    )
    if result.skipped_gc:
        log.warning("%s: %s", data_dir, result.skipped_gc)
    return EXIT_OK


def _non_negative(kind: type) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            return retention.parse_non_negative(text, kind)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def add_restore_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap restore`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "restore",
        help="put back a kept version of the data folder (undoable)",
        description="Put back the files of a kept version. The files it replaces are kept as a "
        "new version, so a restore can itself be undone.",
    )
    parser.add_argument("version", help="version id from `strikemap history`, or 'latest'")
    add_data_dir_option(parser)
    parser.set_defaults(run=_run_restore)


def _run_restore(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    try:
        paths = restore_version(args.version, data_dir=data_dir)
    except history.UnusableVersionError:
        raise  # incomplete or damaged: invalid data (exit 1)
    except HistoryError as exc:
        raise UsageError(str(exc)) from exc
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
