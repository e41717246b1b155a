"""Cross-condition decoding: a decoder fitted at the first gain, tested at a later one."""

from __future__ import annotations

from navdecode.analysis.decoding import decode
from navdecode.report.declared import Analysis, Column, Needs, Recipe
from navdecode.report.session import Session

__all__ = ["ANALYSIS", "CROSS", "SIDE_BY_SIDE"]

CROSS = "decoding_cross_cm"
COLUMNS = (Column(CROSS, "cm", "error of the first gain's decoder on this gain's recording"),)
SIDE_BY_SIDE = {CROSS: "cross"}
"""The column and its name beside the decoding protocols."""


def _session(s: Session) -> None:
    if s.grouped() is None or s.first is None or "hidden" not in s.first.variables:
        return
    s.row[CROSS] = decode(s.first, test_ds=s.ds).mean_error


ANALYSIS = Analysis(
    name="cross", title="Cross-condition decoding",
    needs=Needs(variables=("hidden", "pos_x", "pos_y")),
    recipes=(Recipe("navdecode", "standardised ridge fitted on every trial at the first gain, "
                    "tested at the later one (`decode(test_ds=...)`)"),),
    columns={"sessions": COLUMNS}, session=_session)
