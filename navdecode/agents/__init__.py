"""The paper's networks: 3 actors x 5 critics, their initialisation, and checkpoints.

Modules: `networks` (`RecurrentActor`, `RecurrentCritic`, `TwinCritic`, `Agent`,
`make_agent`), `stacked` (`StackedAgents`: N agents of one architecture as one batched
network, for the population trainer on a GPU), `checkpoints` (`save_agent`, `load_agent`,
own and published formats).
Uses `task` for the actor-input layout.
"""

from __future__ import annotations

from navdecode._exports import attach

_EXPORTS = {
    "checkpoints": ("load_agent", "load_critic", "save_agent", "save_critic"),
    "networks": (
        "ACTOR_SPECS", "ALIASES", "ARCHITECTURES", "Agent", "CRITIC_SPECS", "RecurrentActor",
        "RecurrentCritic", "TwinCritic", "count_parameters", "make_actor", "make_agent",
        "make_critic_network"),
    "stacked": ("StackedAgents",),
}
"""Each module of this folder and the public names it defines (its ``__all__``)."""

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
