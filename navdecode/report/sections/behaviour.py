"""Behaviour: how each agent moves and stops, per recording (`session_metrics`,
`trial_metrics`) and the fraction-correct ROC AUC, with a Holm family of their own."""

from __future__ import annotations

import numpy as np

from navdecode.analysis.metrics import roc_auc, session_metrics, trial_metrics
from navdecode.recording.schema import ANALYSES as NEEDS
from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.session import Session, lacks
from navdecode.report.text import comparison_table, fmt, k_group_section, summary_table

__all__ = ["ANALYSIS", "AUC", "AUC_SHUFFLES", "BEHAVIOUR", "CURVATURE", "NEEDS_AUC",
           "NEEDS_BEHAVIOUR", "N_TRIALS", "REWARD_FRACTION", "SIGNED_ERROR", "STOP_ERROR",
           "TIME_SPENT", "TRAVELED_SLOPE"]

REWARD_FRACTION = "reward_fraction"
TIME_SPENT = "time_spent_h"
CURVATURE = "curvature"
TRAVELED_SLOPE = "traveled_slope"
AUC = "auc"
STOP_ERROR = "stop_error_cm"
SIGNED_ERROR = "signed_error_cm"
PATH_MINUS_ARC = "path_minus_arc_cm"
N_TRIALS = "n_trials"
AUC_SHUFFLES = 10
"""Other shuffle seeds over which each session's AUC spread (``auc_shuffle_sd``) is taken."""
NEEDS_BEHAVIOUR = ("pos_x", "pos_y", "n_steps", "stopped")
NEEDS_AUC = ("stop_x", "stop_y", "target_x", "target_y")

COLUMNS = (
    Column(REWARD_FRACTION, "1", "rewarded trials / trials"),
    Column("reward_rate", "1/s", "rewarded trials / summed trial time"),
    Column(TIME_SPENT, "h", "summed trial time, (n_steps - 1) x dt per trial"),
    Column(STOP_ERROR, "cm", "mean end-to-target distance"),
    Column(SIGNED_ERROR, "cm", "mean signed radial error (- undershoot)"),
    Column(TRAVELED_SLOPE, "1", "zero-intercept slope of traveled on target distance"),
    Column("traveled_slope_r", "1", "Pearson r of that fit"),
    Column("angular_slope", "1", "zero-intercept slope of traveled on target angle"),
    Column("angular_slope_r", "1", "Pearson r of that fit"),
    Column(CURVATURE, "1/cm", "mean path curvature"),
    Column("straightness", "1", "mean start-to-end distance / path length"),
    Column(PATH_MINUS_ARC, "cm", "mean path length minus the arc to the target"),
    Column(N_TRIALS, "1", "trials in the recording"),
    Column(AUC, "1", "fraction-correct ROC AUC, shuffle seed 0"),
    Column("auc_shuffle_sd", "1", f"SD of the AUC over {AUC_SHUFFLES} other shuffle seeds"),
)
TRIAL_COLUMNS = tuple(Column(name, unit, "per trial (`trial_metrics`)") for name, unit in (
    ("trial", "1"), ("gain", "1"), ("rewarded", "1"), ("stopped", "1"), ("n_steps", "1"),
    ("duration_s", "s"), ("target_r", "cm"), (STOP_ERROR, "cm"), (SIGNED_ERROR, "cm"),
    ("traveled_r", "cm"), ("path_length_cm", "cm"), ("straightness", "1"),
    (CURVATURE, "1/cm"), ("arc_length_cm", "cm"), (PATH_MINUS_ARC, "cm"),
    ("target_angle_deg", "deg"), ("traveled_angle_deg", "deg"), ("arch", "1"), ("seed", "1")))

BEHAVIOUR = {
    TRAVELED_SLOPE: "traveled / target distance slope",
    "angular_slope": "traveled / target angle slope",
    SIGNED_ERROR: "signed radial error, + overshoot / - undershoot (cm)",
    STOP_ERROR: "stop error (cm)",
    "reward_rate": "reward rate (1/s)",
    "straightness": "straightness",
    AUC: "fraction-correct ROC AUC",
}
"""Secondary behaviour metrics: how the agents move at each gain (the paper's over/undershoot
analysis), a Holm family of their own, so that they leave the headline's p-values alone."""


