"""Errors raised by the geo package; they subclass built-ins so ``except ValueError`` works."""

from __future__ import annotations


class CRSError(ValueError):
    """A frame has no CRS, or frames that must share a CRS do not."""


class ImpactInputError(ValueError):
    """A frame handed to the impact join lacks a column or holds an unusable value."""
