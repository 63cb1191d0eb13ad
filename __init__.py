"""strikemap: strikes on energy infrastructure around Odesa, and whom each strike hurts.

The repository's top level is this package (``pyproject.toml`` maps ``strikemap`` to it), so
the rooms install as ``strikemap.geo``, ``strikemap.layers``, ``strikemap.maps`` and the fronts
as ``strikemap.cli`` and ``strikemap.app``, with the shipped layers in ``strikemap/data``;
``docs/ARCHITECTURE.md`` says what lives where.
"""

from importlib import metadata

try:
    __version__ = metadata.version("strikemap")
except metadata.PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
