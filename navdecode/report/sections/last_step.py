"""The decoded belief at the stop and the stop itself: does an agent whose decoded
position is further off at a trial's end also stop further from the target?"""

from __future__ import annotations

import numpy as np
import pandas as pd

from navdecode.report.declared import Analysis, Column, Needs, Recipe
from navdecode.report.session import Session

__all__ = ["ANALYSIS", "COLUMN", "last_step_stop_r"]

COLUMN = "last_step_error_stop_r"


def last_step_stop_r(grouped: object, trials: pd.DataFrame) -> float:
    """Pearson's r over trials between the decoding error at each trial's last tested step
    (`DecodingResult.last_step_error`) and its stop error, ``r = corr_i(e_i, |stop_i -
    target_i|)``: navdecode's per-agent version of the quantity of the paper's figure S5b
    (the paper decodes with its 70/30 RidgeCV and pools the agents of an architecture).
    NaN without a target (no stop-error column), with fewer than 3 trials having both, or
    when either is constant.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from navdecode.report.sections.last_step import last_step_stop_r
    >>> class Decoded:
    ...     def last_step_error(self):
    ...         return pd.Series([1.0, 2.0, 3.0], index=[0, 1, 2])
    >>> trials = pd.DataFrame({"trial": [0, 1, 2], "stop_error_cm": [2.0, 4.0, 6.0]})
    >>> round(last_step_stop_r(Decoded(), trials), 6)
    1.0
    """
    column = next((c for c in trials if c.startswith("stop_error_")), None)
    if column is None:
        return float("nan")
    last = grouped.last_step_error()
    stop = trials.set_index("trial")[column].reindex(last.index)
    both = np.isfinite(last.values) & np.isfinite(stop.values)
    e, d = last.values[both], stop.values[both]
    if both.sum() < 3 or np.ptp(e) == 0 or np.ptp(d) == 0:
        return float("nan")
    return float(np.corrcoef(e, d)[0, 1])


def _session(s: Session) -> None:
    if s.trials is not None and s.grouped() is not None:
        s.row[COLUMN] = last_step_stop_r(s.grouped(), s.trials)


ANALYSIS = Analysis(
    name="last_step", title="Last-step decoding error vs stop error",
    needs=Needs(variables=("hidden", "pos_x", "pos_y", "target_x", "target_y")),
    recipes=(Recipe("navdecode", "Pearson r over one agent's trials of the grouped-CV "
                    "decoding error at the last step with the stop error",
                    related_figure="S5b",
                    differs="the paper decodes with its ordered 70/30 RidgeCV and pools "
                            "the trials of every seed of an architecture"),),
    columns={"sessions": (Column(COLUMN, "1", "Pearson r, last-step decoding error with "
                                 "stop error"),)},
    session=_session)
