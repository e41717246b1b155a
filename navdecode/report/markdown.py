"""The text of ``report.md``: a header, each analysis's section in the report's order, what
did not run, and the figures; nothing drawn, no analysis known by name."""

from __future__ import annotations

from navdecode.report.sections import ANALYSES
from navdecode.report.tables import ReportTables

__all__ = ["report_markdown"]


def report_markdown(tables: ReportTables, figures: dict[str, str]) -> str:
    """The text of ``report.md`` for `tables` (internal ``_cm`` names, any length unit)."""
    sessions, gains, unit = tables.sessions, tables.gains, tables.length_unit
    labels = sorted(sessions["arch"].unique())
    n_agents = sessions.groupby(["arch", "seed"]).ngroups
    trials = f"{tables.n_trials} fixed targets" if tables.agents else \
        f"{tables.n_trials} trials per recording (median)"
    conditions = f"gains {', '.join(tables.cond(g) for g in gains)}" if tables.has_gain else \
        "one condition (the recordings hold no gain)"
    units = "unknown units" if unit == "unknown" else unit
    lines = ["# navdecode report", "",
             f"{n_agents} agents ({', '.join(labels)}), {trials}, {conditions}; lengths in "
             f"{units}; computed in {tables.elapsed_s:.0f} s.", ""]
    for analysis in ANALYSES.values():
        ran = analysis.option is None or analysis.option in tables.analyses
        if ran and analysis.text is not None:
            lines += analysis.text(tables)
    lines += _skipped_section(tables)
    lines += ["## Figures", "", *(f"![{name}]({path})" for name, path in figures.items())]
    if not tables.has_gain:  # one condition: the tables' first columns say so
        lines = [line.replace("| gain |", "| condition |", 1) if line.startswith("| ") else line
                 for line in lines]
    return "\n".join(lines) + "\n"


def _skipped_section(tables: ReportTables) -> list[str]:
    """Every analysis that did not run, with the variable or property it lacks."""
    skipped = tables.skipped
    if skipped.empty:
        return []
    lines = ["## Analyses not run", "",
             "What the recordings do not support (`skipped.csv` lists every session):", "",
             "| analysis | sessions | reason |", "|---|---|---|"]
    for (analysis, reason), rows in skipped.groupby(["analysis", "reason"], sort=False):
        who = rows["arch"].astype(str) + (" " + rows["seed"].astype(str)).where(
            rows["seed"].astype(str) != "", "")
        shown = ", ".join(dict.fromkeys(who))
        lines.append(f"| {analysis} | {len(rows)} ({shown}) | {reason} |")
    return [*lines, ""]
