"""Agents of one architecture as one network: parameters stacked along a member dimension.

`StackedAgents` holds the parameters of N agents of one architecture as tensors of shape
``(N, *shape)``, named as in `Agent.named_parameters` (``actor.rnn.weight_ih_l0``,
``critic.q1.l1.weight``, ...), and runs the actor and the critics' Q networks of all N at
once on inputs of shape ``(N, T, B, features)``: each LSTM step is one batched matrix
product (``baddbmm``) for every member, each linear layer another. Member m's slice of
every output depends on member m's parameters and inputs only.

This is the population trainer's network for a GPU, where N separate networks would
spend their time launching kernels (`navdecode.training.stacked`). On a CPU the fused
`nn.LSTM` of each separate agent is faster (the training guide has the measurements); the
stacked forms here equal the separate modules within float tolerance (tested for all 15
architectures), which is what lets a CPU test check the GPU path's arithmetic.

The LSTM is the one of `torch.nn.LSTM`, gates in its order (input, forget, cell,
output): with ``x_t`` the input and ``(h_{t-1}, c_{t-1})`` the state before step t,

    i, f, g, o = split(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)
    h_t = sigmoid(o) * tanh(c_t)
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from navdecode._validation import check_instance
from navdecode.agents.networks import Agent, RecurrentActor, RecurrentCritic

__all__ = ["StackedAgents"]

Params = dict[str, torch.Tensor]
State = tuple[torch.Tensor, torch.Tensor]


def _linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``x W^T + b`` per member: x (N, ..., in), weight (N, out, in), bias (N, out)."""
    n, lead = x.shape[0], x.shape[1:-1]
    out = torch.baddbmm(bias.unsqueeze(1), x.reshape(n, -1, x.shape[-1]), weight.transpose(1, 2))
    return out.reshape(n, *lead, weight.shape[1])


def _mlp(p: Params, prefix: str, n_linear: int, x: torch.Tensor) -> torch.Tensor:
    for i in range(1, n_linear + 1):
        x = _linear(x, p[f"{prefix}.l{i}.weight"], p[f"{prefix}.l{i}.bias"])
        if i < n_linear:
            x = F.relu(x)
    return x


def _weights(p: Params, prefix: str, layer: int) -> tuple[torch.Tensor, ...]:
    return tuple(p[f"{prefix}.{k}_l{layer}"]
                 for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def _gate_values(gates: torch.Tensor) -> tuple[torch.Tensor, ...]:
    i, f, g, o = gates.chunk(4, -1)
    return torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)


def _cell(gates: torch.Tensor, c: torch.Tensor) -> State:
    i, f, g, o = _gate_values(gates)
    c = f * c + i * g
    return o * torch.tanh(c), c


def _lstm_layer(p: Params, prefix: str, layer: int, x: torch.Tensor,
                state: State | None) -> tuple[torch.Tensor, State]:
    """One LSTM layer over x (N, T, B, in) from `state` ((N, B, H) each, zeros if None)."""
    w_ih, w_hh, b_ih, b_hh = _weights(p, prefix, layer)
    projected = _linear(x, w_ih, b_ih + b_hh)  # every step's input term at once
    if state is None:
        zeros = x.new_zeros(x.shape[0], x.shape[2], w_hh.shape[2])
        state = (zeros, zeros)
    h, c = state
    w_hh_t, out = w_hh.transpose(1, 2), []
    for t in range(x.shape[1]):  # the recurrence: one batched product per step
        h, c = _cell(torch.baddbmm(projected[:, t], h, w_hh_t), c)
        out.append(h)
    return torch.stack(out, 1), (h, c)


def _lstm(p: Params, prefix: str, num_layers: int, x: torch.Tensor,
          state: State | None = None) -> tuple[torch.Tensor, State]:
    """A stacked LSTM; `state` as (h, c) of shape (N, num_layers, B, H)."""
    hs, cs = [], []
    for layer in range(num_layers):
        start = None if state is None else (state[0][:, layer], state[1][:, layer])
        x, (h, c) = _lstm_layer(p, prefix, layer, x, start)
        hs.append(h)
        cs.append(c)
    return x, (torch.stack(hs, 1), torch.stack(cs, 1))


def _shift(x: torch.Tensor) -> torch.Tensor:
    """x one step later along T (dim 1), zeros first: the value before each step."""
    return torch.cat([torch.zeros_like(x[:, :1]), x[:, :-1]], 1)


