"""Actor x critic: which network carries an effect, the actor or the critic.

When the labels are navdecode architectures that cross at least two actors with at least
two critics, every cell filled (the paper's four: holistic, modular and the two hybrids),
each headline metric at each condition gets `compare_factorial`: the actor's and the
critic's main effects and their interaction, one value per network, the heteroscedastic
Wald statistic's parametric-bootstrap p with Holm's correction across the metrics and
effects of a condition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from navdecode.agents.networks import ARCHITECTURES, split_arch
from navdecode.report.declared import Analysis, Column, Recipe
from navdecode.report.text import fmt
from navdecode.stats.comparisons import holm
from navdecode.stats.factorial import compare_factorial

__all__ = ["ANALYSIS", "N_RESAMPLES", "actor_critic_design", "factorial_table"]

N_RESAMPLES = 4999
"""Parametric-bootstrap draws per effect."""


def actor_critic_design(labels: Sequence[str]) -> dict[str, tuple[str, str]] | None:
    """Each label's (actor, critic) when the labels cross two or more actors with two or
    more critics in every combination; None otherwise (a label that is not a navdecode
    architecture, a single actor or critic, or an empty cell).

    Examples
    --------
    >>> from navdecode.report.sections.factorial import actor_critic_design
    >>> actor_critic_design(["modular", "holistic", "Actor1Critic5", "Actor3Critic1"])["modular"]
    ('Actor3', 'Critic5')
    >>> actor_critic_design(["modular", "holistic"]) is None
    True
    """
    if any(label not in ARCHITECTURES for label in labels):
        return None
    parts = {label: split_arch(label) for label in labels}
    actors = {a for a, _ in parts.values()}
    critics = {c for _, c in parts.values()}
    crossed = len(actors) >= 2 and len(critics) >= 2 and len(set(parts.values())) == len(
        actors) * len(critics)
    return parts if crossed else None


def factorial_table(sessions: pd.DataFrame, metrics: Sequence[str],
                    gains: Sequence[float]) -> pd.DataFrame:
    """`compare_factorial` of every metric at every gain, with ``gain``, ``metric``,
    ``p_holm`` (across the metrics and effects of a gain) and the cell means as columns
    ``mean_<actor>_<critic>``; empty when the labels are not a crossed design or a cell has
    fewer than 2 networks.

    Parameters
    ----------
    sessions : pandas.DataFrame
        One row per (arch, seed, gain) with the `metrics`.
    metrics : sequence of str
    gains : sequence of float

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from navdecode.report.sections.factorial import factorial_table
    >>> rng = np.random.default_rng(0)
    >>> rows = [{"arch": a, "seed": s, "gain": 1.0, "score": (a == "modular") + rng.normal()}
    ...         for a in ("modular", "holistic", "Actor1Critic5", "Actor3Critic1")
    ...         for s in range(3)]
    >>> list(factorial_table(pd.DataFrame(rows), ["score"], [1.0])["effect"])
    ['actor', 'critic', 'actor:critic']
    """
    design = actor_critic_design(list(dict.fromkeys(sessions["arch"])))
    if design is None or sessions.groupby("arch")["seed"].nunique().min() < 2:
        return pd.DataFrame()
    crossed = sessions.assign(actor=sessions["arch"].map(lambda a: design[a][0]),
                              critic=sessions["arch"].map(lambda a: design[a][1]))
    parts = []
    for gain in gains:
        at_gain = crossed[crossed["gain"] == gain]
        rows = []
        for metric in metrics:
            if not at_gain[metric].notna().any():
                continue
            table = compare_factorial(at_gain.dropna(subset=[metric]), metric,
                                      ("actor", "critic"), n_resamples=N_RESAMPLES)
            means = table.attrs["cell_means"]
            cells = {f"mean_{actor}_{critic}": value
                     for (actor, critic), value in _cells(means).items()}
            rows.append(table.assign(gain=gain, metric=metric, **cells))
        if rows:
            part = pd.concat(rows, ignore_index=True)
            part["p_holm"] = np.nan
            tested = part["bootstrap_p"].notna()  # a metric without spread has no test
            if tested.any():
                part.loc[tested, "p_holm"] = holm(part.loc[tested, "bootstrap_p"].to_numpy())
            parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _cells(means: dict) -> dict[tuple[str, str], float]:
    """(actor, critic) -> mean, from `compare_factorial`'s ``cell_means`` (``{critic:
    {actor: mean}}``, a table of actors x critics)."""
    frame = pd.DataFrame(means)
    return {(a, c): float(frame.loc[a, c]) for a in frame.index for c in frame.columns
            if np.isfinite(frame.loc[a, c])}


def _combine(tables: object, context: object) -> None:
    compared = tables.family_titles("headline")
    if compared and not tables.sessions.empty:
        tables.factorial = factorial_table(tables.sessions, list(compared), tables.gains)


def _text(tables: object) -> list[str]:
    """Actor x critic: each headline metric's main effects and interaction."""
    table, cond = tables.factorial, tables.cond
    if table.empty:
        return []
    titles = tables.family_titles("headline")
    cells = [c for c in table.columns if c.startswith("mean_")]
    lines = ["## Actor x critic", "",
             "The labels cross actors with critics, so each headline metric asks the "
             "paper's question of its figures 4-6: does the actor's architecture, the "
             "critic's, or their combination carry the difference? One value per network; "
             "each effect a hypothesis on the cell means, tested by a Wald statistic that "
             "allows every cell its own spread (F = W / df) and its parametric bootstrap "
             "(`compare_factorial`; its false-positive rates at these designs are in the "
             "statistics guide), Holm across the metrics and effects of a condition; the "
             "classical type-II ANOVA F-test, which assumes one spread, beside it; the cell "
             "means follow (actor_critic):", "",
             "| gain | metric | effect | F | bootstrap p | Holm p | ANOVA F-test p | "
             + " | ".join(c.removeprefix("mean_") for c in cells) + " |",
             "|" + "---|" * (7 + len(cells))]
    for _, r in table.iterrows():
        means = " | ".join(fmt(r[c]) for c in cells) if r["effect"] == "actor" else \
            " | ".join("" for _ in cells)
        lines.append(f"| {cond(r['gain'])} | {titles.get(r['metric'], r['metric'])} | "
                     f"{r['effect']} | {fmt(r['f'])} | {fmt(r['bootstrap_p'])} | "
                     f"{fmt(r['p_holm'])} | {fmt(r['f_test_p'])} | {means} |")
    return [*lines, ""]


ANALYSIS = Analysis(
    name="factorial", title="Actor x critic",
    recipes=(Recipe("navdecode", "heteroscedastic Wald test on the cell means of one "
                    "value per network, parametric-bootstrap p, Holm across the metrics and "
                    "effects of a condition (`compare_factorial`)"),),
    columns={"factorial": (
        Column("effect", "1", "actor, critic or actor:critic"),
        Column("df", "1", "the effect's degrees of freedom"),
        Column("f", "1", "heteroscedastic Wald statistic / df"),
        Column("bootstrap_p", "1", "its parametric-bootstrap p"),
        Column("anova_f", "1", "type-II ANOVA F (one spread)"),
        Column("df_resid", "1", "residual degrees of freedom"),
        Column("n_networks", "1", "networks in the design"),
        Column("note", "1", "why a test has no statistic (no variation)"),
        Column("f_test_p", "1", "the ANOVA F's p"), Column("gain", "1", "condition"),
        Column("metric", "1", "the headline metric"),
        Column("p_holm", "1", "Holm across the metrics and effects of a condition"))},
    combine=_combine, text=_text)
