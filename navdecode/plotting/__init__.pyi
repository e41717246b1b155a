"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode.plotting import behaviour as behaviour
from navdecode.plotting import representations as representations
from navdecode.plotting import style as style
from navdecode.plotting import training as training
from navdecode.plotting import violins as violins
from navdecode.plotting.behaviour import plot_compensation_kernels as plot_compensation_kernels
from navdecode.plotting.behaviour import plot_curvature as plot_curvature
from navdecode.plotting.behaviour import plot_perturbation as plot_perturbation
from navdecode.plotting.behaviour import plot_reward_fraction as plot_reward_fraction
from navdecode.plotting.behaviour import plot_roc_curves as plot_roc_curves
from navdecode.plotting.behaviour import plot_time_spent as plot_time_spent
from navdecode.plotting.behaviour import plot_trajectories as plot_trajectories
from navdecode.plotting.behaviour import plot_traveled_vs_target as plot_traveled_vs_target
from navdecode.plotting.behaviour import plot_trial as plot_trial
from navdecode.plotting.representations import plot_critic_values as plot_critic_values
from navdecode.plotting.representations import plot_decoded_variables as plot_decoded_variables
from navdecode.plotting.representations import plot_decoding_controls as plot_decoding_controls
from navdecode.plotting.representations import plot_decoding_error as plot_decoding_error
from navdecode.plotting.representations import plot_decoding_over_time as plot_decoding_over_time
from navdecode.plotting.representations import plot_fixed_points as plot_fixed_points
from navdecode.plotting.representations import plot_no_adaptation as plot_no_adaptation
from navdecode.plotting.representations import plot_observer_errors as plot_observer_errors
from navdecode.plotting.representations import plot_similarity_matrix as plot_similarity_matrix
from navdecode.plotting.representations import plot_tuning_map as plot_tuning_map
from navdecode.plotting.style import ARCH_COLORS as ARCH_COLORS
from navdecode.plotting.style import arch_palette as arch_palette
from navdecode.plotting.style import new_axes as new_axes
from navdecode.plotting.style import shade as shade
from navdecode.plotting.training import plot_training_curves as plot_training_curves
from navdecode.plotting.violins import dodged as dodged
from navdecode.plotting.violins import draw_dots as draw_dots
from navdecode.plotting.violins import draw_violins as draw_violins

__all__ = [
    "ARCH_COLORS",
    "arch_palette",
    "dodged",
    "draw_dots",
    "draw_violins",
    "new_axes",
    "plot_compensation_kernels",
    "plot_critic_values",
    "plot_curvature",
    "plot_decoded_variables",
    "plot_decoding_controls",
    "plot_decoding_error",
    "plot_decoding_over_time",
    "plot_fixed_points",
    "plot_no_adaptation",
    "plot_observer_errors",
    "plot_perturbation",
    "plot_reward_fraction",
    "plot_roc_curves",
    "plot_similarity_matrix",
    "plot_time_spent",
    "plot_training_curves",
    "plot_trajectories",
    "plot_traveled_vs_target",
    "plot_trial",
    "plot_tuning_map",
    "shade",
]
