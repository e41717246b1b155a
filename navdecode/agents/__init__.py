"""The paper's networks: 3 actors x 5 critics, their initialisation, and checkpoints.

Modules: `networks` (`RecurrentActor`, `RecurrentCritic`, `TwinCritic`, `Agent`,
`make_agent`), `stacked` (`StackedAgents`: N agents of one architecture as one batched
network, for the population trainer on a GPU), `checkpoints` (`save_agent`, `load_agent`,
own and published formats).
Uses `task` for the actor-input layout.
"""
