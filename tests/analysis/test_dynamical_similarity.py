import numpy as np
import pandas as pd
import pytest
import xarray as xr

from navdecode.analysis.dynamical_similarity import dmd_operator, dsa_distance, dsa_score
from navdecode.analysis.similarity import similarity_matrix

pytest.importorskip("DSA")


def _linear_recording(a: np.ndarray, n_trials: int = 20, seed: int = 0,
                      transform: np.ndarray | None = None) -> xr.Dataset:
    """Trials of x_{t+1} = A x_t of different lengths, padded with huge values after each
    trial's end (a fit that crossed a trial boundary or used the padding would be off)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(6, 30, size=n_trials)
    dim = len(a)
    x = np.full((n_trials, 30, dim), 1e6)
    valid = np.zeros((n_trials, 30), dtype=bool)
    for k, n in enumerate(lengths):
        s = rng.normal(size=dim)
        for t in range(n):
            x[k, t] = s
            s = a @ s
        valid[k, :n] = True
    if transform is not None:
        x = np.where(valid[..., None], x @ transform.T, x)
    return xr.Dataset({"hidden": (("trial", "step", "unit"), x),
                       "valid": (("trial", "step"), valid)},
                      coords={"trial_id": ("trial", np.arange(n_trials))})


def _stable(dim: int, radius: float, seed: int) -> np.ndarray:
    a = np.random.default_rng(seed).normal(size=(dim, dim))
    return a * radius / np.abs(np.linalg.eigvals(a)).max()


def test_the_operator_of_a_linear_system_has_its_eigenvalues():
    a = _stable(4, 0.95, 1)
    op = dmd_operator(_linear_recording(a), n_delays=1, rank=4)
    np.testing.assert_allclose(np.sort_complex(np.linalg.eigvals(op)),
                               np.sort_complex(np.linalg.eigvals(a)), atol=1e-5)


def test_the_wasserstein_score_is_the_transport_cost_of_the_eigenvalues_by_hand():
    # {0.9, 0.5} against {0.8, 0.5}: 0.9 -> 0.8 and 0.5 -> 0.5, each of mass 1/2
    assert dsa_score(np.diag([0.9, 0.5]), np.diag([0.8, 0.5])) == pytest.approx(0.005)
    # rotations r e^{+-i theta}: each eigenvalue moves |r e^{i t1} - r e^{i t2}|^2
    r, t1, t2 = 0.9, 0.3, 0.5

    def rotation(t: float) -> np.ndarray:
        return r * np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])

    want = 2 * r**2 * (1 - np.cos(t1 - t2))
    assert dsa_score(rotation(t1), rotation(t2)) == pytest.approx(want, rel=1e-6)


def test_a_network_and_its_linear_transform_are_at_zero_and_a_different_one_is_not():
    a = _stable(4, 0.9, 2)
    first = _linear_recording(a, seed=3)
    transformed = _linear_recording(a, seed=4, transform=np.random.default_rng(5).normal(
        size=(4, 4)))
    other = _linear_recording(np.diag([0.9, 0.5, -0.2, 0.1]), seed=6)
    assert dsa_distance(first, transformed, n_delays=1, rank=4) < 1e-9
    want = dsa_score(a, np.diag([0.9, 0.5, -0.2, 0.1]))
    assert dsa_distance(first, other, n_delays=1, rank=4) == pytest.approx(want, abs=1e-6)
    assert want > 0.01


def test_the_matrix_is_symmetric_with_zeros_on_the_diagonal_and_equals_the_pairs():
    recs = [_linear_recording(_stable(4, 0.9, s), seed=s) for s in range(3)]
    labels = [("a", 0), ("a", 1), ("b", 0)]
    m = similarity_matrix(recs, metric="dsa", labels=labels, n_delays=2, rank=6)
    assert isinstance(m, pd.DataFrame)
    np.testing.assert_array_equal(np.diag(m.values), 0.0)
    np.testing.assert_allclose(m.values, m.values.T)
    assert m.iloc[0, 2] == pytest.approx(dsa_distance(recs[0], recs[2], n_delays=2, rank=6))


def test_short_trials_are_left_out_and_bad_arguments_named():
    ds = _linear_recording(_stable(3, 0.9, 0))
    with pytest.raises(ValueError, match="n_delays=40"):
        dmd_operator(ds, n_delays=40, rank=3)
    one = ds.isel(trial=[0])
    one = one.assign(valid=one["valid"] & (one["step"] < 8))
    with pytest.raises(ValueError, match="fewer than the embedding's width"):
        dmd_operator(one, n_delays=5, rank=3)
    with pytest.raises(ValueError, match="rank must be at most"):
        dmd_operator(ds, n_delays=1, rank=4)
    with pytest.raises(ValueError, match="score must be one of"):
        dsa_distance(ds, ds, score="cosine")
    with pytest.raises(ValueError, match="a must be a finite square"):
        dsa_score(np.ones((2, 3)), np.eye(2))
    cut = ds.copy()  # the first 10 trials end after 4 steps: too short for 5 delays
    cut["valid"] = cut["valid"] & ((cut["step"] < 4) | (cut["trial"] >= 10))
    rest = ds.isel(trial=slice(10, None))
    np.testing.assert_array_equal(dmd_operator(cut, n_delays=5, rank=6),
                                  dmd_operator(rest, n_delays=5, rank=6))


def test_the_angular_score_of_an_operator_and_its_rotation_is_near_zero():
    a = _stable(3, 0.9, 7)
    q, _ = np.linalg.qr(np.random.default_rng(8).normal(size=(3, 3)))
    assert dsa_score(a, q @ a @ q.T, score="angular") < 0.05
    assert dsa_score(a, np.diag([0.9, -0.5, 0.1]), score="angular") > 0.1


def test_a_bundled_pair_runs_and_without_the_extra_the_error_names_it(monkeypatch):
    import importlib.util

    import navdecode as nd

    t = nd.fixed_targets(100)
    ds = nd.run_agent(nd.load_pretrained("modular", 0), t)
    other = nd.run_agent(nd.load_pretrained("holistic", 0), t)
    assert nd.dsa_distance(ds, other) > 0
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "DSA" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match=r"navdecode\[dsa\]"):
        nd.dsa_distance(ds, other)
