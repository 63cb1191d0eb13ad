"""What static map and table exports share: errors, output formats and atomic writing."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from strikemap.layers.errors import LayerWriteError
from strikemap.layers.io import atomic_write_bytes

Output = str | os.PathLike[str] | BinaryIO
"""Where an export goes: a file path, or an open binary file-like object (``io.BytesIO``)."""


MIME_TYPES: dict[str, str] = {
    "png": "image/png",
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
    "html": "text/html",
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""Media type of each export format, for download buttons."""


FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Text starting with these is read as a formula by spreadsheets; CSV cells get a leading '."""


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with a ``'`` before every text cell a spreadsheet would run as a formula.

    Vectorised per column; categorical columns are fixed in their categories, so a link table
    of millions of rows costs as much as its few distinct texts.
    """
    fixed = {}
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = values.cat.categories
            if categories.dtype == object:
                text = pd.Series(categories, dtype=object)
                fixed[column] = values.cat.rename_categories(list(_defused(text)))
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            fixed[column] = _defused(values.astype(object))
    return frame.assign(**fixed) if fixed else frame


def _defused(values: pd.Series) -> pd.Series:
    is_text = values.map(type).eq(str)
    risky = is_text & values.where(is_text, "").str.startswith(FORMULA_PREFIXES)
    if not risky.any():
        return values
    return values.where(~risky, "'" + values.where(risky, "").astype(str))


def csv_text(frame: pd.DataFrame) -> str:
    """Return ``frame`` as CSV text: no index, newline line ends, formulas defused."""
    return defuse_formulas(frame).to_csv(index=False, lineterminator="\n")


class ExportFormatError(ValueError):
    """An export option (format, page, dpi, basemap, table) is not one we can produce."""


class ExportWriteError(OSError):
    """An export cannot be written where it was asked to go."""


def is_path(out: Output) -> bool:
    """Return whether ``out`` names a file (rather than being a file-like object)."""
    return isinstance(out, str | os.PathLike)


def resolve_format(out: Output, fmt: str | None, allowed: Collection[str]) -> str:
    """Return the export format from ``fmt`` or the suffix of ``out``, checked against ``allowed``.

    Raises
    ------
    ExportFormatError
        When neither gives a format, the format is not in ``allowed``, or they disagree.
    """
    choices = ", ".join(allowed)
    suffix = Path(os.fspath(out)).suffix.lower().lstrip(".") if is_path(out) else ""
    if fmt is None:
        if not suffix:
            msg = f"cannot tell the format of {out!r}: pass fmt= (one of {choices})"
            raise ExportFormatError(msg)
        fmt = suffix
    fmt = fmt.lower().lstrip(".")
    if fmt not in allowed:
        hint = " (standalone HTML maps come from the interactive map)" if fmt == "html" else ""
        msg = f"unknown export format {fmt!r}{hint}; choose one of {choices}"
        raise ExportFormatError(msg)
    if suffix and suffix != fmt and not (suffix == "json" and fmt == "geojson"):
        msg = f"{os.fspath(out)}: the suffix .{suffix} does not match fmt={fmt!r}; rename the file"
        raise ExportFormatError(msg)
    return fmt


def check_writable(out: Output) -> Path | None:
    """Fail early, before any drawing, when ``out`` is a path that cannot be written.

    Returns
    -------
    Path or None
        The resolved path, or None when ``out`` is a file-like object.

    Raises
    ------
    ExportWriteError
        When the folder is missing or not writable, or the path is a folder.
    """
    if not is_path(out):
        if not hasattr(out, "write"):
            msg = f"out must be a path or a binary file-like object, got {type(out).__name__}"
            raise TypeError(msg)
        return None
    path = Path(os.fspath(out)).expanduser()
    if path.is_dir():
        msg = f"{path} is a folder; give a file name such as {path / 'brief.png'}"
        raise ExportWriteError(msg)
    folder = path.parent
    if not folder.is_dir():
        msg = f"{path}: folder {folder} does not exist; create it first"
        raise ExportWriteError(msg)
    if not os.access(folder, os.W_OK | os.X_OK):
        msg = f"{path}: folder {folder} is not writable; choose another --out"
        raise ExportWriteError(msg)
    return path


def write_output(data: bytes, out: Output) -> Path | None:
    """Write ``data`` to ``out``: atomically for a path, as-is for a file-like object.

    Returns
    -------
    Path or None
        The path written, or None for a file-like object.
    """
    path = check_writable(out)
    if path is None:
        out.write(data)  # type: ignore[union-attr]
        return None
    try:
        atomic_write_bytes(path, data)
    except LayerWriteError as exc:
        msg = f"{path}: cannot write the export ({exc.__cause__ or exc}); check space and rights"
        raise ExportWriteError(msg) from exc
    return path
