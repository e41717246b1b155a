"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode.training import config as config
from navdecode.training import exploration as exploration
from navdecode.training import learner as learner
from navdecode.training import loop as loop
from navdecode.training import population as population
from navdecode.training import replay as replay
from navdecode.training import runs as runs
from navdecode.training import stacked as stacked
from navdecode.training import sweeps as sweeps
from navdecode.training import td3 as td3
from navdecode.training.config import TrainConfig as TrainConfig
from navdecode.training.exploration import exploration_action as exploration_action
from navdecode.training.exploration import explore as explore
from navdecode.training.exploration import phase1_over as phase1_over
from navdecode.training.exploration import phase3_score as phase3_score
from navdecode.training.learner import Act as Act
from navdecode.training.learner import Learner as Learner
from navdecode.training.learner import Update as Update
from navdecode.training.learner import collect_together as collect_together
from navdecode.training.loop import TrainingRun as TrainingRun
from navdecode.training.loop import train as train
from navdecode.training.loop import validate as validate
from navdecode.training.population import member_folders as member_folders
from navdecode.training.population import train_population as train_population
from navdecode.training.replay import Batch as Batch
from navdecode.training.replay import TrajectoryMemory as TrajectoryMemory
from navdecode.training.replay import mirror as mirror
from navdecode.training.runs import CURVE_COLUMNS as CURVE_COLUMNS
from navdecode.training.runs import Progress as Progress
from navdecode.training.runs import RunFolder as RunFolder
from navdecode.training.runs import TrainingState as TrainingState
from navdecode.training.runs import provenance as provenance
from navdecode.training.runs import run_status as run_status
from navdecode.training.runs import select_checkpoint as select_checkpoint
from navdecode.training.stacked import StackedAdam as StackedAdam
from navdecode.training.stacked import StackedMembers as StackedMembers
from navdecode.training.stacked import stack_key as stack_key
from navdecode.training.stacked import stacked_td3_update as stacked_td3_update
from navdecode.training.sweeps import sweep as sweep
from navdecode.training.td3 import critic_loss as critic_loss
from navdecode.training.td3 import saturation_excess as saturation_excess
from navdecode.training.td3 import saturation_terms as saturation_terms
from navdecode.training.td3 import smooth_target_action as smooth_target_action
from navdecode.training.td3 import td3_update as td3_update

__all__ = [
    "CURVE_COLUMNS",
    "Act",
    "Batch",
    "Learner",
    "Progress",
    "RunFolder",
    "StackedAdam",
    "StackedMembers",
    "TrainConfig",
    "TrainingRun",
    "TrainingState",
    "TrajectoryMemory",
    "Update",
    "collect_together",
    "critic_loss",
    "exploration_action",
    "explore",
    "member_folders",
    "mirror",
    "phase1_over",
    "phase3_score",
    "provenance",
    "run_status",
    "saturation_excess",
    "saturation_terms",
    "select_checkpoint",
    "smooth_target_action",
    "stack_key",
    "stacked_td3_update",
    "sweep",
    "td3_update",
    "train",
    "train_population",
    "validate",
]
