"""The no-adaptation control: the first gain's actions replayed open loop at a later gain."""

from __future__ import annotations

from navdecode.analysis.controls import replay_actions
from navdecode.analysis.metrics import session_metrics
from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.sections.behaviour import REWARD_FRACTION, TRAVELED_SLOPE
from navdecode.report.session import Session
from navdecode.report.text import fmt

__all__ = ["ANALYSIS", "REPLAY_REWARD_FRACTION", "REPLAY_TRAVELED_SLOPE"]

REPLAY_REWARD_FRACTION = "replay_reward_fraction"
REPLAY_TRAVELED_SLOPE = "replay_traveled_slope"
COLUMNS = (
    Column(REPLAY_REWARD_FRACTION, "1", "reward fraction of the replayed first-gain actions"),
    Column(REPLAY_TRAVELED_SLOPE, "1", "traveled / target slope of the replay"),
)


def _session(s: Session) -> None:
    if not s.decodable or s.first is None or "hidden" not in s.first.variables:
        return  # the replay runs where the cross-condition decode does
    if s.not_firefly is not None:
        s.skip("no-adaptation replay", s.not_firefly)
        return
    seed = s.key["seed"] if isinstance(s.key["seed"], int) and s.key["seed"] >= 0 else 0
    replayed = session_metrics(replay_actions(s.first, gain=s.gain, noise=True, seed=seed))
    s.row[REPLAY_REWARD_FRACTION] = replayed[REWARD_FRACTION]
    s.row[REPLAY_TRAVELED_SLOPE] = replayed[TRAVELED_SLOPE]


def _text(tables: object) -> list[str]:
    sessions, gains = tables.sessions, tables.gains
    if len(gains) < 2 or REPLAY_REWARD_FRACTION not in sessions:
        return []
    lines = ["## No-adaptation control", "",
             f"Each trial's actions recorded at {gains[0]:g}x, replayed open loop (same "
             "target, process noise on) at the later gain: what the agent would do if it "
             "did not adapt at all. Means over seeds.", "",
             "| arch | gain | reward fraction (agent) | reward fraction (replay) | "
             "traveled/target slope (agent) | slope (replay) |", "|---|---|---|---|---|---|"]
    later = sessions[sessions["gain"] != gains[0]]
    columns = [REWARD_FRACTION, REPLAY_REWARD_FRACTION, TRAVELED_SLOPE, REPLAY_TRAVELED_SLOPE]
    for (arch, gain), r in later.groupby(["arch", "gain"])[columns].mean().iterrows():
        lines.append(f"| {arch} | {gain:g}x | " + " | ".join(fmt(r[c]) for c in columns) + " |")
    return [*lines, ""]


def _figures(tables: object) -> list[FigureSpec]:
    if REPLAY_TRAVELED_SLOPE not in tables.sessions:
        return []
    return [FigureSpec("no_adaptation", "plot_no_adaptation", (tables.sessions,))]


ANALYSIS = Analysis(
    name="replay", title="No-adaptation control", option="replay",
    needs=Needs(variables=("hidden", "action_lin", "action_ang"), firefly=True),
    recipes=(Recipe("navdecode", "each trial's first-gain actions replayed open loop at the "
                    "later gain, same target, process noise on (`replay_actions`)"),),
    columns={"sessions": COLUMNS}, session=_session, text=_text, figures=_figures)
