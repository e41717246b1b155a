"""One function per figure: ``ax=None`` in, Axes out; one palette for any number of labels.

Modules: `style` (the palette, shades and axes), `behaviour` (trajectories, reward,
traveled distance, curvature, ROC, perturbation and compensation figures),
`representations` (decoding, controls, ideal observer, critic, similarity and fixed-point
figures) and `training` (training curves). Every figure function is also an attribute
here (``navdecode.plotting.plot_trial``), imported on first use so that ``import
navdecode`` does not load matplotlib.
"""

from __future__ import annotations

from navdecode._exports import attach

_EXPORTS = {
    "behaviour": (
        "plot_compensation_kernels", "plot_curvature", "plot_perturbation",
        "plot_reward_fraction", "plot_roc_curves", "plot_time_spent", "plot_trajectories",
        "plot_traveled_vs_target", "plot_trial"),
    "representations": (
        "plot_critic_values", "plot_decoded_variables", "plot_decoding_controls",
        "plot_decoding_error", "plot_decoding_over_time", "plot_fixed_points",
        "plot_no_adaptation", "plot_observer_errors", "plot_similarity_matrix",
        "plot_tuning_map"),
    "style": ("ARCH_COLORS", "arch_palette", "new_axes", "shade"),
    "training": ("plot_training_curves",),
    "violins": ("dodged", "draw_dots", "draw_violins"),
}
"""Each module of this folder and the public names it defines (its ``__all__``)."""

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
