import numpy as np
import pytest
import torch

from navdecode.analysis.dynamics import fixed_points, lstm_update


def test_a_linear_rnn_has_its_closed_form_fixed_point_and_eigenvalues():
    """s' = A s + b: one fixed point, (I - A)^-1 b, whose Jacobian is A."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 5))
    a *= 0.9 / np.abs(np.linalg.eigvals(a)).max()  # spectral radius 0.9: attracting
    b = rng.normal(size=5)
    at = torch.tensor(a.T, dtype=torch.float32)
    points = fixed_points(lambda s, x: s @ at + x, b, rng.normal(size=(10, 5)) * 3,
                          n_iter=3000, lr=0.05)
    assert points.sizes["point"] == 1
    np.testing.assert_allclose(points["state"].values[0], np.linalg.solve(np.eye(5) - a, b),
                               atol=2e-3)
    got = points["eigenvalue_real"].values[0] + 1j * points["eigenvalue_imag"].values[0]
    want = np.linalg.eigvals(a)
    assert np.allclose(np.sort_complex(got), np.sort_complex(want), atol=1e-4)
    assert bool(points["stable"][0])
    assert bool(points["fixed"][0])
    assert points["max_abs_eigenvalue"].values[0] == pytest.approx(0.9, abs=1e-4)


def test_a_two_dimensional_map_shows_its_saddle_between_two_attractors():
    """x' = x + 0.1 (x - x^3), y' = 0.9 y: attractors at (+-1, 0), a saddle at (0, 0)."""
    def update(s, x):
        return torch.stack([s[:, 0] + 0.1 * (s[:, 0] - s[:, 0] ** 3), 0.9 * s[:, 1]], dim=1)

    grid = np.stack(np.meshgrid(np.linspace(-1.6, 1.6, 9), np.linspace(-1, 1, 3)), -1)
    points = fixed_points(update, np.zeros(1), grid.reshape(-1, 2), n_iter=4000, lr=0.02)
    order = np.argsort(points["state"].values[:, 0])
    xs = points["state"].values[order, 0]
    np.testing.assert_allclose(xs, [-1.0, 0.0, 1.0], atol=1e-3)
    np.testing.assert_allclose(points["state"].values[order, 1], 0.0, atol=1e-3)
    assert points["stable"].values[order].tolist() == [True, False, True]
    assert points["n_unstable"].values[order].tolist() == [0, 1, 0]
    np.testing.assert_allclose(points["max_abs_eigenvalue"].values[order], [0.9, 1.1, 0.9],
                               atol=1e-4)


def test_a_trained_lstm_s_points_are_fixed_points_of_its_update():
    import navdecode as nd

    agent = nd.load_pretrained("modular", 0)
    ds = nd.run_agent(agent, nd.fixed_targets(20))
    valid = ds.valid.values
    states = np.concatenate([ds.hidden.values[valid], ds.cell.values[valid]], axis=1)
    points = fixed_points(agent.actor.rnn, np.zeros(6), states[::40], n_iter=1500)
    assert points.sizes["component"] == 256
    assert points.sizes["eigen"] == 256
    update, _ = lstm_update(agent.actor.rnn)
    s = torch.tensor(points["state"].values, dtype=torch.float32)
    with torch.no_grad():
        moved = (update(s, torch.zeros(len(s), 6)) - s).norm(dim=1).numpy()
    fixed = points["fixed"].values
    assert fixed.any()
    assert (moved[fixed] < 1e-3).all()


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"update": 3}, TypeError, "update must be a callable"),
    ({"inputs": np.array([np.nan])}, ValueError, "finite 2-d arrays"),
    ({"lr": 0}, ValueError, "lr must be a number > 0"),
    ({"update": torch.nn.LSTM(3, 4, num_layers=2)}, ValueError, "one-layer"),
])
def test_bad_input_is_refused(kwargs, error, match):
    args = {"update": lambda s, x: s, "inputs": np.zeros(1), "starts": np.zeros((2, 2))}
    with pytest.raises(error, match=match):
        fixed_points(**{**args, **kwargs})


def test_the_lstm_jacobian_in_closed_form_equals_autograd_s():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 7)
    update, size = lstm_update(lstm)
    rng = np.random.default_rng(1)
    state, x = rng.normal(size=size), rng.normal(size=3)
    lstm64 = torch.nn.LSTM(3, 7).double()
    lstm64.load_state_dict({k: v.double() for k, v in lstm.state_dict().items()})
    update64, _ = lstm_update(lstm64)
    want = torch.autograd.functional.jacobian(
        lambda v: update64(v[None], torch.tensor(x[None]))[0], torch.tensor(state)).numpy()
    np.testing.assert_allclose(update.jacobian(state, x), want, atol=1e-12)


def test_lstm_update_refuses_projected_lstms():
    with pytest.raises(ValueError, match="proj_size"):
        lstm_update(torch.nn.LSTM(3, 7, proj_size=2))
