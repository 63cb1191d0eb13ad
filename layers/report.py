"""Validation problems and the report that collects them, grouped by file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Literal

from strikemap.layers.errors import LayerValidationError

Severity = Literal["error", "warning"]
DEFAULT_MAX_PER_FILE = 50
"""Problems shown per file by ``ValidationReport.format`` before it summarises the rest."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in a layer file or table.

    Parameters
    ----------
    severity
        ``error`` makes the data invalid; ``warning`` is accepted but worth a look.
    file
        The file the problem is in, as given to the validator.
    message
        What is wrong and what to do about it.
    feature
        Id of the feature (or ``None`` when it has none or the problem is about the whole file).
    row
        Position of the feature in the file (1-based) or line number of a CSV row.
    field
        The property or column concerned, ``None`` for the geometry or the whole file.
    code
        Short, stable name of the check (``swapped-coordinates``), for machines and tests.
    """

    severity: Severity
    file: str
    message: str
    feature: str | None = None
    row: int | None = None
    field: str | None = None
    code: str = ""

    @property
    def where(self) -> str:
        """Feature, row and field in words, e.g. ``feature 'strike-x' (#3), field 'date'``."""
        parts = []
        if self.feature is not None:
            position = f" (#{self.row})" if self.row is not None and not self._is_csv else ""
            parts.append(f"feature {self.feature!r}{position}")
        elif self.row is not None:
            parts.append(f"row {self.row}" if self._is_csv else f"feature #{self.row}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    @property
    def _is_csv(self) -> bool:
        return self.file.lower().endswith(".csv")

    def __str__(self) -> str:
        where = self.where
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


@dataclass
class ValidationReport:
    """Every problem found in a set of files, and which files were checked."""

    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add(self, problems: Iterable[Problem], *, file: str | None = None) -> None:
        """Add ``problems`` and, when given, record ``file`` as checked."""
        self.problems.extend(problems)
        if file is not None and file not in self.files:
            self.files.append(file)

    def merge(self, other: ValidationReport) -> None:
        """Add the problems and checked files of ``other``."""
        self.problems.extend(other.problems)
        self.files.extend(f for f in other.files if f not in self.files)

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the data invalid."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that are accepted but worth a look."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Whether there are no errors (warnings are fine)."""
        return not self.errors

    def summary(self) -> str:
        """One line: ``N errors, M warnings in K files``."""
        errors, warnings, files = len(self.errors), len(self.warnings), len(self.files)
        return (
            f"{errors} {_plural('error', errors)}, {warnings} {_plural('warning', warnings)}"
            f" in {files} {_plural('file', files)}"
        )

    def format(self, *, max_per_file: int | None = DEFAULT_MAX_PER_FILE) -> str:
        """Return a readable report: problems grouped by file, errors first, then the summary.

        Parameters
        ----------
        max_per_file
            Show at most this many problems per file and count the rest; ``None`` shows all.
        """
        lines: list[str] = []
        for file, problems in self._by_file().items():
            lines.append(file)
            shown = problems if max_per_file is None else problems[:max_per_file]
            lines.extend(_format_line(p) for p in shown)
            if len(problems) > len(shown):
                lines.append(f"  ... and {len(problems) - len(shown)} more in this file")
            lines.append("")
        lines.append(self.summary())
        return "\n".join(lines)

    def _by_file(self) -> dict[str, list[Problem]]:
        by_file: dict[str, list[Problem]] = {}
        for problem in sorted(self.problems, key=_reading_order):
            by_file.setdefault(problem.file, []).append(problem)
        return by_file

    def to_dict(self) -> dict[str, object]:
        """Return the report as JSON-ready data: counts, files and every problem."""
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "files": list(self.files),
            "problems": [asdict(p) for p in self.problems],
        }

    def raise_if_invalid(self) -> None:
        """Raise ``LayerValidationError`` listing the errors when there are any.

        Raises
        ------
        LayerValidationError
            With the readable error report as message and this report as ``report``.
        """
        if self.ok:
            return
        errors_only = ValidationReport(self.errors, self.files)
        raise LayerValidationError(errors_only.format(), report=self)


def _reading_order(problem: Problem) -> tuple[bool, int]:
    """Errors before warnings; whole-file problems first, then features in file order."""
    return problem.severity != "error", problem.row or 0


def _format_line(problem: Problem) -> str:
    where = problem.where
    text = f"{where}: {problem.message}" if where else problem.message
    return f"  {problem.severity:<7} {text}"


def _plural(word: str, count: int) -> str:
    return word if count == 1 else f"{word}s"
