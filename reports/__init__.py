"""Country reports: a briefing document per country (PDF or HTML) from an analysis.

``strikemap report --country AZE --out aze.pdf`` and the app's "Country report" download call
:func:`save_report` / :func:`report_bytes` on ``strikemap.analysis.analyse`` of a view naming
one country, so the report's numbers are those of ``strikemap impact --summary`` and the app.
"""

from strikemap.reports.build import build_report
from strikemap.reports.context import ReportError
from strikemap.reports.save import REPORT_FORMATS, report_bytes, save_report

__all__ = ["REPORT_FORMATS", "ReportError", "build_report", "report_bytes", "save_report"]
