"""Write a country report to a file or into memory, in one of the report formats."""

from __future__ import annotations

from pathlib import Path

from strikemap.analysis import Analysis
from strikemap.exports.files import (
    ExportFormatError,
    Output,
    check_writable,
    is_path,
    resolve_format,
    write_output,
)
from strikemap.reports.build import build_report
from strikemap.reports.document import Report

REPORT_FORMATS: tuple[str, ...] = ("pdf", "html")


def render(report: Report, fmt: str) -> bytes:
    """Return ``report`` as file contents in ``fmt`` (``pdf`` or ``html``, UTF-8)."""
    if fmt == "pdf":
        from strikemap.reports.pdf import report_pdf

        return report_pdf(report)
    from strikemap.reports.html import report_html

    return report_html(report).encode("utf-8")


def report_bytes(analysis: Analysis, *, fmt: str = "pdf") -> bytes:
    """Return the country report of ``analysis`` (a view naming one country) as file contents.

    Raises
    ------
    ExportFormatError
        For a format other than ``REPORT_FORMATS``.
    ReportError
        When the view names no country or several.
    """
    if fmt not in REPORT_FORMATS:
        msg = f"unknown report format {fmt!r}; choose one of {', '.join(REPORT_FORMATS)}"
        raise ExportFormatError(msg)
    return render(build_report(analysis), fmt)


def save_report(analysis: Analysis, out: Output, *, fmt: str | None = None) -> Path | None:
    """Write the country report of ``analysis`` to ``out``; the format from its suffix.

    The folder is checked before anything is built, and the file is replaced atomically
    (never half-written). Returns the path, or None for a file-like ``out``.
    """
    if fmt is None and not is_path(out):
        fmt = "pdf"
    fmt = resolve_format(out, fmt, REPORT_FORMATS)
    check_writable(out)
    return write_output(render(build_report(analysis), fmt), out)
