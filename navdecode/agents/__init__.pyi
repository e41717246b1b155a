"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode.agents import checkpoints as checkpoints
from navdecode.agents import networks as networks
from navdecode.agents import stacked as stacked
from navdecode.agents.checkpoints import load_agent as load_agent
from navdecode.agents.checkpoints import load_critic as load_critic
from navdecode.agents.checkpoints import save_agent as save_agent
from navdecode.agents.checkpoints import save_critic as save_critic
from navdecode.agents.networks import ACTOR_SPECS as ACTOR_SPECS
from navdecode.agents.networks import ALIASES as ALIASES
from navdecode.agents.networks import ARCHITECTURES as ARCHITECTURES
from navdecode.agents.networks import CRITIC_SPECS as CRITIC_SPECS
from navdecode.agents.networks import Agent as Agent
from navdecode.agents.networks import RecurrentActor as RecurrentActor
from navdecode.agents.networks import RecurrentCritic as RecurrentCritic
from navdecode.agents.networks import TwinCritic as TwinCritic
from navdecode.agents.networks import count_parameters as count_parameters
from navdecode.agents.networks import make_actor as make_actor
from navdecode.agents.networks import make_agent as make_agent
from navdecode.agents.networks import make_critic_network as make_critic_network
from navdecode.agents.stacked import StackedAgents as StackedAgents

__all__ = [
    "ACTOR_SPECS",
    "ALIASES",
    "ARCHITECTURES",
    "CRITIC_SPECS",
    "Agent",
    "RecurrentActor",
    "RecurrentCritic",
    "StackedAgents",
    "TwinCritic",
    "count_parameters",
    "load_agent",
    "load_critic",
    "make_actor",
    "make_agent",
    "make_critic_network",
    "save_agent",
    "save_critic",
]
