"""Recurrent actors and twin critics of the paper (3 actors x 5 critics), by name."""

from __future__ import annotations

import itertools
import numbers

import torch
import torch.nn.functional as F
from torch import nn

from navdecode._validation import check_choice, check_instance, check_seed, torch_generator
from navdecode.task.firefly import ACTION_DIM, INPUT_DIM

__all__ = [
    "ACTOR_SPECS",
    "ALIASES",
    "ARCHITECTURES",
    "CRITIC_SPECS",
    "Agent",
    "RecurrentActor",
    "RecurrentCritic",
    "TwinCritic",
    "count_parameters",
    "make_actor",
    "make_agent",
    "make_critic_network",
]

ACTOR_SPECS = {
    "Actor1": (220, 1, ()),
    "Actor2": (128, 2, ()),
    "Actor3": (128, 1, (300, 300)),
}
"""The paper's actors: name -> (hidden size, LSTM layers, MLP sizes after the LSTM)."""
CRITIC_SPECS = {
    "Critic1": (220, 1, (), True, False),
    "Critic2": (128, 2, (), True, False),
    "Critic3": (128, 1, (300, 300), True, False),
    "Critic4": (128, 1, (), False, True),
    "Critic5": (128, 1, (300, 300), False, False),
}
"""The paper's critics: name -> (hidden size, LSTM layers, MLP sizes, whether the action
enters the LSTM, whether a second LSTM runs on [h, a])."""
ALIASES = {"holistic": ("Actor1", "Critic1"), "modular": ("Actor3", "Critic5")}
"""The tutorial's names for the paper's two main architectures: name -> (actor, critic)."""
ARCHITECTURES: tuple[str, ...] = (
    "holistic", "modular",
    *(f"{a}{c}" for a in ACTOR_SPECS for c in CRITIC_SPECS),
)
"""Every architecture name `make_agent` accepts."""

LSTMState = tuple[torch.Tensor, torch.Tensor]


def _mlp(in_size: int, sizes: tuple[int, ...], out_size: int) -> list[nn.Linear]:
    dims = (in_size, *sizes, out_size)
    return [nn.Linear(a, b) for a, b in itertools.pairwise(dims)]


def _run_mlp(layers: list[nn.Module], x: torch.Tensor) -> torch.Tensor:
    for layer in layers[:-1]:
        x = F.relu(layer(x))
    return layers[-1](x)


class RecurrentActor(nn.Module):
    """LSTM belief module followed by a linear read-out or an MLP, tanh output.

    Submodules are named as in the published checkpoints: ``rnn``, then ``l1``,
    ``l2``, ... The LSTM is sequence-first, like the published code.

    Parameters
    ----------
    hidden_size : int
        LSTM units.
    num_layers : int, default=1
        Stacked LSTM layers.
    mlp_sizes : tuple of int, default=()
        Hidden layer sizes of the ReLU MLP between the LSTM and the action read-out.
    input_dim : int, default=6
        Size of the actor input (observation, previous action, target).

    Examples
    --------
    >>> import torch
    >>> from navdecode import RecurrentActor
    >>> actor = RecurrentActor(220)
    >>> action, state = actor(torch.zeros(5, 3, 6))
    >>> action.shape, state[0].shape
    (torch.Size([5, 3, 2]), torch.Size([1, 3, 220]))
    """

    def __init__(self, hidden_size: int, num_layers: int = 1, mlp_sizes: tuple[int, ...] = (),
                 input_dim: int = INPUT_DIM) -> None:
        super().__init__()
        self.hidden_size, self.num_layers = hidden_size, num_layers
        self.rnn = nn.LSTM(input_dim, hidden_size, num_layers=num_layers)
        for i, layer in enumerate(_mlp(hidden_size, mlp_sizes, ACTION_DIM), start=1):
            self.add_module(f"l{i}", layer)
        self._n_linear = len(mlp_sizes) + 1

    def linears(self) -> list[nn.Module]:
        """The linear layers after the LSTM in order, the action read-out last (ReLU
        between them): one for a linear read-out, the MLP's hidden layers before it."""
        return [getattr(self, f"l{i}") for i in range(1, self._n_linear + 1)]

    def forward(self, x: torch.Tensor, state: LSTMState | None = None
                ) -> tuple[torch.Tensor, LSTMState]:
        """Actions for a sequence of inputs.

        Parameters
        ----------
        x : torch.Tensor of shape (T, B, input_dim)
            Actor inputs.
        state : tuple of two torch.Tensor of shape (num_layers, B, hidden_size) or None
            LSTM (h, c); zeros when None (the start of a trial).

        Returns
        -------
        action : torch.Tensor of shape (T, B, 2)
            Actions in [-1, 1].
        state : tuple of torch.Tensor
            LSTM (h, c) after the last input.
        """
        z, state = self.preactivation(x, state)
        return torch.tanh(z), state

    def preactivation(self, x: torch.Tensor, state: LSTMState | None = None
                      ) -> tuple[torch.Tensor, LSTMState]:
        """The read-out before the tanh: ``forward`` returns ``tanh`` of this.

        Large magnitudes mean a saturated actor whose gradients vanish
        (see `navdecode.actor_saturation`).

        Parameters
        ----------
        x : torch.Tensor of shape (T, B, input_dim)
            Actor inputs.
        state : tuple of two torch.Tensor or None
            LSTM (h, c); zeros when None.

        Returns
        -------
        z : torch.Tensor of shape (T, B, 2)
            Pre-tanh outputs.
        state : tuple of torch.Tensor
            LSTM (h, c) after the last input.
        """
        out, state = self.rnn(x, state)
        return _run_mlp(self.linears(), out), state


