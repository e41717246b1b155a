"""The firefly task: its configuration, the batched simulator and the gymnasium wrappers.

Modules: `config` (`TaskConfig`), `firefly` (`FireflyTask`, target sampling, the reward
rule and the actor-input layout), `envs` (`FireflyEnv`, `FireflyVectorEnv`,
"navdecode/Firefly-v0"). Uses nothing of navdecode above `_validation`.
"""

from __future__ import annotations

from navdecode._exports import attach

_EXPORTS = {
    "config": ("TaskConfig", "config_attrs"),
    "envs": ("ENV_ID", "FireflyEnv", "FireflyVectorEnv", "INFO_KEYS", "register_envs"),
    "firefly": (
        "ACTION_DIM", "ACTION_NAMES", "FireflyTask", "INPUT_DIM", "INPUT_NAMES",
        "MIRROR_ACTION_COLUMNS", "MIRROR_INPUT_COLUMNS", "OBS_COLUMNS", "TARGET_COLUMNS",
        "reward_for_distance", "sample_targets"),
}
"""Each module of this folder and the public names it defines (its ``__all__``)."""

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
