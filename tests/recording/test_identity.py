"""A recording names its network apart from its noise, and its trials by content."""

import numpy as np
import pytest
import xarray as xr

import navdecode as nd
from navdecode.recording.identity import align_trials, recording_identity, trial_ids


@pytest.fixture(scope="module")
def bundled_seed3():
    return nd.load_pretrained("modular", 3)


def test_the_noise_seed_is_not_the_networks_seed(bundled_seed3):
    targets = nd.fixed_targets(4)
    ds = nd.run_agent(bundled_seed3, targets, seed=0)
    assert (ds.attrs["agent_seed"], ds.attrs["noise_seed"]) == (3, 0)
    assert recording_identity(ds) == {"label": "modular", "agent": "modular-seed3",
                                      "agent_seed": 3}
    assert "seed" not in ds.attrs


def test_the_untrained_control_uses_the_agents_own_seed(bundled_seed3):
    targets = nd.fixed_targets(5)
    with_0 = nd.run_agent(bundled_seed3, targets, seed=0, noise=False)
    with_3 = nd.run_agent(bundled_seed3, targets, seed=3, noise=False)
    a, b = nd.untrained_recording(with_0), nd.untrained_recording(with_3)
    np.testing.assert_array_equal(a["hidden"].values, b["hidden"].values)
    own = nd.untrained_recording(with_0, actor=nd.make_agent("modular", seed=3).actor)
    np.testing.assert_array_equal(a["hidden"].values, own["hidden"].values)
    seed0 = nd.untrained_recording(with_0, actor=nd.make_agent("modular", seed=0).actor)
    assert np.nanmax(np.abs(a["hidden"].values - seed0["hidden"].values)) > 1e-2


def test_a_recording_without_a_network_seed_is_refused_by_the_untrained_control():
    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(3))
    ds.attrs["agent_seed"] = -1
    with pytest.raises(ValueError, match="does not name the seed of its network"):
        nd.untrained_recording(ds)
    fresh = nd.make_agent("modular", seed=7).actor
    result = nd.decode(ds.isel(trial=[0, 1, 2]), control="untrained", untrained=fresh,
                       n_splits=3)
    assert np.isfinite(result.mean_error)


def test_record_writes_the_identity_it_is_given():
    env = nd.FireflyVectorEnv(num_envs=2)
    ds = nd.record(nd.make_agent("modular", seed=0).actor, env, 2, seed=5, label="mine",
                   agent_id="net-A")
    assert (ds.attrs["label"], ds.attrs["agent_id"], ds.attrs["noise_seed"]) == (
        "mine", "net-A", 5)
    anonymous = nd.record(lambda x, s: (x[..., :2] * 0, s), env, 2)
    with pytest.raises(ValueError, match="does not say which network"):
        recording_identity(anonymous)
    assert recording_identity(anonymous, agent="lambda-1")["agent"] == "lambda-1"


def test_stacking_networks_recorded_with_one_noise_seed_keeps_them_apart():
    targets = nd.fixed_targets(4)
    parts = [nd.run_agent(nd.make_agent("modular", seed=s), targets, seed=0) for s in (0, 1)]
    stacked = nd.stack_recordings(parts)
    assert stacked["agent_seed"].values.tolist() == [0, 1]
    with pytest.raises(ValueError, match="distinct networks"):
        nd.stack_recordings([parts[0], parts[0]])


def test_trial_ids_pair_reordered_recordings_and_refuse_other_trials():
    agents = [nd.make_agent("modular", seed=s) for s in (0, 1)]
    targets = nd.fixed_targets(12)
    a, b = (nd.run_agent(agent, targets, noise=False) for agent in agents)
    reversed_b = b.isel(trial=slice(None, None, -1))
    assert not np.array_equal(trial_ids(b), trial_ids(reversed_b))
    in_order = nd.cka(a, b)
    assert nd.cka(a, reversed_b) == pytest.approx(in_order, abs=1e-9)
    assert nd.procrustes_distance(a, reversed_b) == pytest.approx(
        nd.procrustes_distance(a, b), abs=1e-9)
    other = nd.run_agent(agents[1], nd.fixed_targets(12, seed=99), noise=False)
    with pytest.raises(ValueError, match="do not record the same trials"):
        nd.cka(a, other)
    short = nd.run_agent(agents[1], targets[:5], noise=False)
    with pytest.raises(ValueError, match="do not record the same trials"):
        nd.stack_recordings([a, short])


def test_copies_of_trials_are_refused_by_decode_unless_asked():
    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(10))
    twice = xr.concat([ds, ds], dim="trial")
    with pytest.raises(ValueError, match="repeated trial"):
        nd.decode(twice)
    with pytest.raises(ValueError, match="more than once"):
        align_trials([twice, twice])
    result = nd.decode(twice, allow_duplicate_trials=True, n_splits=5)
    assert np.isfinite(result.mean_error)


def test_repeated_targets_get_distinct_ids():
    targets = np.repeat(nd.fixed_targets(3), 2, axis=0)
    ds = nd.run_agent(nd.make_agent("modular", seed=0), targets)
    ids = trial_ids(ds)
    assert len(set(ids)) == 6
    assert ids[0].split("#")[0] == ids[1].split("#")[0]


def test_trial_ids_are_content_hashes_counted_in_order_of_appearance():
    from navdecode.recording.identity import make_trial_ids

    targets = nd.fixed_targets(1000)
    ids = make_trial_ids({"target_x": targets[:, 0], "target_y": targets[:, 1]}, 1000)
    assert len(set(ids)) == 1000
    assert all(i.endswith("#0") and len(i) == 14 for i in ids)
    # the same values give the same id in any recording, whatever else it holds
    again = make_trial_ids({"target_x": targets[::-1, 0], "target_y": targets[::-1, 1]}, 1000)
    assert list(again) == list(ids[::-1])
    # repeats count up in the order they appear, between other trials
    x, y = np.array([1.0, 2.0, 1.0, 3.0, 1.0]), np.full(5, 200.0)
    rep = make_trial_ids({"target_x": x, "target_y": y}, 5)
    assert [r.split("#")[1] for r in rep] == ["0", "0", "1", "0", "2"]
    assert rep[0].split("#")[0] == rep[2].split("#")[0] == rep[4].split("#")[0]
    # values closer than the 1e-4 rounding are the same trial; further apart they are not
    close = make_trial_ids({"target_x": np.array([1.0, 1.00001, 1.001]),
                            "target_y": np.full(3, 200.0)}, 3)
    assert close[0].split("#")[0] == close[1].split("#")[0] != close[2].split("#")[0]
