"""Training with the published recurrent TD3, and the run folder it writes.

Modules: `config` (`TrainConfig`), `loop` (`train`: the loop, top to bottom), `learner`
(one run's networks, optimisers, streams and memory, and the collection of its trials),
`exploration` (the exploration rules and phase ends), `td3` (one TD3 update), `replay`
(the trajectory memory), `runs` (the run folder: config, provenance, curve, typed state,
checkpoint selection), `population` (`train_population`: many runs in one process),
`stacked` (the population's TD3 update of many members at once on stacked networks) and
`sweeps` (`sweep`: many runs, optionally on dask).
"""

from __future__ import annotations

from navdecode._exports import attach

_EXPORTS = {
    "config": ("TrainConfig",),
    "exploration": ("exploration_action", "explore", "phase1_over", "phase3_score"),
    "learner": ("Act", "Learner", "Update", "collect_together"),
    "loop": ("TrainingRun", "train", "validate"),
    "population": ("member_folders", "train_population"),
    "replay": ("Batch", "TrajectoryMemory", "mirror"),
    "runs": (
        "CURVE_COLUMNS", "Progress", "RunFolder", "TrainingState", "provenance", "run_status",
        "select_checkpoint"),
    "stacked": ("StackedAdam", "StackedMembers", "stack_key", "stacked_td3_update"),
    "sweeps": ("sweep",),
    "td3": (
        "critic_loss", "saturation_excess", "saturation_terms", "smooth_target_action",
        "td3_update"),
}
"""Each module of this folder and the public names it defines (its ``__all__``)."""

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
