"""Training with the published recurrent TD3, and the run folder it writes.

Modules: `config` (`TrainConfig`), `loop` (`train`: the loop, top to bottom),
`exploration` (the exploration rules and phase ends), `td3` (one TD3 update), `replay`
(the trajectory memory), `runs` (the run folder: config, provenance, curve, typed state,
checkpoint selection), `population` (`train_population`: many runs in one process) and
`sweeps` (`sweep`: many runs, optionally on dask).
"""
