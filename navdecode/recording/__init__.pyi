"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode.recording import adapters as adapters
from navdecode.recording import export as export
from navdecode.recording import firefly_loop as firefly_loop
from navdecode.recording import identity as identity
from navdecode.recording import recorder as recorder
from navdecode.recording import rerun as rerun
from navdecode.recording import rollout as rollout
from navdecode.recording import schema as schema
from navdecode.recording import store as store
from navdecode.recording import tutorial_loop as tutorial_loop
from navdecode.recording.adapters import CleanRLPolicy as CleanRLPolicy
from navdecode.recording.adapters import RecurrentPPOPolicy as RecurrentPPOPolicy
from navdecode.recording.adapters import SingleAsVector as SingleAsVector
from navdecode.recording.adapters import TorchPolicy as TorchPolicy
from navdecode.recording.adapters import VectorAdapter as VectorAdapter
from navdecode.recording.adapters import as_vector as as_vector
from navdecode.recording.adapters import batch_size as batch_size
from navdecode.recording.adapters import batched_info as batched_info
from navdecode.recording.adapters import env_actions as env_actions
from navdecode.recording.adapters import is_cleanrl_agent as is_cleanrl_agent
from navdecode.recording.adapters import is_recurrent_ppo as is_recurrent_ppo
from navdecode.recording.adapters import register_hooks as register_hooks
from navdecode.recording.adapters import split_state as split_state
from navdecode.recording.adapters import zero_rows as zero_rows
from navdecode.recording.export import sample_times as sample_times
from navdecode.recording.export import to_nwb as to_nwb
from navdecode.recording.export import to_pynapple as to_pynapple
from navdecode.recording.firefly_loop import run_firefly as run_firefly
from navdecode.recording.identity import IDENTITY_ATTRS as IDENTITY_ATTRS
from navdecode.recording.identity import TRIAL_ID_VARIABLES as TRIAL_ID_VARIABLES
from navdecode.recording.identity import align_trials as align_trials
from navdecode.recording.identity import check_source as check_source
from navdecode.recording.identity import fingerprint as fingerprint
from navdecode.recording.identity import identity_attrs as identity_attrs
from navdecode.recording.identity import make_trial_ids as make_trial_ids
from navdecode.recording.identity import positional as positional
from navdecode.recording.identity import recording_identity as recording_identity
from navdecode.recording.identity import trial_ids as trial_ids
from navdecode.recording.recorder import record as record
from navdecode.recording.rerun import mlp_units as mlp_units
from navdecode.recording.rerun import recorded_inputs as recorded_inputs
from navdecode.recording.rerun import replay_inputs as replay_inputs
from navdecode.recording.rerun import with_units as with_units
from navdecode.recording.rollout import check_targets_in_range as check_targets_in_range
from navdecode.recording.rollout import fixed_targets as fixed_targets
from navdecode.recording.rollout import run_agent as run_agent
from navdecode.recording.schema import ANALYSES as ANALYSES
from navdecode.recording.schema import DIMS as DIMS
from navdecode.recording.schema import STEP_VARIABLES as STEP_VARIABLES
from navdecode.recording.schema import TRIAL_COORDS as TRIAL_COORDS
from navdecode.recording.schema import Variable as Variable
from navdecode.recording.schema import build_recording as build_recording
from navdecode.recording.schema import check_recording as check_recording
from navdecode.recording.schema import is_firefly as is_firefly
from navdecode.recording.schema import length_unit as length_unit
from navdecode.recording.schema import schema_markdown as schema_markdown
from navdecode.recording.schema import stack_recordings as stack_recordings
from navdecode.recording.schema import unit_named as unit_named
from navdecode.recording.store import check_destination as check_destination
from navdecode.recording.store import load_dataset as load_dataset
from navdecode.recording.store import save_dataset as save_dataset
from navdecode.recording.tutorial_loop import run_agent_loop as run_agent_loop

__all__ = [
    "ANALYSES",
    "DIMS",
    "IDENTITY_ATTRS",
    "STEP_VARIABLES",
    "TRIAL_COORDS",
    "TRIAL_ID_VARIABLES",
    "CleanRLPolicy",
    "RecurrentPPOPolicy",
    "SingleAsVector",
    "TorchPolicy",
    "Variable",
    "VectorAdapter",
    "align_trials",
    "as_vector",
    "batch_size",
    "batched_info",
    "build_recording",
    "check_destination",
    "check_recording",
    "check_source",
    "check_targets_in_range",
    "env_actions",
    "fingerprint",
    "fixed_targets",
    "identity_attrs",
    "is_cleanrl_agent",
    "is_firefly",
    "is_recurrent_ppo",
    "length_unit",
    "load_dataset",
    "make_trial_ids",
    "mlp_units",
    "positional",
    "record",
    "recorded_inputs",
    "recording_identity",
    "register_hooks",
    "replay_inputs",
    "run_agent",
    "run_agent_loop",
    "run_firefly",
    "sample_times",
    "save_dataset",
    "schema_markdown",
    "split_state",
    "stack_recordings",
    "to_nwb",
    "to_pynapple",
    "trial_ids",
    "unit_named",
    "with_units",
    "zero_rows",
]