class RecurrentCritic(nn.Module):
    """One Q network: LSTM on the input (and the action, or not), then a read-out.

    Parameters
    ----------
    hidden_size : int
        LSTM units.
    num_layers : int, default=1
        Stacked LSTM layers.
    mlp_sizes : tuple of int, default=()
        Hidden sizes of the ReLU MLP before the value read-out.
    action_in_rnn : bool, default=True
        Whether the current action enters the LSTM (holistic) or only the read-out
        (modular: the LSTM cannot compute Q).
    second_rnn : bool, default=False
        Critic4: a second LSTM on [first LSTM output, action] before a linear read-out.

    Examples
    --------
    >>> import torch
    >>> from navdecode import RecurrentCritic
    >>> critic = RecurrentCritic(128, mlp_sizes=(300, 300), action_in_rnn=False)
    >>> critic(torch.zeros(5, 3, 6), torch.zeros(5, 3, 2)).shape
    torch.Size([5, 3, 1])
    """

    def __init__(self, hidden_size: int, num_layers: int = 1, mlp_sizes: tuple[int, ...] = (),
                 action_in_rnn: bool = True, second_rnn: bool = False,
                 input_dim: int = INPUT_DIM) -> None:
        super().__init__()
        self.action_in_rnn, self.second_rnn = action_in_rnn, second_rnn
        rnn_in = input_dim + ACTION_DIM if action_in_rnn else input_dim
        self.rnn = nn.LSTM(rnn_in, hidden_size, num_layers=num_layers)
        if second_rnn:
            self.rnn2 = nn.LSTM(hidden_size + ACTION_DIM, hidden_size)
        head_in = hidden_size + (ACTION_DIM if not (action_in_rnn or second_rnn) else 0)
        for i, layer in enumerate(_mlp(head_in, mlp_sizes, 1), start=1):
            self.add_module(f"l{i}", layer)
        self._n_linear = len(mlp_sizes) + 1

    def forward(self, x: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """Q values of ``action`` after each input of a sequence.

        Parameters
        ----------
        x : torch.Tensor of shape (T, B, input_dim)
            Inputs (as the actor sees them).
        action : torch.Tensor of shape (T, B, 2)
            Actions taken at each step.

        Returns
        -------
        q : torch.Tensor of shape (T, B, 1)
        """
        if self.action_in_rnn:
            out, _ = self.rnn(torch.cat([x, action], dim=-1))
        else:
            out, _ = self.rnn(x)
            if self.second_rnn:
                out, _ = self.rnn2(torch.cat([out, action], dim=-1))
            else:
                out = torch.cat([out, action], dim=-1)
        return _run_mlp(self.linears(), out)

    def linears(self) -> list[nn.Module]:
        """The linear layers of the read-out in order, the value last (ReLU between)."""
        return [getattr(self, f"l{i}") for i in range(1, self._n_linear + 1)]

    def after_history(self, x: torch.Tensor, executed: torch.Tensor,
                      action: torch.Tensor) -> torch.Tensor:
        """Q of ``action[t]`` at each step t after the executed actions of steps before t.

        `forward` feeds the action sequence it is given through the LSTM, so its Q at
        step t also depends on the actions given for earlier steps. Here those are the
        `executed` ones and only step t's action is replaced: Q(history_t, action_t) for
        every t at once. Critics whose LSTM never sees the action (Critic5) give the same
        as `forward`. The history is treated as data: gradients reach ``action`` and the
        weights through step t only. Stacked layers (Critic2) are handled layer by layer:
        each layer starts step t from its state after the executed history.

        Parameters
        ----------
        x : torch.Tensor of shape (T, B, input_dim)
            Inputs.
        executed : torch.Tensor of shape (T, B, 2)
            Actions taken at each step (the replayed ones).
        action : torch.Tensor of shape (T, B, 2)
            Action to evaluate at each step.

        Returns
        -------
        q : torch.Tensor of shape (T, B, 1)
        """
        if not (self.action_in_rnn or self.second_rnn):
            return self(x, action)
        if self.action_in_rnn:
            lstm, seen, seq = self.rnn, torch.cat([x, executed], -1), torch.cat([x, action], -1)
        else:
            with torch.no_grad():
                out, _ = self.rnn(x)
            lstm = self.rnn2
            seen, seq = torch.cat([out, executed], -1), torch.cat([out, action], -1)
        for layer in range(lstm.num_layers):  # Critic2 stacks two
            with torch.no_grad():
                out = _layer_output(lstm, layer, seen)
                h_prev = torch.cat([torch.zeros_like(out[:1]), out[:-1]])
            # the recurrent term W_hh h_{t-1} + b_hh is the same for the executed and the
            # evaluated action: computed once, with the weights' gradients
            recurrent = _recurrent_term(lstm, layer, h_prev)
            with torch.no_grad():
                c_prev = _cells_before(lstm, layer, seen, recurrent)
            i, f, g, o = _gates(lstm, layer, seq, recurrent)
            seq, seen = o * torch.tanh(f * c_prev + i * g), out
        return _run_mlp(self.linears(), seq)


def _recurrent_term(lstm: nn.LSTM, layer: int, h_prev: torch.Tensor) -> torch.Tensor:
    """``W_hh h_prev + b_hh`` of one LSTM layer (all four gates), for every row of ``h_prev``."""
    w_hh, b_hh = getattr(lstm, f"weight_hh_l{layer}"), getattr(lstm, f"bias_hh_l{layer}")
    return F.linear(h_prev, w_hh, b_hh)


def _gates(lstm: nn.LSTM, layer: int, seq: torch.Tensor,
           recurrent: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Input, forget, cell and output gates of one LSTM layer, all steps at once, given the
    layer's input ``seq`` and its recurrent term (`_recurrent_term` of the states before)."""
    w_ih, b_ih = getattr(lstm, f"weight_ih_l{layer}"), getattr(lstm, f"bias_ih_l{layer}")
    i, f, g, o = (F.linear(seq, w_ih, b_ih) + recurrent).chunk(4, -1)
    return torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)


def _layer_output(lstm: nn.LSTM, layer: int, seq: torch.Tensor) -> torch.Tensor:
    """Output of one layer of ``lstm`` over ``seq`` from zero state."""
    if lstm.num_layers == 1:
        return lstm(seq)[0]
    h = c = seq.new_zeros(seq.shape[1], lstm.hidden_size)
    out = []
    for x_t in seq:
        i, f, g, o = _gates(lstm, layer, x_t, _recurrent_term(lstm, layer, h))
        c = f * c + i * g
        h = o * torch.tanh(c)
        out.append(h)
    return torch.stack(out)


def _cells_before(lstm: nn.LSTM, layer: int, seq: torch.Tensor,
                  recurrent: torch.Tensor) -> torch.Tensor:
    """Cell state of one LSTM layer before each step of ``seq`` (zeros first), given the
    recurrent term of the states before each step: ``c_t = f_t c_{t-1} + i_t g_t``."""
    i, f, g, _ = _gates(lstm, layer, seq, recurrent)
    c_prev = torch.zeros_like(recurrent[..., : lstm.hidden_size])
    for t in range(1, len(seq)):  # elementwise, one step at a time
        c_prev[t] = f[t - 1] * c_prev[t - 1] + i[t - 1] * g[t - 1]
    return c_prev


class TwinCritic(nn.Module):
    """Two independent Q networks of the same architecture (TD3).

    Parameters
    ----------
    name : str
        The paper's critic name (``"Critic1"`` ... ``"Critic5"``); submodules ``q1``, ``q2``.

    Examples
    --------
    >>> import torch
    >>> from navdecode import TwinCritic
    >>> q1, q2 = TwinCritic("Critic1")(torch.zeros(4, 2, 6), torch.zeros(4, 2, 2))
    >>> q1.shape
    torch.Size([4, 2, 1])
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.q1, self.q2 = make_critic_network(name), make_critic_network(name)
        self.trained = False

    @property
    def trained(self) -> bool:
        """Whether these weights were trained or loaded with their actor: set by training
        (`td3_update`), `load_critic` (``load_pretrained(..., critic=True)``) and
        `load_agent` of a file that holds a critic; never inferred from the weights. The
        critic analyses (`critic_values`, `critic_recording`) refuse a critic without it."""
        return bool(getattr(self.q1, "trained", False) and getattr(self.q2, "trained", False))

    @trained.setter
    def trained(self, value: bool) -> None:
        self.q1.trained = self.q2.trained = bool(value)

    def forward(self, x: torch.Tensor, action: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Both Q estimates, each of shape (T, B, 1)."""
        return self.q1(x, action), self.q2(x, action)

    def after_history(self, x: torch.Tensor, executed: torch.Tensor, action: torch.Tensor
                      ) -> tuple[torch.Tensor, torch.Tensor]:
        """Both Q estimates of `RecurrentCritic.after_history`, each of shape (T, B, 1)."""
        return self.q1.after_history(x, executed, action), self.q2.after_history(
            x, executed, action)


class Agent(nn.Module):
    """An actor and its twin critic, with the architecture's names (see `make_agent`).

    Parameters
    ----------
    arch : str
        Architecture name.
    actor_name : str
        The paper's actor name (``"Actor1"`` ... ``"Actor3"``).
    critic_name : str
        The paper's critic name (``"Critic1"`` ... ``"Critic5"``).

    Attributes
    ----------
    arch : str
        Name given to `make_agent` (``"holistic"``, ``"modular"`` or ``"ActorXCriticY"``).
    actor_name, critic_name : str
        The paper's names of the two networks.
    actor : RecurrentActor
    critic : TwinCritic

    Examples
    --------
    >>> from navdecode import make_agent
    >>> agent = make_agent("modular", seed=0)
    >>> agent.actor_name, agent.critic_name
    ('Actor3', 'Critic5')
    """

    def __init__(self, arch: str, actor_name: str, critic_name: str) -> None:
        super().__init__()
        self.arch, self.actor_name, self.critic_name = arch, actor_name, critic_name
        self.actor = make_actor(actor_name)
        self.critic = TwinCritic(critic_name)
        self.metadata: dict[str, str | int | float] = {}
        self.checkpoint = ""

    def extra_repr(self) -> str:
        return f"arch={self.arch!r}"


def make_actor(name: str) -> RecurrentActor:
    """Build one of the paper's actors (``"Actor1"``, ``"Actor2"``, ``"Actor3"``), uninitialised."""
    hidden, layers, mlp = ACTOR_SPECS[check_choice(name, "name", tuple(ACTOR_SPECS))]
    return RecurrentActor(hidden, layers, mlp)


def make_critic_network(name: str) -> RecurrentCritic:
    """Build one Q network of the paper's critic ``name`` (``"Critic1"`` ... ``"Critic5"``)."""
    hidden, layers, mlp, action_in_rnn, second = CRITIC_SPECS[
        check_choice(name, "name", tuple(CRITIC_SPECS))]
    return RecurrentCritic(hidden, layers, mlp, action_in_rnn, second)


def split_arch(arch: str) -> tuple[str, str]:
    """``"modular"`` -> ``("Actor3", "Critic5")``; ``"Actor2Critic4"`` -> its two names."""
    check_choice(arch, "arch", ARCHITECTURES)
    if arch in ALIASES:
        return ALIASES[arch]
    i = arch.index("Critic")
    return arch[:i], arch[i:]


def init_weights(module: nn.Module, gen: torch.Generator) -> None:
    """The paper's initialisation: Linear N(0, 0.1), LSTM Xavier-uniform, zero biases."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 0.1, generator=gen)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LSTM):
                for name, p in m.named_parameters():
                    if name.startswith("weight"):
                        nn.init.xavier_uniform_(p, generator=gen)
                    else:
                        nn.init.zeros_(p)


def make_agent(arch: str, seed: int | None = None) -> Agent:
    """Build and initialise an agent (actor + twin critic) by architecture name.

    Parameters
    ----------
    arch : str
        ``"holistic"`` (Actor1 + Critic1), ``"modular"`` (Actor3 + Critic5), or any of the
        paper's 15 combinations ``"Actor1Critic1"`` ... ``"Actor3Critic5"``.
    seed : int or None, default=None
        Seed of the initial weights; the same seed gives the same weights.

    Returns
    -------
    agent : Agent

    Raises
    ------
    ValueError
        If `arch` is not a known architecture.

    Examples
    --------
    >>> from navdecode import make_agent, count_parameters
    >>> count_parameters(make_agent("modular", seed=0).actor)
    199234
    """
    actor_name, critic_name = split_arch(arch)
    check_seed(seed)
    agent = Agent(arch, actor_name, critic_name)
    init_weights(agent, torch_generator(seed, torch.device("cpu")))
    if isinstance(seed, numbers.Integral):
        agent.metadata["seed"] = int(seed)  # the network's identity in its recordings
    return agent


def count_parameters(module: nn.Module, convention: str = "pytorch") -> int:
    """Number of trainable parameters.

    Parameters
    ----------
    module : torch.nn.Module
        Network to count.
    convention : {"pytorch", "tutorial"}, default="pytorch"
        ``"pytorch"`` counts the tensors (an `nn.LSTM` has two bias vectors per gate
        set). ``"tutorial"`` applies the Neuromatch tutorial's hand formula:
        ``4 (n m + n^2 + n)`` per LSTM layer and ``in * out + in`` per Linear layer,
        which gives the 200,420 / 198,848 quoted for the holistic / modular actors.

    Returns
    -------
    n : int

    Examples
    --------
    >>> from navdecode import count_parameters, make_agent
    >>> actor = make_agent("holistic").actor
    >>> count_parameters(actor), count_parameters(actor, convention="tutorial")
    (201082, 200420)
    """
    check_instance(module, "module", nn.Module, "a torch.nn.Module")
    check_choice(convention, "convention", ("pytorch", "tutorial"))
    if convention == "pytorch":
        return sum(p.numel() for p in module.parameters() if p.requires_grad)
    total = 0
    for m in module.modules():
        if isinstance(m, nn.LSTM):
            n, m_in = m.hidden_size, m.input_size
            for layer in range(m.num_layers):
                total += 4 * (n * (m_in if layer == 0 else n) + n * n + n)
        elif isinstance(m, nn.Linear):
            total += m.in_features * m.out_features + m.in_features
    return total