class StackedAgents:
    """The parameters of N agents of one architecture, stacked, and their networks.

    Parameters
    ----------
    agents : sequence of Agent
        One or more agents of one architecture; their parameters are copied (the agents
        are left as they are; `write_to` copies the stacked values back).
    requires_grad : bool, default=True
        Whether the stacked parameters take gradients (False for target networks).

    Attributes
    ----------
    params : dict of str to torch.Tensor
        Every parameter of the agents as one tensor of shape (N, *shape), by its name in
        `Agent.named_parameters`.
    n_members : int

    Raises
    ------
    TypeError
        If an element of `agents` is not an `Agent`.
    ValueError
        If `agents` is empty or mixes architectures.

    Examples
    --------
    >>> import torch
    >>> from navdecode import make_agent
    >>> from navdecode.agents.stacked import StackedAgents
    >>> agents = [make_agent("modular", seed=s) for s in (0, 1)]
    >>> stack = StackedAgents(agents)
    >>> action, _ = stack.actor(torch.zeros(2, 5, 3, 6))  # (members, steps, trials, inputs)
    >>> action.shape
    torch.Size([2, 5, 3, 2])
    >>> alone, _ = agents[1].actor(torch.zeros(5, 3, 6))
    >>> bool(torch.allclose(action[1], alone, atol=1e-6))
    True
    """

    def __init__(self, agents: Sequence[Agent], *, requires_grad: bool = True) -> None:
        if isinstance(agents, str) or not isinstance(agents, Sequence) or not agents:
            msg = f"agents must be a non-empty sequence of Agent, got {agents!r}"
            raise ValueError(msg)
        for i, agent in enumerate(agents):
            check_instance(agent, f"agents[{i}]", Agent, "an Agent")
        names = {(a.actor_name, a.critic_name) for a in agents}
        if len(names) > 1:
            msg = f"agents must share one architecture, got {sorted(names)}"
            raise ValueError(msg)
        template = agents[0]
        self.n_members = len(agents)
        self._actor: RecurrentActor = template.actor
        self._critic: RecurrentCritic = template.critic.q1
        with torch.no_grad():
            self.params = {
                name: torch.stack([dict(a.named_parameters())[name] for a in agents]).clone()
                for name, _ in template.named_parameters()}
        for p in self.params.values():
            p.requires_grad_(requires_grad)

    def group(self, prefix: str) -> list[torch.Tensor]:
        """The stacked parameters whose names start with `prefix` (``"actor."``,
        ``"critic."``, ``"critic.q1."``), in `Agent.named_parameters` order."""
        return [p for name, p in self.params.items() if name.startswith(prefix)]

    def write_to(self, agents: Sequence[Agent]) -> None:
        """Copy member m's parameters into ``agents[m]`` (same architecture, same order)."""
        with torch.no_grad():
            for m, agent in enumerate(agents):
                for name, p in agent.named_parameters():
                    p.copy_(self.params[name][m])

    def actor_preactivation(self, x: torch.Tensor, state: State | None = None
                            ) -> tuple[torch.Tensor, State]:
        """`RecurrentActor.preactivation` of every member: x (N, T, B, input_dim) ->
        z (N, T, B, 2) and the LSTM state (h, c), each (N, num_layers, B, hidden)."""
        out, state = _lstm(self.params, "actor.rnn", self._actor.num_layers, x, state)
        return _mlp(self.params, "actor", len(self._actor.linears()), out), state

    def actor(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """`RecurrentActor.forward` of every member: actions ``tanh(z)``, and the state."""
        z, state = self.actor_preactivation(x, state)
        return torch.tanh(z), state

    def q(self, which: str, x: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """`RecurrentCritic.forward` of Q network `which` (``"q1"``, ``"q2"``) of every
        member: x (N, T, B, input_dim), action (N, T, B, 2) -> q (N, T, B, 1)."""
        prefix, spec = f"critic.{which}", self._critic
        layers = spec.rnn.num_layers
        if spec.action_in_rnn:
            out, _ = _lstm(self.params, f"{prefix}.rnn", layers, torch.cat([x, action], -1))
        else:
            out, _ = _lstm(self.params, f"{prefix}.rnn", layers, x)
            if spec.second_rnn:
                out, _ = _lstm(self.params, f"{prefix}.rnn2", 1, torch.cat([out, action], -1))
            else:
                out = torch.cat([out, action], -1)
        return _mlp(self.params, prefix, len(spec.linears()), out)

    def q_after_history(self, which: str, x: torch.Tensor, executed: torch.Tensor,
                        action: torch.Tensor) -> torch.Tensor:
        """`RecurrentCritic.after_history` of Q network `which` of every member: Q of
        ``action[:, t]`` after the `executed` actions of the steps before t, each (N, T, B, .).
        """
        prefix, spec = f"critic.{which}", self._critic
        if not (spec.action_in_rnn or spec.second_rnn):
            return self.q(which, x, action)
        p = self.params
        if spec.action_in_rnn:
            rnn, layers = f"{prefix}.rnn", spec.rnn.num_layers
            seen, seq = torch.cat([x, executed], -1), torch.cat([x, action], -1)
        else:
            with torch.no_grad():
                out, _ = _lstm(p, f"{prefix}.rnn", spec.rnn.num_layers, x)
            rnn, layers = f"{prefix}.rnn2", 1
            seen, seq = torch.cat([out, executed], -1), torch.cat([out, action], -1)
        for layer in range(layers):
            w_ih, w_hh, b_ih, b_hh = _weights(p, rnn, layer)
            with torch.no_grad():
                out, _ = _lstm_layer(p, rnn, layer, seen, None)
            recurrent = _linear(_shift(out), w_hh, b_hh)  # with the weights' gradients
            with torch.no_grad():  # the cell state before each step of the executed history
                i, f, g, _ = _gate_values(_linear(seen, w_ih, b_ih) + recurrent)
                c_prev = torch.zeros_like(i)
                for t in range(1, seen.shape[1]):
                    c_prev[:, t] = f[:, t - 1] * c_prev[:, t - 1] + i[:, t - 1] * g[:, t - 1]
            i, f, g, o = _gate_values(_linear(seq, w_ih, b_ih) + recurrent)
            seq, seen = o * torch.tanh(f * c_prev + i * g), out
        return _mlp(p, prefix, len(spec.linears()), seq)

