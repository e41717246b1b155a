"""The recording, the contract every analysis reads, and everything that produces one.

Modules: `schema` (the declared dims, variables, units and analyses; building, checking and
stacking recordings), `identity` (which network made a recording and which trials it
holds), `store` (netCDF / zarr, atomic), `export` (NWB files and pynapple objects on one
timeline), `adapters` (policies and
environments the recorder accepts), `recorder` (`record`: any policy in any gymnasium
task), `rollout` (`run_agent`, `fixed_targets`: a navdecode agent on the firefly task) and
`tutorial_loop` (the tutorial's per-trial loop, kept as a reference).
"""

from __future__ import annotations

from navdecode._exports import attach

_EXPORTS = {
    "adapters": (
        "CleanRLPolicy", "RecurrentPPOPolicy", "SingleAsVector", "TorchPolicy",
        "VectorAdapter", "as_vector", "batch_size", "batched_info", "env_actions",
        "is_cleanrl_agent", "is_recurrent_ppo", "register_hooks", "split_state", "zero_rows"),
    "export": ("sample_times", "to_nwb", "to_pynapple"),
    "firefly_loop": ("run_firefly",),
    "identity": (
        "IDENTITY_ATTRS", "TRIAL_ID_VARIABLES", "align_trials", "check_source", "fingerprint",
        "identity_attrs", "make_trial_ids", "positional", "recording_identity", "trial_ids"),
    "recorder": ("record",),
    "rerun": ("mlp_units", "recorded_inputs", "replay_inputs", "with_units"),
    "rollout": ("check_targets_in_range", "fixed_targets", "run_agent"),
    "schema": (
        "ANALYSES", "DIMS", "STEP_VARIABLES", "TRIAL_COORDS", "Variable", "build_recording",
        "check_recording", "is_firefly", "length_unit", "schema_markdown", "stack_recordings",
        "unit_named"),
    "store": ("check_destination", "load_dataset", "save_dataset"),
    "tutorial_loop": ("run_agent_loop",),
}
"""Each module of this folder and the public names it defines (its ``__all__``)."""

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
