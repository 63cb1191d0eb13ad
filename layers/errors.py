"""Errors raised by the layers package; they subclass built-ins so ``except ValueError`` works."""

from __future__ import annotations


class LayerReadError(ValueError):
    """A data file cannot be read (not UTF-8, not JSON or CSV, too large, columns missing, ...).

    Parameters
    ----------
    message
        The whole message: file, what is wrong and the fix.
    code
        Short name of the problem (``not-utf8``), as the validator reports it.
    reason
        The message without the file name in front, for reports that name the file apart.
    field
        The column concerned, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "unreadable",
        reason: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason or message
        self.field = field


class LayerValidationError(ValueError):
    """A layer set does not match its LayerSpecs; ``report`` holds every problem found."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class LayerWriteError(OSError):
    """A layer could not be written; the previous file is left untouched."""
