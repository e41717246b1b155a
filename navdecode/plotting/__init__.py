"""One function per figure: ``ax=None`` in, Axes out; one palette for any number of labels.

Modules: `style` (the palette, shades and axes), `behaviour` (trajectories, reward,
traveled distance, curvature, ROC, perturbation and compensation figures),
`representations` (decoding, controls, ideal observer, critic, similarity and fixed-point
figures) and `training` (training curves). Every figure function is also an attribute
here (``navdecode.plotting.plot_trial``), imported on first use so that ``import
navdecode`` does not load matplotlib.
"""

from __future__ import annotations

import importlib

_FIGURES = {
    "behaviour": ("plot_compensation_kernels", "plot_curvature", "plot_perturbation",
                  "plot_reward_fraction", "plot_roc_curves", "plot_time_spent", "plot_trajectories",
                  "plot_traveled_vs_target", "plot_trial"),
    "representations": ("plot_critic_values", "plot_decoded_variables",
                        "plot_decoding_controls", "plot_decoding_error",
                        "plot_decoding_over_time", "plot_fixed_points", "plot_no_adaptation",
                        "plot_observer_errors", "plot_similarity_matrix", "plot_tuning_map"),
    "training": ("plot_training_curves",),
}
_LAZY = {name: module for module, names in _FIGURES.items() for name in names}


def __getattr__(name: str) -> object:
    """Import the module that defines the figure `name` (or a submodule) on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    if name in ("style", "behaviour", "representations", "training"):
        return importlib.import_module(f"{__name__}.{name}")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = sorted(_LAZY)
