"""Training with the published recurrent TD3, and the run folder it writes.

Modules: `config` (`TrainConfig`), `loop` (`train`: the loop, top to bottom), `learner`
(one run's networks, optimisers, streams and memory, and the collection of its trials),
`exploration` (the exploration rules and phase ends), `td3` (one TD3 update), `replay`
(the trajectory memory), `runs` (the run folder: config, provenance, curve, typed state,
checkpoint selection), `population` (`train_population`: many runs in one process),
`stacked` (the population's TD3 update of many members at once on stacked networks) and
`sweeps` (`sweep`: many runs, optionally on dask).
"""
