import importlib.util

import numpy as np
import pytest
import torch
import xarray as xr
from conftest import needs_zarr

from navdecode import fixed_targets, load_dataset, make_agent, run_agent, save_dataset
from navdecode.recording.tutorial_loop import run_agent_loop


def test_batched_rollout_matches_the_per_trial_loop(steering_actor, targets64):
    ds = run_agent(steering_actor, targets64, noise=False)
    ref = run_agent_loop(steering_actor, targets64, noise=False)
    # the scripted actor really moves and stops, with varied trial lengths
    lengths = np.array([r["n_steps"] for r in ref])
    assert lengths.min() < 35
    assert len(set(lengths)) > 5
    assert 0.3 < np.mean([r["rewarded"] for r in ref]) <= 1.0
    np.testing.assert_array_equal(ds.n_steps.values, lengths)
    np.testing.assert_array_equal(ds.rewarded.values, [r["rewarded"] for r in ref])
    for i, r in enumerate(ref):
        n = r["n_steps"]
        # to 1e-5 model units (1 unit = 400 cm): float32 resolution at a few hundred cm
        np.testing.assert_allclose(ds.pos_x.values[i, :n] / 400, r["pos_x"] / 400, atol=1e-5)
        np.testing.assert_allclose(ds.pos_y.values[i, :n] / 400, r["pos_y"] / 400, atol=1e-5)
        np.testing.assert_allclose(ds.action_lin.values[i, :n], r["actions"][:, 0], atol=1e-5)


def test_trained_shape_actor_matches_reference_too(targets64):
    actor = make_agent("holistic", seed=5).actor
    ds = run_agent(actor, targets64, noise=False, gain=2.0)
    ref = run_agent_loop(actor, targets64, noise=False, gain=2.0)
    for i, r in enumerate(ref):
        np.testing.assert_allclose(ds.pos_y.values[i, : r["n_steps"]] / 400, r["pos_y"] / 400,
                                   atol=1e-5)


def test_schema(steering_actor, targets64):
    ds = run_agent(steering_actor, targets64, gain=2.0, seed=1)
    assert set(ds.dims) == {"trial", "step", "unit", "input"}
    assert ds.sizes["step"] == 35
    assert ds.sizes["trial"] == 64
    for name in ("pos_x", "pos_y", "heading", "vel_lin", "vel_ang", "action_lin", "action_ang",
                 "obs_lin", "obs_ang", "hidden", "cell", "actor_input", "valid"):
        assert name in ds.data_vars, name
        # units, or (actor_input's mixed columns) the reason there are none
        assert ds[name].attrs.get("units") or ds[name].attrs["comment"]
        assert ds[name].attrs["long_name"]
    for name in ("target_x", "target_y", "target_r", "gain", "rewarded", "n_steps", "stop_x",
                 "stop_y", "stopped", "reward"):
        assert ds[name].dims == ("trial",)
        assert ds[name].attrs["units"]
    assert ds.pos_x.attrs["units"] == "cm"
    assert ds.heading.attrs["units"] == "rad"
    for key, value in ds.attrs.items():
        assert isinstance(value, (str, int, float)), key
        assert not isinstance(value, bool), key
    assert np.all(ds.gain == 2.0)
    # padding is NaN exactly where `valid` is False
    assert np.array_equal(np.isnan(ds.pos_x.values), ~ds.valid.values)
    assert np.array_equal(np.isnan(ds.hidden.values).all(axis=2), ~ds.valid.values)
    np.testing.assert_array_equal(ds.valid.sum("step").values, ds.n_steps.values)
    np.testing.assert_allclose(ds.target_r, np.hypot(ds.target_x, ds.target_y))
    # a rewarded stop is within 65 cm of the target at the recorded last step
    last = ds.n_steps.values - 1
    idx = np.arange(64)
    d = np.hypot(ds.pos_x.values[idx, last] - ds.target_x.values,
                 ds.pos_y.values[idx, last] - ds.target_y.values)
    assert np.all(d[ds.rewarded.values] < 65)
    assert np.allclose(ds.stop_x.values[ds.stopped.values],
                       ds.pos_x.values[idx, last][ds.stopped.values], atol=1e-3)


def test_same_seed_gives_an_identical_dataset(targets64):
    agent = make_agent("modular", seed=0)
    a = run_agent(agent, targets64, seed=11)
    b = run_agent(agent, targets64, seed=11)
    xr.testing.assert_identical(a, b)
    c = run_agent(agent, targets64, seed=12)
    assert not np.array_equal(a.obs_lin.values[:, 1:3], c.obs_lin.values[:, 1:3])


@pytest.mark.parametrize("suffix", [".nc", pytest.param(".zarr", marks=needs_zarr)])
def test_save_load_round_trip_is_exact(tmp_path, steering_actor, targets64, suffix):
    ds = run_agent(make_agent("modular", seed=0), targets64[:10], seed=0)
    path = save_dataset(ds, tmp_path / f"run{suffix}")
    back = load_dataset(path)
    xr.testing.assert_identical(back, ds)
    for name in ds.variables:
        if ds[name].dtype.kind == "U":  # text labels may come back as objects (old xarray)
            assert back[name].dtype.kind in "UO", name
        else:
            assert back[name].dtype == ds[name].dtype, name
    if importlib.util.find_spec("dask") is not None:  # lazy loading needs the sweep extra
        lazy = load_dataset(path, chunks={})
        assert lazy.hidden.chunks is not None
        xr.testing.assert_identical(lazy.load(), ds)
    # an existing recording is replaced only when asked, and stays readable
    with pytest.raises(ValueError, match="overwrite=True"):
        save_dataset(ds.isel(trial=slice(0, 3)), path)
    assert load_dataset(path).sizes["trial"] == ds.sizes["trial"]
    save_dataset(ds.isel(trial=slice(0, 3)), path, overwrite=True)
    assert load_dataset(path).sizes["trial"] == 3


