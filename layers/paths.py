"""Where the layers live: the shipped ``data/`` folder, or ``STRIKEMAP_DATA_DIR``."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

DATA_DIR_ENV = "STRIKEMAP_DATA_DIR"
SHIPPED_DATA_DIR = Path(str(resources.files("strikemap") / "data"))
"""The layers shipped with the package (``data/`` in a checkout, ``strikemap/data`` installed)."""


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """Return the data folder to use.

    Parameters
    ----------
    data_dir
        An explicit folder; wins over everything else.

    Returns
    -------
    Path
        ``data_dir`` if given, else ``$STRIKEMAP_DATA_DIR`` if set, else the shipped ``data/``.
    """
    if data_dir is not None:
        return Path(data_dir)
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env)
    return SHIPPED_DATA_DIR
