import pytest
import torch

from navdecode import make_agent
from navdecode.agents.networks import ARCHITECTURES
from navdecode.agents.stacked import StackedAgents

COMBINATIONS = [a for a in ARCHITECTURES if a not in ("holistic", "modular")]


def inputs(n, t=6, b=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(n, t, b, 6, generator=gen),
            torch.rand(n, t, b, 2, generator=gen) * 2 - 1,
            torch.rand(n, t, b, 2, generator=gen) * 2 - 1)


@pytest.mark.parametrize("arch", COMBINATIONS)
def test_stacked_networks_equal_each_members_own_modules(arch):
    agents = [make_agent(arch, seed=s) for s in (0, 1)]
    stack = StackedAgents(agents)
    x, action, executed = inputs(2)
    z, (h, c) = stack.actor_preactivation(x)
    for m, agent in enumerate(agents):
        z_m, (h_m, c_m) = agent.actor.preactivation(x[m])
        torch.testing.assert_close(z[m], z_m, atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(h[m], h_m, atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(c[m], c_m, atol=1e-6, rtol=1e-5)
        for which in ("q1", "q2"):
            q = getattr(agent.critic, which)
            torch.testing.assert_close(stack.q(which, x, action)[m], q(x[m], action[m]),
                                       atol=1e-6, rtol=1e-5)
            torch.testing.assert_close(
                stack.q_after_history(which, x, executed, action)[m],
                q.after_history(x[m], executed[m], action[m]), atol=1e-6, rtol=1e-5)


def test_the_actor_continues_from_a_given_state_like_the_module():
    agents = [make_agent("Actor2Critic1", seed=s) for s in (4, 5)]
    stack = StackedAgents(agents)
    x, _, _ = inputs(2, t=8)
    _, state = stack.actor(x[:, :5])
    second, _ = stack.actor(x[:, 5:], state)
    for m, agent in enumerate(agents):
        whole, _ = agent.actor(x[m])
        torch.testing.assert_close(second[m], whole[5:], atol=1e-6, rtol=1e-5)


def test_one_members_parameters_never_reach_another():
    agents = [make_agent("holistic", seed=s) for s in (0, 1, 2)]
    x, action, executed = inputs(3)
    before = StackedAgents(agents)
    with torch.no_grad():
        agents[0].actor.rnn.weight_hh_l0.add_(1.0)
        agents[0].critic.q1.l1.weight.mul_(-3.0)
    after = StackedAgents(agents)
    for f in (lambda s: s.actor(x)[0], lambda s: s.q_after_history("q1", x, executed, action)):
        a, b = f(before), f(after)
        assert not torch.allclose(a[0], b[0])
        assert torch.equal(a[1:], b[1:])


def test_write_to_round_trips_and_leaves_the_agents_alone_until_asked():
    agents = [make_agent("modular", seed=s) for s in (0, 1)]
    stack = StackedAgents(agents)
    with torch.no_grad():
        stack.params["actor.l1.bias"][1] += 2.0
    assert torch.equal(agents[1].actor.l1.bias, make_agent("modular", seed=1).actor.l1.bias)
    stack.write_to(agents)
    expected = make_agent("modular", seed=1).actor.l1.bias + 2.0
    torch.testing.assert_close(agents[1].actor.l1.bias.detach(), expected)
    assert torch.equal(agents[0].actor.l1.bias, make_agent("modular", seed=0).actor.l1.bias)


@pytest.mark.parametrize(("agents", "error", "match"), [
    ([], ValueError, "non-empty sequence of Agent"),
    ("modular", ValueError, "non-empty sequence of Agent"),
    ([make_agent("modular"), "holistic"], TypeError, r"agents\[1\] must be an Agent"),
    ([make_agent("modular"), make_agent("holistic")], ValueError, "share one architecture"),
])
def test_stacked_agents_refuse_bad_input(agents, error, match):
    with pytest.raises(error, match=match):
        StackedAgents(agents)
