"""Where exports go: never into the data folder unless asked, never over a file unless --force."""

from __future__ import annotations

import argparse

from strikemap.cli.common import UsageError, data_dir_of, log
from strikemap.exports.files import (
    data_folder_of,
    guard_output,
    write_output,
)
from strikemap.layers import history
from strikemap.layers.update import (
    commit_files,
)


def add_output_options(parser: argparse.ArgumentParser, *, into_data: bool) -> None:
    """Add ``--out``, ``--force`` (and ``--into-data`` where a verb may write a layer)."""
    parser.add_argument(
        "--force", action="store_true", help="replace --out FILE if it exists (never data)"
    )
    if into_data:
        parser.add_argument(
            "--into-data",
            action="store_true",
            help="write --out into the data folder on purpose: the file must be a layer file or "
            "table, and is validated with the whole folder and kept undoable in the history",
        )


def check_out(args: argparse.Namespace) -> None:
    """Refuse a bad --out before any work (see ``exports.files.guard_output``)."""
    if args.out is None:
        return
    data_dir = data_dir_of(args)
    if getattr(args, "into_data", False):
        folder = data_folder_of(args.out, data_dir=data_dir)
        if folder is None or args.out.name not in history.data_file_names():
            names = ", ".join(sorted(history.data_file_names()))
            msg = f"--into-data: --out {args.out} must be a data file in a data folder ({names})"
            raise UsageError(msg)
        return
    guard_output(args.out, data_dir=data_dir, force=args.force)


def write_out(args: argparse.Namespace, data: bytes) -> None:
    """Write an export: to its file, or with --into-data through the data folder's write path."""
    if not getattr(args, "into_data", False):
        write_output(data, args.out)
        return
    folder = args.out.resolve().parent
    action = f"{args.verb} --out {args.out.name} --into-data"
    written = commit_files({args.out.name: data}, data_dir=folder, action=action)
    if written:
        print(f"{args.out}: validated with {folder}; the previous file is kept (strikemap history)")
    else:
        log.warning("%s already holds this content; nothing written", args.out)
