"""The agents that were run: their checkpoints and training, and their training curves."""

from __future__ import annotations

import pandas as pd

from navdecode.report.declared import Analysis, FigureSpec, Needs, Recipe

__all__ = ["ANALYSIS"]


def _text(tables: object) -> list[str]:
    status = []
    for arch, seed, agent in tables.agents:
        meta = getattr(agent, "metadata", {})
        status.append(f"| {arch} | {seed} | {meta.get('checkpoint_trial', '')} | "
                      f"{meta.get('phase1_trials', '')} | {meta.get('training_finished', '')} |")
    if not status:
        return []
    return ["## Agents", "", "| arch | seed | checkpoint trial | phase I trials | "
            "training finished |", "|---|---|---|---|---|", *status, ""]


def _figures(tables: object) -> list[FigureSpec]:
    from navdecode.pretrained.bundle import pretrained_curve

    frames = []
    for arch, seed, _ in tables.agents:
        curve = pretrained_curve(arch, seed)
        if curve is not None:
            frames.append(curve.assign(arch=arch, seed=seed))
    if not frames:
        return []
    return [FigureSpec("training_curves", "plot_training_curves",
                       (pd.concat(frames, ignore_index=True),))]


ANALYSIS = Analysis(
    name="agents", title="Agents", needs=Needs(agent=True),
    recipes=(Recipe("navdecode", "each agent's manifest: selected checkpoint, phase I "
                    "length, whether training finished; the bundled validation curves"),),
    text=_text, figures=_figures)