def _session(s: Session) -> None:
    reason = lacks(s.ds, NEEDS_BEHAVIOUR)
    if reason is None:
        summary = session_metrics(s.ds)
        s.row |= summary.to_dict()
        for metric, why in summary.attrs["left_out"].items():
            s.skip(metric, why)
    else:
        s.skip("behaviour metrics", reason)
    reason = s.not_firefly or lacks(s.ds, NEEDS_AUC)
    if reason is None:
        s.row[AUC] = roc_auc(s.ds, seed=0)[0]
        # the AUC's spread over the shuffle: SD over 10 other shuffle seeds
        s.row["auc_shuffle_sd"] = float(np.std([roc_auc(s.ds, seed=k)[0]
                                                for k in range(1, 1 + AUC_SHUFFLES)], ddof=1))
    else:
        s.skip("fraction-correct AUC", reason)
    if lacks(s.ds, NEEDS_BEHAVIOUR) is None:
        s.trials = trial_metrics(s.ds)
        s.part.trials.append(s.trials.rename(columns=s.internal).assign(**s.key))


def _explained(tables: object) -> str:
    """What the behaviour metrics mean: the paper's over/undershoot terms for the firefly
    task, the generic path terms for any other."""
    sessions = tables.sessions
    spread = ""
    if "auc_shuffle_sd" in sessions and sessions["auc_shuffle_sd"].notna().any():
        spread = (f" Every agent's AUC uses one target shuffle (seed 0); over "
                  f"{AUC_SHUFFLES} other shuffle seeds a session's AUC has an SD of at most "
                  f"{fmt(sessions['auc_shuffle_sd'].max())} (median "
                  f"{fmt(sessions['auc_shuffle_sd'].median())}; `auc_shuffle_sd` in "
                  "`sessions.csv`).")
    if not tables.firefly:
        return ("Per recording, means over trials: curvature and straightness (start-to-end "
                "distance / path length) of the recorded paths; where the task has targets, "
                "the end-to-target distance and the zero-intercept slope of traveled vs "
                "target distance (1 = on target on average).")
    return ("Traveled / target distance slope: zero-intercept regression of the stop's "
            "distance from the start on the target's (1 = on target on average; above 1 = "
            "overshooting, what an agent that does not adapt to a larger joystick gain "
            "does). Signed radial error: the paper's stop-to-target distance, negative when "
            "the circular arc from the start to the stop is shorter than the arc to the "
            "target (undershoot), averaged over trials. AUC: the fraction-correct curve's "
            "area (0.5 ignores the target, 1 always ends closest to its own), on "
            + ANALYSIS.recipe("navdecode").description + "." + spread)


def _text(tables: object) -> list[str]:
    behaviour = tables.family_titles("behaviour")
    if not behaviour:
        return []
    cond = tables.cond
    lines = [f"## Behaviour {'at each gain ' if tables.has_gain else ''}"
             "(secondary metrics)", "", _explained(tables), "",
             *summary_table(tables.summary, behaviour, cond), ""]
    family = tables.family("behaviour")
    if family.empty:
        return lines
    if "comparison" in family:
        return lines + k_group_section(family, behaviour, "Behaviour: all labels", cond,
                                       level="###")
    pair = (family["group_a"].iloc[0], family["group_b"].iloc[0])
    return [*lines, f"{pair[0]} vs {pair[1]} on these metrics, with a Holm family of their "
            "own (the headline's p-values above do not change with them):", "",
            *comparison_table(family, behaviour, cond), ""]


def _figures(tables: object) -> list[FigureSpec]:
    specs = []
    first = next(iter(tables.examples.values()))
    if tables.firefly:
        specs.append(FigureSpec("single_trial", "plot_trial",
                                (first, int(np.argmax(first.rewarded.values)))))
    for (arch, gain), ds in tables.examples.items():
        if all(v in ds.variables for v in NEEDS["plot_trajectories"]):
            name = f"trajectories_{arch}_{gain:g}x" if tables.has_gain else \
                f"trajectories_{arch}"
            specs.append(FigureSpec(name, "plot_trajectories", (ds,)))
    if tables.firefly:
        trials = tables.trials
        specs += [FigureSpec(f"traveled_vs_target_{gain:g}x", "plot_traveled_vs_target",
                             (trials[trials["gain"] == gain],)) for gain in tables.gains[:2]]
    if AUC in tables.sessions:
        specs.append(FigureSpec("roc_curves", "plot_roc_curves", (tables.examples,)))
    return specs


ANALYSIS = Analysis(
    name="behaviour", title="Behaviour", needs=Needs(variables=NEEDS_BEHAVIOUR),
    recipes=(Recipe("navdecode", "navdecode's ROC grid (radii until both fractions reach 1, "
                    "a derangement of the targets)", related_figure="4, 5, 6 (ROC AUC)",
                    differs="the paper's grid stops at the largest stop error pooled over "
                            "every agent it plots and shuffles with a plain permutation; "
                            "`roc_auc(grid='paper')`"),
             Recipe("paper", "the paper's traveled vs target slopes and their Pearson r "
                    "(`session_metrics`)", paper_figure="1i, S1d-e")),
    columns={"sessions": COLUMNS, "trials": TRIAL_COLUMNS}, family=BEHAVIOUR,
    session=_session, text=_text, figures=_figures)
