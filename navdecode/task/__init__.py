"""The firefly task: its configuration, the batched simulator and the gymnasium wrappers.

Modules: `config` (`TaskConfig`), `firefly` (`FireflyTask`, target sampling, the reward
rule and the actor-input layout), `envs` (`FireflyEnv`, `FireflyVectorEnv`,
"navdecode/Firefly-v0"). Uses nothing of navdecode above `_validation`.
"""
