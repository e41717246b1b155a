"""navdecode: train recurrent agents on the firefly task and look inside them."""

from navdecode.agents import (
    ARCHITECTURES,
    Agent,
    RecurrentActor,
    RecurrentCritic,
    TwinCritic,
    count_parameters,
    make_agent,
)
from navdecode.checkpoints import load_agent, save_agent
from navdecode.config import TaskConfig
from navdecode.rollout import fixed_targets, load_dataset, run_agent, save_dataset
from navdecode.task import FireflyTask, reward_for_distance, sample_targets

__version__ = "0.1.0"

__all__ = [
    "ARCHITECTURES",
    "Agent",
    "FireflyTask",
    "RecurrentActor",
    "RecurrentCritic",
    "TaskConfig",
    "TwinCritic",
    "__version__",
    "count_parameters",
    "fixed_targets",
    "load_agent",
    "load_dataset",
    "make_agent",
    "reward_for_distance",
    "run_agent",
    "sample_targets",
    "save_agent",
    "save_dataset",
]
