"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode.report import compute as compute
from navdecode.report import declared as declared
from navdecode.report import markdown as markdown
from navdecode.report import render as render
from navdecode.report import sections as sections
from navdecode.report import session as session
from navdecode.report import tables as tables
from navdecode.report import text as text
from navdecode.report import workers as workers
from navdecode.report.compute import Combine as Combine
from navdecode.report.compute import check_targets as check_targets
from navdecode.report.compute import chosen as chosen
from navdecode.report.compute import compute_report as compute_report
from navdecode.report.compute import pair_of as pair_of
from navdecode.report.declared import Analysis as Analysis
from navdecode.report.declared import Column as Column
from navdecode.report.declared import FigureSpec as FigureSpec
from navdecode.report.declared import Needs as Needs
from navdecode.report.declared import Recipe as Recipe
from navdecode.report.markdown import report_markdown as report_markdown
from navdecode.report.render import check_report_folder as check_report_folder
from navdecode.report.render import make_report as make_report
from navdecode.report.render import render_report as render_report
from navdecode.report.sections import ANALYSES as ANALYSES
from navdecode.report.sections import DEFAULT_OPTIONS as DEFAULT_OPTIONS
from navdecode.report.sections import OPTIONS as OPTIONS
from navdecode.report.sections import catalogue as catalogue
from navdecode.report.session import POSITION as POSITION
from navdecode.report.session import Network as Network
from navdecode.report.session import Part as Part
from navdecode.report.session import Session as Session
from navdecode.report.session import lacks as lacks
from navdecode.report.session import network_sessions as network_sessions
from navdecode.report.tables import CSV_FRAMES as CSV_FRAMES
from navdecode.report.tables import FRAMES as FRAMES
from navdecode.report.tables import SKIPPED_COLUMNS as SKIPPED_COLUMNS
from navdecode.report.tables import ReportTables as ReportTables
from navdecode.report.tables import in_length_unit as in_length_unit
from navdecode.report.text import comparison_table as comparison_table
from navdecode.report.text import family_text as family_text
from navdecode.report.text import fmt as fmt
from navdecode.report.text import gain_text as gain_text
from navdecode.report.text import in_unit as in_unit
from navdecode.report.text import k_group_section as k_group_section
from navdecode.report.text import mean_ci_cells as mean_ci_cells
from navdecode.report.text import significance as significance
from navdecode.report.text import summary_table as summary_table
from navdecode.report.workers import worker_pool as worker_pool

__all__ = [
    "ANALYSES",
    "CSV_FRAMES",
    "DEFAULT_OPTIONS",
    "FRAMES",
    "OPTIONS",
    "POSITION",
    "SKIPPED_COLUMNS",
    "Analysis",
    "Column",
    "Combine",
    "FigureSpec",
    "Needs",
    "Network",
    "Part",
    "Recipe",
    "ReportTables",
    "Session",
    "catalogue",
    "check_report_folder",
    "check_targets",
    "chosen",
    "comparison_table",
    "compute_report",
    "family_text",
    "fmt",
    "gain_text",
    "in_length_unit",
    "in_unit",
    "k_group_section",
    "lacks",
    "make_report",
    "mean_ci_cells",
    "network_sessions",
    "pair_of",
    "render_report",
    "report_markdown",
    "significance",
    "summary_table",
    "worker_pool",
]
