"""NWB and pynapple exports: the timeline by hand, data equal to the recording, files
that pynwb validates and reads back, refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from navdecode import load_pretrained, make_agent, run_agent
from navdecode.recording.export import sample_times, to_nwb, to_pynapple
from navdecode.recording.rollout import fixed_targets


@pytest.fixture(scope="module")
def ds():
    return run_agent(load_pretrained("modular", 0), fixed_targets(12, seed=2), seed=1)


def test_sample_times_lay_trials_in_slots_of_steps_plus_one(ds):
    samples = sample_times(ds)
    valid = ds["valid"].values
    assert len(samples) == valid.sum()
    s_count = ds.sizes["step"]  # 35: each trial's slot is 36 steps of 0.1 s
    for k in (0, 5, 11):
        rows = samples[samples.trial == k]
        n_k = int(valid[k].sum())
        # by hand: trial k's step s at (k * 36 + s) * 0.1 s
        np.testing.assert_allclose(rows.time, (k * (s_count + 1) + np.arange(n_k)) * 0.1)
    # read back: trial = t // (36 dt), step = t / dt - 36 trial
    t = samples.time.to_numpy()
    trial = np.floor(t / ((s_count + 1) * 0.1) + 1e-9).astype(int)
    step = np.rint(t / 0.1 - trial * (s_count + 1)).astype(int)
    assert (trial == samples.trial).all()
    assert (step == samples.step).all()


def test_dt_given_or_refused(ds):
    np.testing.assert_allclose(sample_times(ds, dt=0.5).time.iloc[1], 0.5)
    bare = ds.drop_vars("time")
    bare.attrs = {k: v for k, v in ds.attrs.items() if k != "task_dt"}
    with pytest.raises(ValueError, match="pass dt="):
        sample_times(bare)
    with pytest.raises(ValueError, match="dt must be positive"):
        sample_times(ds, dt=0.0)
    with pytest.raises(TypeError, match="dt"):
        sample_times(ds, dt="0.1")


def test_pynapple_objects_hold_the_recording(ds):
    pytest.importorskip("pynapple")
    objects = to_pynapple(ds)
    valid = ds["valid"].values
    trials = objects["trials"]
    assert len(trials) == ds.sizes["trial"]
    np.testing.assert_array_equal(trials.metadata["target_x"].to_numpy(), ds.target_x.values)
    np.testing.assert_array_equal(trials.metadata["trial_id"].to_numpy(), ds.trial_id.values)
    for name in ("pos_x", "heading", "action_lin"):
        np.testing.assert_array_equal(objects[name].values, ds[name].values[valid])
    hidden = objects["hidden"]
    np.testing.assert_array_equal(hidden.values, ds.hidden.values[valid])
    assert list(objects["actor_input"].columns) == list(ds.input.values)
    # round trip: trial k's interval holds exactly trial k's valid rows
    k = 7
    inside = hidden.restrict(trials[k])
    np.testing.assert_array_equal(inside.values, ds.hidden.values[k][valid[k]])
    np.testing.assert_allclose(inside.times(), sample_times(ds).query("trial == @k").time)


@pytest.fixture
def nwb_path(ds, tmp_path):
    pytest.importorskip("pynwb")
    return to_nwb(ds, tmp_path / "rollout.nwb",
                  session_start_time=datetime(2026, 12, 2, tzinfo=UTC))


def test_nwb_file_validates_and_reads_back(ds, nwb_path):
    import pynwb

    assert pynwb.validate(path=str(nwb_path)) == []
    valid = ds["valid"].values
    with pynwb.NWBHDF5IO(str(nwb_path), "r") as io:
        f = io.read()
        behaviour, network = f.processing["behavior"], f.processing["network"]
        pos = behaviour["pos_x"]
        assert (pos.unit, pos.conversion) == ("m", 0.01)  # cm stored with NWB's SI factor
        np.testing.assert_array_equal(pos.data[:], ds.pos_x.values[valid])
        assert behaviour["heading"].unit == "rad"
        np.testing.assert_array_equal(network["hidden"].data[:], ds.hidden.values[valid])
        np.testing.assert_array_equal(network["cell"].data[:], ds.cell.values[valid])
        np.testing.assert_allclose(network["hidden"].timestamps[:], sample_times(ds).time)
        table = f.trials.to_dataframe()
        np.testing.assert_array_equal(table["target_y"], ds.target_y.values)
        np.testing.assert_array_equal(table["trial_id"], ds.trial_id.values)
        np.testing.assert_allclose(table["stop_time"] - table["start_time"],
                                   valid.sum(axis=1) * 0.1)
        attrs = json.loads(f.notes)
        assert attrs["agent_id"] == "modular-seed0"
        assert attrs["noise_seed"] == 1
        assert f.session_id == "modular-seed0"
        identifier = f.identifier
    again = to_nwb(ds, nwb_path.with_name("again.nwb"))
    with pynwb.NWBHDF5IO(str(again), "r") as io:
        assert io.read().identifier == identifier  # the same recording, the same id


def test_nwb_refusals_and_nothing_left_after_a_failed_write(ds, nwb_path, monkeypatch):
    before = nwb_path.read_bytes()
    with pytest.raises(ValueError, match="overwrite=True"):
        to_nwb(ds, nwb_path)
    with pytest.raises(ValueError, match=r"end in \.nwb"):
        to_nwb(ds, nwb_path.with_suffix(".h5"))
    with pytest.raises(ValueError, match="timezone"):
        to_nwb(ds, nwb_path.with_name("x.nwb"), session_start_time=datetime(2026, 1, 1))
    with pytest.raises(TypeError, match="session_start_time"):
        to_nwb(ds, nwb_path.with_name("x.nwb"), session_start_time="2026-01-01")
    with pytest.raises(TypeError, match="path"):
        to_nwb(ds, 3)

    import pynwb

    def broken(self, *args, **kwargs):
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr(pynwb.NWBHDF5IO, "write", broken)
    with pytest.raises(OSError, match="disk full"):
        to_nwb(ds, nwb_path, overwrite=True)
    assert nwb_path.read_bytes() == before  # the old file kept
    assert sorted(p.name for p in nwb_path.parent.iterdir()) == ["rollout.nwb"]


def test_without_the_extras_the_error_names_them(ds, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("pynwb", "pynapple") else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match=r"navdecode\[nwb\]"):
        to_nwb(ds, tmp_path / "x.nwb")
    with pytest.raises(ModuleNotFoundError, match=r"navdecode\[pynapple\]"):
        to_pynapple(ds)


def test_a_fresh_holistic_agent_exports(tmp_path):
    pytest.importorskip("pynwb")
    import pynwb

    fresh = run_agent(make_agent("holistic", seed=3), fixed_targets(4))
    path = to_nwb(fresh, tmp_path / "fresh.nwb")
    assert pynwb.validate(path=str(path)) == []
