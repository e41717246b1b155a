"""The report: every analysis declared once, computed into tables, written as ``report.md``.

`ANALYSES` is the registry (`navdecode.report.sections`, one module per analysis, each an
`Analysis` that declares its needs, recipe, columns, text and figures); `compute_report`
runs the chosen ones into `ReportTables`, `render_report` writes their tables, figures and
text, and `make_report` does both.
"""

from __future__ import annotations

from navdecode._exports import attach

_EXPORTS = {
    "compute": ("Combine", "check_targets", "chosen", "compute_report", "pair_of"),
    "declared": ("Analysis", "Column", "FigureSpec", "Needs", "Recipe"),
    "markdown": ("report_markdown",),
    "render": ("check_report_folder", "make_report", "render_report"),
    "session": ("Network", "POSITION", "Part", "Session", "lacks", "network_sessions"),
    "tables": ("CSV_FRAMES", "FRAMES", "ReportTables", "SKIPPED_COLUMNS", "in_length_unit"),
    "text": (
        "comparison_table", "family_text", "fmt", "gain_text", "in_unit", "k_group_section",
        "mean_ci_cells", "significance", "summary_table"),
    "workers": ("worker_pool",),
    "sections": ("ANALYSES", "DEFAULT_OPTIONS", "OPTIONS", "catalogue"),
}
"""Each module of this folder and the public names it defines (its ``__all__``)."""

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
