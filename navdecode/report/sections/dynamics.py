"""Dynamics: each network's fixed points at rest, and DSA across networks.

Per network, at the first condition: the fixed and slow points of the actor's LSTM with its
input held at zero (no observation, no motion, no action: the agent at rest once the target
has vanished), searched from `N_STARTS` of the states it visited; and its DSA operator (the
hidden units' delay-embedded linear dynamics). Across networks: the DSA distance matrix, the
label-permutation test of within- vs between-label pairs, and the fixed-point metrics
compared across labels.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd

from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.sections.similarity import matrix_test, test_row, within_between_rows
from navdecode.report.session import Session
from navdecode.report.text import comparison_table, fmt, gain_text, k_group_section

__all__ = ["ANALYSIS", "DYNAMICS", "N_ITER", "N_STARTS"]

N_STARTS = 32
"""Visited states the fixed-point search starts from (evenly spaced over valid steps)."""
N_ITER = 2000
"""Adam steps of the fixed-point search (then Newton's polishing)."""
DYNAMICS = {
    "slowest_speed": "slowest point's speed q",
    "slowest_max_abs_eigenvalue": "slowest point's largest eigenvalue modulus",
    "stable_fraction": "fraction of points that are stable",
    "n_points": "distinct points",
}
"""The fixed-point metrics compared across labels (a Holm family of their own)."""
COLUMNS = (
    Column("arch", "1", "the label"), Column("seed", "1", "the network"),
    Column("gain", "1", "the condition"),
    Column("n_points", "1", "distinct fixed and slow points"),
    Column("n_fixed", "1", "points with speed q <= 1e-6"),
    Column("slowest_speed", "1", "the slowest point's speed q"),
    Column("slowest_max_abs_eigenvalue", "1", "its Jacobian's largest eigenvalue modulus"),
    Column("slowest_n_unstable", "1", "its eigenvalues of modulus >= 1"),
    Column("stable_fraction", "1", "fraction of points whose eigenvalues all lie inside 1"),
)


def _fixed(s: Session) -> None:
    import torch

    from navdecode.analysis.dynamics import fixed_points

    agent, ds = s.net.agent, s.ds
    rnn = getattr(getattr(agent, "actor", None), "rnn", None)
    if agent is None:
        s.skip("fixed points", "needs agents to run (not recordings)")
        return
    if not (isinstance(rnn, torch.nn.LSTM) and rnn.num_layers == 1 and not rnn.proj_size):
        s.skip("fixed points", "needs an actor whose actor.rnn is a one-layer nn.LSTM")
        return
    missing = [v for v in ("hidden", "cell") if v not in ds.variables]
    if missing:
        s.skip("fixed points", f"needs {', '.join(missing)}")
        return
    valid = ds["valid"].values
    states = np.concatenate([ds["hidden"].values[valid], ds["cell"].values[valid]], axis=1)
    starts = states[np.linspace(0, len(states) - 1, N_STARTS).astype(int)]
    points = fixed_points(rnn, np.zeros((1, rnn.input_size)), starts, n_iter=N_ITER)
    slowest = int(np.argmin(points["speed"].values))
    s.part.dynamics.append({
        **s.key, "n_points": points.sizes["point"],
        "n_fixed": int(points["fixed"].values.sum()),
        "slowest_speed": float(points["speed"].values[slowest]),
        "slowest_max_abs_eigenvalue": float(points["max_abs_eigenvalue"].values[slowest]),
        "slowest_n_unstable": int(points["n_unstable"].values[slowest]),
        "stable_fraction": float(points["stable"].values.mean())})
    if s.gain in s.net.examples:
        s.part.fixed_point_examples[s.key["arch"]] = (
            s.key["seed"], points, states[:: max(1, len(states) // 3000)])


def _session(s: Session) -> None:
    if not s.at_first_gain:
        return
    from navdecode.analysis.dynamical_similarity import dmd_operator

    _fixed(s)
    if "hidden" not in s.ds.variables or s.ds["hidden"].ndim != 3:
        s.skip("dynamical similarity (DSA)", "needs hidden (trial, step, unit)")
    elif importlib.util.find_spec("DSA") is None:
        s.skip("dynamical similarity (DSA)", "needs dsa-metric: pip install 'navdecode[dsa]'")
    else:
        s.part.operators[(s.key["arch"], s.key["seed"])] = dmd_operator(s.ds)


def _collect(part: object, context: object) -> None:
    state = context.state.setdefault(ANALYSIS.name, {"rows": [], "operators": {},
                                                     "examples": {}})
    state["rows"] += part.dynamics
    state["operators"] |= part.operators
    for arch, example in part.fixed_point_examples.items():
        state["examples"].setdefault(arch, example)


def _combine(tables: object, context: object) -> None:
    from navdecode.analysis.dynamical_similarity import dsa_matrix
    from navdecode.stats.comparisons import compare

    state = context.state.pop(ANALYSIS.name, {"rows": [], "operators": {}, "examples": {}})
    operators, keys = state["operators"], list(state["operators"])
    if len(keys) >= 3 and len({k[0] for k in keys}) >= 2:
        index = pd.MultiIndex.from_tuples(keys, names=["arch", "seed"])
        tables.dsa = pd.DataFrame(dsa_matrix([operators[k] for k in keys]), index=index,
                                  columns=index)
    elif operators:
        context.skip_all("dynamical similarity (DSA)",
                         "needs DSA operators of 3+ networks of 2+ labels at one condition")
    tables.dynamics = pd.DataFrame(state["rows"])
    if not tables.dynamics.empty:
        counts = tables.dynamics.groupby("arch")["seed"].nunique()
        if len(counts) >= 2 and counts.min() >= 2:
            tables.dynamics_comparisons = compare(
                tables.dynamics, list(DYNAMICS), groups=context.pair(list(counts.index))
            ).assign(gain=tables.gains[0], family="dynamics")
    tables.fixed_point_examples = state["examples"]
    tables.similarity_tests = test_row(tables.similarity_tests, "DSA", tables.dsa)


def _text(tables: object) -> list[str]:
    from navdecode.analysis.dynamical_similarity import N_DELAYS, RANK

    points, dsa = tables.dynamics, tables.dsa
    if points.empty and dsa.empty:
        return []
    lines = ["## Dynamics", ""]
    if not points.empty:
        means = points.groupby("arch")[["n_points", "n_fixed", "slowest_speed",
                                         "slowest_max_abs_eigenvalue", "stable_fraction"]].mean()
        counts = points.groupby("arch")["seed"].nunique()
        lines += [
            "### Fixed points at rest", "",
            f"Each network's actor LSTM with its input held at zero (no observation, no "
            f"motion, no action: at rest once the target has vanished), on the "
            f"{gain_text(tables.gains[0])} recording: `fixed_points` from {N_STARTS} visited "
            f"states, {N_ITER} Adam steps on the speed q(s) = ||F(s) - s||^2 / 2 and "
            "Newton's polish; a point is fixed at q <= 1e-6 (else slow) and stable when every "
            "eigenvalue of its Jacobian has |lambda| < 1 (`dynamics.csv`). Means over "
            "networks:", "",
            "| arch | networks | distinct points | fixed points | slowest speed | slowest "
            "point's largest abs eigenvalue | fraction stable |", "|---|---|---|---|---|---|---|"]
        for arch, r in means.iterrows():
            lines.append(f"| {arch} | {int(counts[arch])} | {r['n_points']:.1f} | "
                         f"{r['n_fixed']:.1f} | {r['slowest_speed']:.2e} | "
                         f"{fmt(r['slowest_max_abs_eigenvalue'])} | "
                         f"{fmt(r['stable_fraction'])} |")
        lines.append("")
        cmp = tables.dynamics_comparisons
        if not cmp.empty and "comparison" in cmp:
            lines += k_group_section(cmp, DYNAMICS, "Fixed points: all labels", level="###")
        elif not cmp.empty:
            lines += ["A Holm family of its own:", "", *comparison_table(cmp, DYNAMICS), ""]
    if not dsa.empty:
        lines += ["### Dynamical similarity (DSA)", "",
                  f"DSA distance (Ostrow et al. 2023, dsa-metric) between the hidden units' "
                  f"dynamics of every pair of networks at {gain_text(tables.gains[0])} "
                  f"(`dsa.csv`): each network's delay-embedded units ({N_DELAYS} delays, "
                  f"within trials) fitted by a rank-{RANK} linear operator, two operators "
                  "compared by the Wasserstein distance between their eigenvalues (0: the "
                  "same dynamics up to a change of basis). Per network, the mean distance to "
                  "the other networks of its architecture (within) and to the others' "
                  "(between), averaged over networks:", "",
                  "| arch | networks | within | between |", "|---|---|---|---|",
                  *within_between_rows(dsa, digits=4), "", *matrix_test(tables, "DSA")]
    return lines


def _figures(tables: object) -> list[FigureSpec]:
    specs = []
    if not tables.dsa.empty:
        specs.append(FigureSpec("dsa", "plot_similarity_matrix", (tables.dsa,),
                                {"label": "DSA distance (Wasserstein)", "vmax": None}))
    for arch, (seed, points, states) in tables.fixed_point_examples.items():
        specs.append(FigureSpec(f"fixed_points_{arch}", "plot_fixed_points", (points, states),
                                title=f"{arch} seed {seed}: fixed and slow points, input "
                                      "held at 0"))
    return specs


ANALYSIS = Analysis(
    name="dynamics", title="Dynamics", option="dynamics", default=False,
    needs=Needs(variables=("hidden", "cell"), agent=True, extra="dsa"),
    recipes=(Recipe("navdecode", f"`fixed_points` of the actor's LSTM at zero input from "
                    f"{N_STARTS} visited states, {N_ITER} Adam steps and Newton's polish; DSA "
                    "distance (dsa-metric) between networks"),),
    columns={"dynamics": COLUMNS}, session=_session, collect=_collect, combine=_combine,
    text=_text, figures=_figures)
