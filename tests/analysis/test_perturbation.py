import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from navdecode import TaskConfig, fixed_targets, load_pretrained, make_agent, run_agent
from navdecode.analysis.perturbation import (
    belief_perturbation_errors,
    belief_perturbation_slopes,
    compensation_kernels,
    integrated_perturbation,
    perturbations_of,
)
from navdecode.recording.identity import fingerprint

CONFIG = TaskConfig.perturbation_task()
GIVEN = np.array([[100.0, 30.0, 0], [-100.0, -30.0, 2], [150.0, 60.0, 4],
                  [-150.0, -60.0, 6], [50.0, 0.0, 8], [0.0, 40.0, 10]])


@pytest.fixture(scope="module")
def pair():
    agent = load_pretrained("modular", 0)
    ds = run_agent(agent, fixed_targets(6), config=CONFIG, perturbation=GIVEN)
    twin = run_agent(agent, fixed_targets(6), config=CONFIG,
                     perturbation=perturbations_of(ds) * [0, 0, 1])
    return ds, twin


def test_run_agent_runs_the_given_perturbations(pair):
    ds, twin = pair
    np.testing.assert_allclose(perturbations_of(ds), GIVEN, atol=1e-4)
    np.testing.assert_array_equal(twin["perturb_lin"].values, 0.0)
    np.testing.assert_array_equal(twin["perturb_onset"].values, GIVEN[:, 2])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"perturbation": GIVEN, "config": TaskConfig()}, "perturbations on"),
    ({"perturbation": GIVEN[:3], "config": CONFIG}, "one row per target"),
    ({"perturbation": GIVEN * [1, 1, -1], "config": CONFIG}, "integers >= 0"),
    ({"perturbation": GIVEN + np.array([0, 0, 0.5]), "config": CONFIG}, "integers >= 0"),
])
def test_run_agent_refuses_a_bad_perturbation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_agent(make_agent("modular", seed=0), fixed_targets(6), **kwargs)


def test_given_perturbations_repeat_a_drawn_run_exactly():
    agent = load_pretrained("holistic", 1)
    ds = run_agent(agent, fixed_targets(50), seed=3, config=CONFIG)
    again = run_agent(agent, fixed_targets(50), seed=3, config=CONFIG,
                      perturbation=perturbations_of(ds))
    # the recorded peaks (cm/s, deg/s) round-trip to within float32 rounding
    np.testing.assert_allclose(again["action_lin"].values, ds["action_lin"].values, atol=1e-5)
    np.testing.assert_allclose(again["hidden"].values, ds["hidden"].values, atol=1e-5)
    np.testing.assert_array_equal(again["n_steps"].values, ds["n_steps"].values)
    twin = run_agent(agent, fixed_targets(50), seed=3, config=CONFIG,
                     perturbation=perturbations_of(ds) * [0, 0, 1])
    kernels = compensation_kernels(ds, twin)  # same noise: nothing differs before onset
    assert (kernels.loc[kernels["lag_step"] == 0, "kernel"].abs() < 1e-9).all()
    onset = ds["perturb_onset"].values.astype(int)
    before = np.arange(ds.sizes["step"])[None, :] <= onset[:, None]
    np.testing.assert_array_equal(np.nan_to_num(ds["action_ang"].values)[before],
                                  np.nan_to_num(twin["action_ang"].values)[before])


def test_integrated_perturbation_by_hand(pair):
    ds, _ = pair
    got = integrated_perturbation(ds)
    d, sd, dt = CONFIG.perturb_duration_steps, CONFIG.perturb_sd_steps, CONFIG.dt
    for i, (lin, ang, onset) in enumerate(GIVEN):
        area = sum(math.exp(-0.5 * ((s - onset - d / 2) / sd) ** 2) * dt
                   for s in range(int(ds["n_steps"].values[i])) if onset <= s <= onset + d)
        assert got["perturb_lin_integral_cm"].iloc[i] == pytest.approx(lin * area, rel=1e-5)
        assert got["perturb_ang_integral_deg"].iloc[i] == pytest.approx(ang * area, rel=1e-5)


