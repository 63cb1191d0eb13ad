"""Errors raised by the layers package; they subclass built-ins so ``except ValueError`` works."""

from __future__ import annotations


class LayerReadError(ValueError):
    """A layer file cannot be read as a layer (not JSON, not a FeatureCollection, ...)."""


class LayerValidationError(ValueError):
    """A layer set does not match its LayerSpecs; ``report`` holds every problem found."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class LayerWriteError(OSError):
    """A layer could not be written; the previous file is left untouched."""