def test_fixed_targets_are_shared_and_seeded():
    np.testing.assert_array_equal(fixed_targets(100), fixed_targets(100))
    assert not np.array_equal(fixed_targets(100, seed=1), fixed_targets(100))
    assert fixed_targets(1000).shape == (1000, 2)


def test_device_argument_runs_on_cpu_without_moving_the_agent(targets64):
    agent = make_agent("modular", seed=0)
    ds = run_agent(agent, targets64[:4], device="cpu")
    assert ds.sizes["trial"] == 4
    assert next(agent.parameters()).device.type == "cpu"


def test_single_tensor_state_actors_are_recorded_like_lstm_ones(steering_actor, targets64):
    class TensorState(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x, state=None):
            action, (h, _) = self.inner(x, None if state is None else (state, state))
            return action, h

    a = run_agent(steering_actor, targets64, noise=False)
    b = run_agent(TensorState(steering_actor), targets64, noise=False)
    np.testing.assert_array_equal(a.n_steps.values, b.n_steps.values)
    np.testing.assert_allclose(a.hidden.values, b.hidden.values, equal_nan=True)
    assert "cell" not in b


def _every_row(monkeypatch):
    """Make `record` compute every row of the batch at every step (the reference)."""
    from navdecode.recording import adapters

    original = adapters.TorchPolicy.__init__

    def every_row(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.by_rows = False

    monkeypatch.setattr(adapters.TorchPolicy, "__init__", every_row)


def _recorded(agent, targets, gain=1.0, config=None, seed=0):
    """`record` on a vector env of one sub-environment per target: run_agent's result
    before it had a loop of its own."""
    import navdecode as nd
    from navdecode.task.envs import FireflyVectorEnv

    env = FireflyVectorEnv(num_envs=len(targets), config=config)
    return nd.record(agent.actor, env, len(targets), seed=seed,
                     options={"targets": targets, "gain": gain}, arch=agent.arch,
                     agent_seed=agent.metadata["seed"])


@pytest.mark.parametrize("arch", ["modular", "holistic"])
def test_run_agents_own_loop_records_what_record_records_bit_for_bit(arch, monkeypatch):
    """run_agent drops finished trials from the batch and steps the task itself; its
    recording equals record's, which computes every row at every step, bit for bit:
    at 300 trials in chunks (and padded once fewer than 64 run) and at 10 trials."""
    from navdecode import TaskConfig, load_pretrained
    from navdecode.recording import adapters

    agent = load_pretrained(arch, 0)
    monkeypatch.setattr(adapters, "CHUNK", 128)  # 300 live trials: three chunks
    cases = [(300, {}), (300, {"gain": 2.0}), (300, {"config": TaskConfig.perturbation_task()}),
             (300, {"seed": 5}), (10, {}), (10, {"gain": 2.0})]
    fast = [run_agent(agent, fixed_targets(n), **kwargs) for n, kwargs in cases]
    small = [cases[0], cases[-1]]  # record's own live rows: 300 trials, and 10 (padded)
    by_rows = [_recorded(agent, fixed_targets(n), **kwargs) for n, kwargs in small]
    _every_row(monkeypatch)
    for (n, kwargs), ds in zip(cases, fast, strict=True):
        reference = _recorded(agent, fixed_targets(n), **kwargs)
        assert ds.attrs.pop("source") == "run_agent"
        assert reference.attrs.pop("source") == "record"
        for key in ("noise", "navdecode_version"):
            del ds.attrs[key]
        ds.attrs["checkpoint"] = reference.attrs["checkpoint"]  # run_agent names the file
        xr.testing.assert_identical(ds, reference)
        assert ds.n_steps.values.min() < ds.sizes["step"]  # some rows did finish
    for (n, kwargs), ds in zip(small, by_rows, strict=True):
        xr.testing.assert_identical(ds, _recorded(agent, fixed_targets(n), **kwargs))


def test_computing_only_live_trials_in_record_leaves_recordings_bit_identical(monkeypatch):
    """record with a navdecode actor computes only the trials being recorded; with rows
    that restart (300 trials on 100 envs) and hooks, it equals every row at every step."""
    from navdecode import load_pretrained

    agent, targets = load_pretrained("modular", 0), fixed_targets(300)
    hooked = nd_record(agent, targets)
    _every_row(monkeypatch)
    xr.testing.assert_identical(hooked, nd_record(agent, targets))


def nd_record(agent, targets):
    import navdecode as nd
    from navdecode.task.envs import FireflyVectorEnv

    env = FireflyVectorEnv(num_envs=100)  # 300 trials on 100 envs: rows restart
    return nd.record(agent.actor, env, 300, options={"targets": targets[:100]},
                     hooks={"out": "l1"} if hasattr(agent.actor, "l2") else None)