def test_a_trial_that_stops_before_the_bump_ends_integrates_only_its_steps(pair):
    ds, _ = pair
    short = ds.copy()
    short["n_steps"] = short["n_steps"] * 0 + 3  # every trial ran 3 steps
    got = integrated_perturbation(short)["perturb_lin_integral_cm"]
    bump = [math.exp(-0.5 * ((s - 5) / 2) ** 2) * 0.1 for s in range(3)]
    assert got.iloc[0] == pytest.approx(100.0 * sum(bump), rel=1e-6)  # onset 0: steps 0-2
    assert got.iloc[1] == pytest.approx(-100.0 * bump[0], rel=1e-6)  # onset 2: step 2 only
    assert got.iloc[2] == 0.0  # onset 4: after the trial


def test_compensation_kernels_by_hand(pair):
    _, twin = pair
    fake = twin.copy(deep=True)
    peaks = [[100.0, 30.0], [200.0, -30.0], [-50.0, 30.0], [0.0, 0.0], [0.0, 0.0],
             [0.0, 0.0]]
    fake["perturb_lin"] = ("trial", np.array([p[0] for p in peaks]))
    fake["perturb_ang"] = ("trial", np.array([p[1] for p in peaks]))
    onset = twin["perturb_onset"].values.astype(int)
    lin = fake["action_lin"].values.copy()
    ang = fake["action_ang"].values.copy()
    lin[0, onset[0] + 2] += 0.1  # forward trial 0, lag 2
    lin[2, onset[2] + 1] -= 0.3  # backward trial 2, lag 1
    ang[1, onset[1] + 3] += 0.2  # trial 1, lag 3
    fake["action_lin"] = (("trial", "step"), lin)
    fake["action_ang"] = (("trial", "step"), ang)
    kernels = compensation_kernels(fake, twin).set_index(["group", "lag_step"])
    forward = kernels.loc["forward", "kernel"]
    assert forward.loc[2] == pytest.approx(200.0 * 0.1 / 2, abs=1e-5)  # 2 forward trials
    assert (forward.drop(2).abs() < 1e-9).all()
    assert kernels.loc["backward", "kernel"].loc[1] == pytest.approx(200.0 * -0.3, abs=1e-5)
    theta = np.degrees(np.arctan2(twin["target_y"].values, twin["target_x"].values))
    side = np.sign(theta[1] - 90.0)
    group = "congruent" if (theta[1] - 90.0) * -30.0 > 0 else "incongruent"
    n = kernels.loc[group, "n_trials"].iloc[0]
    assert kernels.loc[group, "kernel"].loc[3] == pytest.approx(90.0 * side * 0.2 / n,
                                                                 abs=1e-5)
    assert set(kernels["units"]) == {"cm/s", "deg/s"}
    assert kernels.loc["forward", "time_s"].loc[2] == pytest.approx(0.2)


def test_the_agent_cannot_answer_at_onset(pair):
    ds, twin = pair
    kernels = compensation_kernels(ds, twin)
    assert (kernels.loc[kernels["lag_step"] == 0, "kernel"].abs() < 1e-9).all()
    theta = np.degrees(np.arctan2(ds["target_y"].values, ds["target_x"].values))
    congruent = int(((theta - 90.0) * GIVEN[:, 1] > 0).sum())
    incongruent = int(((theta - 90.0) * GIVEN[:, 1] < 0).sum())
    assert kernels.groupby("group")["n_trials"].first().to_dict() == {
        "backward": 2, "forward": 3, "congruent": congruent, "incongruent": incongruent}


def test_compensation_kernels_refuse_other_trials(pair):
    ds, twin = pair
    with pytest.raises(ValueError, match="zero perturbation peaks"):
        compensation_kernels(ds, ds)
    with pytest.raises(ValueError, match="same trials"):
        compensation_kernels(ds, twin.isel(trial=slice(0, 3)))
    moved = twin.copy()
    moved["target_x"] = moved["target_x"] + 1.0
    with pytest.raises(ValueError, match="target_x differs"):
        compensation_kernels(ds, moved)
    with pytest.raises(ValueError, match="window_steps"):
        compensation_kernels(ds, twin, window_steps=0)


