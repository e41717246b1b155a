"""The report: every analysis declared once, computed into tables, written as ``report.md``.

`ANALYSES` is the registry (`navdecode.report.sections`, one module per analysis, each an
`Analysis` that declares its needs, recipe, columns, text and figures); `compute_report`
runs the chosen ones into `ReportTables`, `render_report` writes their tables, figures and
text, and `make_report` does both.
"""

from __future__ import annotations

from navdecode.report.compute import compute_report
from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.render import check_report_folder, make_report, render_report
from navdecode.report.sections import ANALYSES, DEFAULT_OPTIONS, OPTIONS, catalogue
from navdecode.report.tables import ReportTables

__all__ = [
           "ANALYSES",
           "DEFAULT_OPTIONS",
           "OPTIONS",
           "Analysis",
           "Column",
           "FigureSpec",
           "Needs",
           "Recipe",
           "ReportTables",
           "catalogue",
           "check_report_folder",
           "compute_report",
           "make_report",
           "render_report",
]
