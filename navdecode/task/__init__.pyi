"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode.task import config as config
from navdecode.task import envs as envs
from navdecode.task import firefly as firefly
from navdecode.task.config import TaskConfig as TaskConfig
from navdecode.task.config import config_attrs as config_attrs
from navdecode.task.envs import ENV_ID as ENV_ID
from navdecode.task.envs import INFO_KEYS as INFO_KEYS
from navdecode.task.envs import FireflyEnv as FireflyEnv
from navdecode.task.envs import FireflyVectorEnv as FireflyVectorEnv
from navdecode.task.envs import register_envs as register_envs
from navdecode.task.firefly import ACTION_DIM as ACTION_DIM
from navdecode.task.firefly import ACTION_NAMES as ACTION_NAMES
from navdecode.task.firefly import INPUT_DIM as INPUT_DIM
from navdecode.task.firefly import INPUT_NAMES as INPUT_NAMES
from navdecode.task.firefly import MIRROR_ACTION_COLUMNS as MIRROR_ACTION_COLUMNS
from navdecode.task.firefly import MIRROR_INPUT_COLUMNS as MIRROR_INPUT_COLUMNS
from navdecode.task.firefly import OBS_COLUMNS as OBS_COLUMNS
from navdecode.task.firefly import TARGET_COLUMNS as TARGET_COLUMNS
from navdecode.task.firefly import FireflyTask as FireflyTask
from navdecode.task.firefly import reward_for_distance as reward_for_distance
from navdecode.task.firefly import sample_targets as sample_targets

__all__ = [
    "ACTION_DIM",
    "ACTION_NAMES",
    "ENV_ID",
    "INFO_KEYS",
    "INPUT_DIM",
    "INPUT_NAMES",
    "MIRROR_ACTION_COLUMNS",
    "MIRROR_INPUT_COLUMNS",
    "OBS_COLUMNS",
    "TARGET_COLUMNS",
    "FireflyEnv",
    "FireflyTask",
    "FireflyVectorEnv",
    "TaskConfig",
    "config_attrs",
    "register_envs",
    "reward_for_distance",
    "sample_targets",
]
