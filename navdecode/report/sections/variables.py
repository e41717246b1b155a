"""The variables a user names (``targets=`` / ``--decode``), decoded from the units like the
position: any task's own ground truth, per step or per trial."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from navdecode.analysis.decoding import decode
from navdecode.report.declared import Analysis, Column, Needs, Recipe
from navdecode.report.session import Session
from navdecode.report.text import fmt

__all__ = ["ANALYSIS", "columns_of", "values_of"]


def columns_of(name: str) -> dict[str, str]:
    """The ``sessions`` columns of variable `name`: grouped-CV error, Pearson r, and the
    shuffle and step-index controls' errors."""
    return {"error": f"decoding_error_{name}", "r": f"decoding_r_{name}",
            "shuffle": f"decoding_shuffle_{name}", "time": f"decoding_time_only_{name}"}


def values_of(ds: xr.Dataset, name: str) -> tuple[xr.DataArray | None, str | None]:
    """Variable `name` on the (trial, step) grid: a per-step variable as it is, a per-trial
    one repeated over the trial's valid steps; (None, the reason) otherwise."""
    if name not in ds.variables:
        return None, f"needs {name} (a recorded per-step or per-trial variable)"
    var = ds[name]
    if var.dims == ("trial", "step"):
        values = var
    elif var.dims == ("trial",):
        values = var.broadcast_like(ds["valid"]).where(ds["valid"]).transpose("trial", "step")
    else:
        return None, f"needs {name} per step (trial, step) or per trial, got dims {var.dims}"
    if not np.issubdtype(values.dtype, np.number) and values.dtype != bool:
        return None, f"needs {name} to hold numbers, got {values.dtype}"
    numbers = values.astype(float).where(ds["valid"])
    if not np.isfinite(numbers.values).any() or np.nanstd(numbers.values) == 0:
        return None, f"needs {name} to vary over the valid steps"
    return numbers.assign_attrs(var.attrs), None


def _session(s: Session) -> None:
    for name in s.kind.get("targets", ()):
        what = f"decoding {name}"
        values, reason = values_of(s.ds, name)
        if reason is None and "hidden" not in s.ds.variables:
            reason = "needs hidden (the units to decode from)"
        if reason is not None:
            s.skip(what, reason)
            continue
        target = f"_target_{name}"
        frame = s.ds.assign({target: values})
        cols = columns_of(name)
        result = decode(frame, targets=(target,), refit=False)
        s.row |= {cols["error"]: result.mean_error,
                  cols["r"]: float(result.pearson_r[target]),
                  cols["shuffle"]: decode(frame, targets=(target,), control="shuffle",
                                          refit=False).mean_error,
                  cols["time"]: decode(frame, targets=(target,), control="time",
                                       refit=False).mean_error}


def _family(sessions: pd.DataFrame) -> dict[str, str]:
    """The named variables' decoding errors and r, compared across labels as one family."""
    names = [c.removeprefix("decoding_r_") for c in sessions.columns
             if c.startswith("decoding_r_") and columns_of(c.removeprefix(
                 "decoding_r_"))["shuffle"] in sessions]
    out: dict[str, str] = {}
    for name in names:
        cols = columns_of(name)
        out[cols["error"]] = f"decoding error of {name}, grouped CV"
        out[cols["r"]] = f"Pearson r of decoded {name}, grouped CV"
    return out


def _text(tables: object) -> list[str]:
    sessions, cond = tables.sessions, tables.cond
    names = [n for n in tables.targets if columns_of(n)["error"] in sessions]
    if not names:
        return []
    lines = ["## The variables you named", "",
             "Each decoded from the recurrent units like the position (trial-grouped 5-fold "
             "CV, standardised ridge), with its controls: *shuffle* (every trial's values "
             "from another trial) and *time only* (the step index alone). Error: mean "
             "absolute error in the variable's own units; r: Pearson's r of the held-out "
             "prediction with the truth. A per-trial variable is repeated over its trial's "
             "steps. Means over networks:", "",
             "| arch | gain | variable | error | r | shuffle | time only |",
             "|---|---|---|---|---|---|---|"]
    for name in names:
        cols = columns_of(name)
        means = sessions.groupby(["arch", "gain"])[[cols[k] for k in
                                                    ("error", "r", "shuffle", "time")]].mean()
        for (arch, gain), r in means.iterrows():
            lines.append(f"| {arch} | {cond(gain)} | {name} | " + " | ".join(
                fmt(v) for v in r) + " |")
    family = tables.family(ANALYSIS.name)
    if not family.empty:
        from navdecode.report.text import family_text

        lines += family_text(family, tables.family_titles(ANALYSIS.name),
                             "The variables you named: all labels (a Holm family of its own)",
                             cond, intro="Compared across labels, a Holm family of its own:")
    return [*lines, ""]


ANALYSIS = Analysis(
    name="variables", title="The variables you named",
    needs=Needs(variables=("hidden",)),
    recipes=(Recipe("navdecode", "each named variable decoded from the units with "
                    "trial-grouped CV (`decode`), its shuffle and step-index controls, "
                    "compared across labels as one Holm family"),),
    columns={"sessions": tuple(Column(c, u, d) for c, u, d in (
        ("decoding_error_<name>", "the variable's", "grouped-CV mean absolute error"),
        ("decoding_r_<name>", "1", "Pearson r of the held-out prediction"),
        ("decoding_shuffle_<name>", "the variable's", "error with shuffled trials"),
        ("decoding_time_only_<name>", "the variable's", "error from the step index alone")))},
    family_of=_family, session=_session, text=_text)