def test_belief_errors_by_hand(pair):
    ds, _ = pair
    half = ds[["pos_x", "pos_y"]].where(ds["valid"]) * 0.5  # a belief at half the distance
    half.attrs["recording"] = fingerprint(ds)  # as decode(ds) marks its results
    frame = belief_perturbation_errors(ds, SimpleNamespace(predicted=half))
    last = ds["n_steps"].values - 1
    rows = np.arange(6)
    r = np.hypot(ds["pos_x"].values[rows, last], ds["pos_y"].values[rows, last])
    np.testing.assert_array_equal(frame["last_step"], last)
    np.testing.assert_allclose(frame["belief_error_radial_cm"], -0.5 * r, rtol=1e-6)
    np.testing.assert_allclose(frame["belief_error_angle_deg"], 0.0, atol=1e-9)
    np.testing.assert_allclose(frame["perturb_lin_integral_cm"],
                               integrated_perturbation(ds)["perturb_lin_integral_cm"])


def test_belief_errors_refuse_a_foreign_result(pair):
    ds, _ = pair
    with pytest.raises(TypeError, match="DecodingResult"):
        belief_perturbation_errors(ds, object())
    with pytest.raises(ValueError, match="pos_x and pos_y"):
        belief_perturbation_errors(ds, SimpleNamespace(predicted=ds[["pos_x"]]))
    other = ds[["pos_x", "pos_y"]].assign_coords(trial=ds["trial"].values + 100)
    with pytest.raises(ValueError, match="does not say which recording"):
        belief_perturbation_errors(ds, SimpleNamespace(predicted=other))


def test_results_and_twins_of_another_agent_or_noise_are_refused(pair):
    """Another agent's twin once gave kernels of 20.0 instead of 6.6 cm/s and a replay
    reward fraction of 0.39 instead of 0.63; decoding the twin instead of the run gave a
    belief slope of -0.68 instead of -0.11. Each is now refused by identity."""
    from navdecode import compensation_kernels, decode, replay_perturbation
    from navdecode.analysis.metrics import perturbation_metrics

    ds, twin = pair
    other_agent = twin.assign_attrs(agent_id="modular-seed5", agent_seed=5)
    other_noise = twin.assign_attrs(noise_seed=int(twin.attrs["noise_seed"]) + 1)
    for wrong, what in ((other_agent, "agent_id"), (other_noise, "noise_seed")):
        for analysis in (compensation_kernels, replay_perturbation):
            with pytest.raises(ValueError, match=what):
                analysis(ds, wrong)
    with pytest.raises(ValueError, match="cannot be checked"):
        compensation_kernels(_without(ds, "agent_id"), _without(twin, "agent_id"))
    decoded = decode(twin, n_splits=3, refit=False)
    with pytest.raises(ValueError, match="decoded from another recording"):
        belief_perturbation_errors(ds, decoded)
    with pytest.raises(ValueError, match="decoded from another recording"):
        perturbation_metrics(ds, edges_cm_s=(0, 1000), decoding_error=decoded.error)
    own = decode(ds, n_splits=3, refit=False)
    assert len(belief_perturbation_errors(ds, own)) > 0
    assert "decoding_error_cm" in perturbation_metrics(ds, edges_cm_s=(0, 1000),
                                                       decoding_error=own.error)


def _without(ds, key):
    out = ds.copy()
    out.attrs = {k: v for k, v in ds.attrs.items() if k != key}
    return out


def test_belief_slopes_by_hand():
    p = np.array([10.0, -20.0, 30.0, 5.0])
    e = np.array([-4.0, 11.0, -15.0, -3.0])
    frame = pd.DataFrame({"perturb_lin_integral_cm": p, "belief_error_radial_cm": e,
                          "perturb_ang_integral_deg": p, "belief_error_angle_deg": -e})
    got = belief_perturbation_slopes(frame)
    assert got["slope_lin"] == pytest.approx(np.sum(p * e) / np.sum(p * p))
    assert got["slope_ang"] == pytest.approx(-got["slope_lin"])
    assert got["r_lin"] == pytest.approx(np.corrcoef(p, e)[0, 1])
    assert got["n_trials"] == 4
    with pytest.raises(TypeError, match="DataFrame"):
        belief_perturbation_slopes(p)
    with pytest.raises(ValueError, match="missing columns"):
        belief_perturbation_slopes(frame.drop(columns="belief_error_angle_deg"))
