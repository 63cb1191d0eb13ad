"""Rebuild the shipped data: the research layers, then the open-data layers merged into them.

    python scripts/build_data.py [--research-dir DIR] [--open-data-dir DIR] [--data-dir DIR]

Builds everything in memory (``build_research_layers.build_all``, then
``build_open_data.build_open_layers``), writes the files through ``layers.io`` into a temporary
folder beside the data folder, validates that folder as a whole with the catalogue's validator,
and only then replaces the files of the data folder, each atomically. The countries layer and
``country_codes.csv`` come from ``build_countries.py`` and are left as they are.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from build_open_data import DEFAULT_OPEN_DATA_DIR, build_open_layers
from build_research_layers import DEFAULT_RESEARCH_DIR, build_all

from strikemap.layers.catalog import CATALOG, COUNTRIES
from strikemap.layers.io import COUNTRY_CODES_FILE, write_layer, write_relations
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.schema import RELATIONS_TABLE
from strikemap.layers.validate import validate_data_dir

log = logging.getLogger("build_data")
KEPT_FILES = (COUNTRIES.file, COUNTRY_CODES_FILE)
"""Files this build does not make (``build_countries.py`` does); copied in for validation."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--research-dir", type=Path, default=DEFAULT_RESEARCH_DIR)
    parser.add_argument("--open-data-dir", type=Path, default=DEFAULT_OPEN_DATA_DIR)
    parser.add_argument("--data-dir", type=Path, default=None, help="output folder (data/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every note")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    started = time.perf_counter()
    data_dir = resolve_data_dir(args.data_dir)
    research = build_all(args.research_dir)
    layers = build_open_layers(research, args.open_data_dir)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=data_dir) as tmp:
        stage = Path(tmp)
        for name in KEPT_FILES:
            shutil.copy2(data_dir / name, stage / name)
        written = [
            write_layer(layers[s.name], s, data_dir=stage) for s in CATALOG if s is not COUNTRIES
        ]
        written.append(write_relations(research["relations"], data_dir=stage))
        report = validate_data_dir(stage)
        if not report.ok:
            print(report.format().replace(str(stage), str(data_dir)), file=sys.stderr)
            print(
                "build_data: the built data does not validate; data/ left as it was",
                file=sys.stderr,
            )
            return 1
        for path in written:
            path.replace(data_dir / path.name)
    for spec in CATALOG:
        if spec is not COUNTRIES:
            print(f"wrote {data_dir / spec.file} ({len(layers[spec.name])} features)")
    print(f"wrote {data_dir / RELATIONS_TABLE.file} ({len(research['relations'])} rows)")
    print(f"built in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
