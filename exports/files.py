"""What static map and table exports share: errors, output formats and atomic writing."""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Collection
from pathlib import Path
from typing import BinaryIO, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from strikemap.layers.errors import LayerWriteError
from strikemap.layers.history import HISTORY_DIR_NAME, data_file_names
from strikemap.layers.io import atomic_write_bytes
from strikemap.layers.lock import LOCK_NAME

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
            if categories.dtype == object or pd.api.types.is_string_dtype(categories.dtype):
                text = pd.Series(categories, dtype=object)
                fixed[column] = values.cat.rename_categories(list(_defused(text)))
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            fixed[column] = _defused(values.astype(object))
    return frame.assign(**fixed) if fixed else frame


def _defused(values: pd.Series) -> pd.Series:
    risky = _risky(values)
    if not risky.any():
        return values
    return values.where(~risky, "'" + values.where(risky, "").astype(str))


def _risky(values: pd.Series) -> np.ndarray:
    """Return where ``values`` holds text starting with a formula prefix.

    Texts (and missing values) are tested in Arrow, whose first-character slice costs about
    0.1 s per million cells instead of pandas' 0.6 s; columns mixing in other types (numbers,
    lists) take the pandas path.
    """
    try:
        arrow = pa.array(values.to_numpy(object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        is_text = values.map(type).eq(str)
        return (is_text & values.where(is_text, "").str.startswith(FORMULA_PREFIXES)).to_numpy()
    first = pc.utf8_slice_codeunits(arrow, 0, 1)
    hit = pc.fill_null(pc.is_in(first, value_set=pa.array(FORMULA_PREFIXES)), False)
    return hit.to_numpy(zero_copy_only=False)


def csv_text(frame: pd.DataFrame) -> str:
    """Return ``frame`` as CSV text: no index, newline line ends, formulas defused."""
    return defuse_formulas(frame).to_csv(index=False, lineterminator="\n")


class ExportFormatError(ValueError):
    """An export option (format, page, dpi, basemap, table) is not one we can produce."""


class ExportWriteError(OSError):
    """An export cannot be written where it was asked to go."""


class ExportTargetError(ExportWriteError):
    """An export would overwrite a file it was not allowed to (the data, an existing file)."""


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


def guard_output(out: Path, *, data_dir: Path, force: bool = False) -> Path:
    """Refuse, before any work, an export target that would replace data or an existing file.

    Parameters
    ----------
    out
        Where the export would go.
    data_dir
        The data folder the export reads.
    force
        Allow replacing an existing file that is not data.

    Returns
    -------
    Path
        ``out``, once it is known to be a writable new file (or an existing one with ``force``).

    Raises
    ------
    ExportTargetError
        When ``out`` lies in the data folder (or any folder that looks like one), is a layer
        file, or exists and ``force`` is not given.
    ExportWriteError
        When the folder is missing or not writable, or ``out`` is a folder.
    """
    path = Path(out).expanduser()
    check_writable(path)
    folder = data_folder_of(path, data_dir=data_dir)
    if folder is not None:
        msg = (
            f"{path}: lies in the data folder {folder}; an export there would replace the data "
            "with a filtered copy, so exports never write there. Choose another --out"
        )
        raise ExportTargetError(msg)
    if path.exists() and not force:
        msg = f"{path}: the file exists; add --force to replace it, or choose another --out"
        raise ExportTargetError(msg)
    return path


def data_folder_of(path: Path, *, data_dir: Path) -> Path | None:
    """Return the data folder ``path`` would land in, or ``None`` when it is not data.

    A path is data when it lies in ``data_dir``, in a folder that looks like a data folder
    (it has a history, a lock file, or two or more of the layer files), or when it is an
    existing file named like a layer file.
    """
    parent = path.resolve().parent
    if parent == data_dir.resolve():
        return data_dir
    names = data_file_names()
    markers = [HISTORY_DIR_NAME, LOCK_NAME]
    if (
        any((parent / m).exists() for m in markers)
        or sum((parent / n).is_file() for n in names) >= 2
    ):
        return parent
    if path.name in names and path.exists():
        return parent
    return None


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
        reason = getattr(exc.__cause__, "strerror", None) or exc.__cause__ or exc
        msg = f"{path}: cannot write the export ({reason}); check space and rights"
        raise ExportWriteError(msg) from exc
    return path


def write_to_stdout(write: Callable[[BinaryIO], object]) -> None:
    """Let ``write`` put UTF-8 bytes on stdout: its binary buffer, or as text when it has none.

    A stdout replaced by a text stream (tests, embedding) gets the bytes decoded block by
    block (a character may span blocks).
    """
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        write(_TextSink(sys.stdout))  # type: ignore[arg-type]
        return
    sys.stdout.flush()
    write(buffer)
    buffer.flush()


class _TextSink:
    """Take UTF-8 bytes a block at a time and write them to a text stream."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def write(self, data: bytes) -> int:
        self.out.write(self.decoder.decode(data))
        return len(data)
