"""History size and write time: N one-strike adds on a strikes layer of about 1.3 MB.

Run: ``python benchmarks/history.py [--adds 30] [--copies 34]``. The layer is the shipped
strikes layer repeated ``--copies`` times under new ids (in a temporary folder), so its text
is as varied as the real one. Prints the layer size, what keeping a full copy per write would
take (what strikemap did before the chunk store), what the history takes, and the seconds per
add.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from strikemap.layers.add_strike import add_strike
from strikemap.layers.catalog import STRIKES
from strikemap.layers.history import history_dir
from strikemap.layers.io import read_layer, write_layer
from strikemap.layers.paths import SHIPPED_DATA_DIR


def big_layer(folder: Path, copies: int, *, seed: int = 0) -> int:
    """Write the shipped strikes ``copies`` times under new ids; return the file's bytes.

    Each copy's points move by up to 0.01 degrees and its names and descriptions are redrawn
    from the words of the shipped ones, so the layer compresses about as well as the real one
    (rather than folding its copies onto each other).
    """
    rng = np.random.default_rng(seed)
    strikes = read_layer(STRIKES, data_dir=SHIPPED_DATA_DIR)
    words = np.array(" ".join(strikes["description"].fillna("")).split())
    frames = []
    for n in range(copies):

        def redraw(texts: pd.Series) -> list[str]:
            return [" ".join(rng.choice(words, size=len(str(s).split()))) for s in texts]

        moved = shapely.transform(
            strikes.geometry.values, lambda xy: xy + rng.uniform(-0.01, 0.01, xy.shape)
        )
        frames.append(
            strikes.assign(
                id=strikes["id"] + f"-copy{n}",
                name=redraw(strikes["name"]),
                description=redraw(strikes["description"].fillna("")),
                geometry=moved,
            )
        )
    path = write_layer(pd.concat(frames, ignore_index=True), STRIKES, data_dir=folder)
    return path.stat().st_size


def tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--adds", type=int, default=30)
    parser.add_argument("--copies", type=int, default=34)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(SHIPPED_DATA_DIR, folder)
        size = big_layer(folder, args.copies)
        packed = len(gzip.compress((folder / STRIKES.file).read_bytes()))
        full_copies, first = 0, 0
        start = time.perf_counter()
        for n in range(args.adds):
            if n == 1:
                first = tree_size(history_dir(folder))
            full_copies += (folder / STRIKES.file).stat().st_size
            add_strike(
                data_dir=folder,
                date=f"2025-0{1 + n % 9}-{10 + n % 18:02d}",
                lat=45.5 + n / 50,
                lon=29.0 + n / 40,
                precision=1,
                weapon="drone",
                sources=[f"https://example.org/benchmark/{n}"],
                place=f"Benchmark place {n}",
            )
        seconds = time.perf_counter() - start
        kept = tree_size(history_dir(folder))
    print(
        f"strikes layer: {size / 2**20:.2f} MB ({size / packed:.1f}x with gzip), "
        f"{args.adds} one-strike adds"
    )
    print(f"full copy per write (before): {full_copies / 2**20:.1f} MB")
    print(f"history now: {kept / 2**20:.2f} MB ({full_copies / kept:.0f}x smaller)")
    print(
        f"first version {first / 2**20:.2f} MB, then {(kept - first) / (args.adds - 1) / 1024:.0f}"
        " KB per add"
    )
    print(
        f"seconds per add (validate the folder, keep, journal, replace): {seconds / args.adds:.2f}"
    )


if __name__ == "__main__":
    main()
