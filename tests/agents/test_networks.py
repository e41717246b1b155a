import pytest
import torch
from torch import nn

from navdecode import ARCHITECTURES, count_parameters, make_agent


@pytest.mark.parametrize(
    ("arch", "pytorch", "tutorial"),
    [("holistic", 201_082, 200_420), ("modular", 199_234, 198_848)],
)
def test_actor_parameter_counts(arch, pytorch, tutorial):
    actor = make_agent(arch, seed=0).actor
    assert count_parameters(actor) == pytorch
    assert count_parameters(actor, convention="tutorial") == tutorial


def test_published_submodule_names():
    assert [n for n, _ in make_agent("holistic").actor.named_children()] == ["rnn", "l1"]
    assert [n for n, _ in make_agent("modular").actor.named_children()] == ["rnn", "l1", "l2", "l3"]


def test_fifteen_variants_plus_aliases():
    assert len(ARCHITECTURES) == 17
    x = torch.randn(7, 3, 6)
    for arch in ARCHITECTURES:
        agent = make_agent(arch, seed=0)
        action, (_h, _c) = agent.actor(x)
        assert action.shape == (7, 3, 2)
        assert action.abs().max() <= 1
        q1, q2 = agent.critic(x, action)
        assert q1.shape == (7, 3, 1)
        assert not torch.equal(q1, q2)


def test_modular_critic_lstm_does_not_see_the_action():
    critic = make_agent("modular", seed=0).critic.q1
    assert critic.rnn.input_size == 6
    assert critic.l1.in_features == 130
    holistic = make_agent("holistic", seed=0).critic.q1
    assert holistic.rnn.input_size == 8
    assert holistic.rnn.hidden_size == 220


def test_initialisation_rules():
    agent = make_agent("modular", seed=0)
    for m in agent.modules():
        if isinstance(m, nn.Linear):
            assert torch.all(m.bias == 0)
            if m.weight.numel() > 10_000:
                assert m.weight.std().item() == pytest.approx(0.1, rel=0.05)
        if isinstance(m, nn.LSTM):
            for name, p in m.named_parameters():
                if name.startswith("bias"):
                    assert torch.all(p == 0)
                else:
                    fan_in, fan_out = p.shape[1], p.shape[0]
                    bound = (6 / (fan_in + fan_out)) ** 0.5
                    assert p.abs().max() <= bound + 1e-6
                    assert p.abs().max() > 0.9 * bound


def test_seeded_weights_are_reproducible():
    a, b, c = make_agent("holistic", seed=3), make_agent("holistic", seed=3), make_agent(
        "holistic", seed=4)
    for (_, pa), (_, pb), (_, _pc) in zip(a.named_parameters(), b.named_parameters(),
                                          c.named_parameters(), strict=False):
        assert torch.equal(pa, pb)
    assert not torch.equal(a.actor.rnn.weight_ih_l0, c.actor.rnn.weight_ih_l0)


def test_state_is_explicit_and_continues_a_sequence():
    actor = make_agent("holistic", seed=0).actor
    x = torch.randn(6, 2, 6)
    whole, _ = actor(x)
    first, state = actor(x[:3])
    rest, _ = actor(x[3:], state)
    torch.testing.assert_close(torch.cat([first, rest]), whole)


@pytest.mark.parametrize("arch", ["holistic", "modular", "Actor1Critic2", "Actor1Critic3",
                                  "Actor1Critic4"])
def test_after_history_replaces_only_the_current_action(arch):
    critic = make_agent(arch, seed=0).critic.q1
    gen = torch.Generator().manual_seed(1)
    x, executed = torch.randn(6, 3, 6, generator=gen), torch.rand(6, 3, 2, generator=gen) * 2 - 1
    # with the executed actions themselves it is the plain whole-sequence pass
    torch.testing.assert_close(critic.after_history(x, executed, executed), critic(x, executed))
    action = (torch.rand(6, 3, 2, generator=gen) * 2 - 1).requires_grad_(True)
    q = critic.after_history(x, executed, action)
    for t in (0, 3, 5):  # step t: executed actions before t, the given one at t
        seq = executed.clone()
        seq[t] = action[t].detach()
        torch.testing.assert_close(q[t], critic(x, seq)[t])
    (grad,) = torch.autograd.grad(q[4].sum(), action)
    assert grad[4].abs().sum() > 0
    assert torch.count_nonzero(grad[torch.arange(6) != 4]) == 0
