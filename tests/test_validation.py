"""Every public function rejects bad input with a TypeError / ValueError naming the argument."""

import numpy as np
import pytest
import torch
from sklearn.model_selection import KFold

import navdecode as nd
from navdecode import (
    FireflyTask,
    GroupedRidgeCV,
    TaskConfig,
    count_parameters,
    fixed_targets,
    load_agent,
    load_dataset,
    make_agent,
    run_agent,
    sample_targets,
    save_agent,
    save_dataset,
)
from navdecode.analysis.decoding import decode
from navdecode.analysis.diagnostics import actor_saturation
from navdecode.analysis.metrics import (
    perturbation_metrics,
    session_metrics,
    trial_metrics,
    zero_intercept_slope,
)
from navdecode.report.render import make_report
from navdecode.stats.comparisons import compare, summarize
from navdecode.stats.coverage import validate_statistics

T = fixed_targets(4)
A = make_agent("modular", seed=0)
D = run_agent(A, fixed_targets(12))
NAN_UNITS = D.assign(hidden=D.hidden * np.nan)
EMPTY = D.isel(trial=slice(0, 0))
NO_POS = D.drop_vars("pos_x")
FLAT = D.assign(pos_x=D.pos_x.isel(step=0))
NO_DT = D.copy()
NO_DT.attrs = {k: v for k, v in D.attrs.items() if k != "task_dt"}
IN_METRES = D.assign(pos_x=D.pos_x.assign_attrs(units="m"))


def reset_task(**kwargs):
    return FireflyTask(batch_size=2).reset(**kwargs)


def step_task(action):
    task = FireflyTask(batch_size=2)
    task.reset(seed=0)
    return task.step(action)


CASES = [
    (lambda: TaskConfig(dt=0), ValueError, "dt"),
    (lambda: TaskConfig(dt="0.1"), TypeError, "dt"),
    (lambda: TaskConfig(max_steps=3.5), TypeError, "max_steps"),
    (lambda: TaskConfig(target_r_min_cm=500), ValueError, "target_r_max_cm"),
    (lambda: TaskConfig(obs_noise_std=-1), ValueError, "obs_noise_std"),
    (lambda: FireflyTask(config={}), TypeError, "config"),
    (lambda: FireflyTask(batch_size=0), ValueError, "batch_size"),
    (lambda: FireflyTask(batch_size=2.0), TypeError, "batch_size"),
    (lambda: FireflyTask(device=3), TypeError, "device"),
    (lambda: FireflyTask(device="nonsense"), ValueError, "device"),
    (lambda: FireflyTask(dtype=torch.int64), ValueError, "dtype"),
    (lambda: reset_task(seed=-1), ValueError, "seed"),
    (lambda: reset_task(seed="a"), TypeError, "seed"),
    (lambda: reset_task(options=[1]), TypeError, "options"),
    (lambda: reset_task(options={"gian": 2}), ValueError, "options"),
    (lambda: reset_task(options={"targets": np.zeros((2, 3))}), ValueError, "targets"),
    (lambda: reset_task(options={"targets": "far"}), TypeError, "targets"),
    (lambda: reset_task(options={"targets": [[np.nan, 1.0]]}), ValueError, "targets"),
    (lambda: reset_task(options={"gain": 0}), ValueError, "gain"),
    (lambda: reset_task(options={"gain": "2x"}), TypeError, "gain"),
    (lambda: reset_task(options={"gain": [1, 2, 3]}), ValueError, "gain"),
    (lambda: step_task(np.zeros((2, 2))), TypeError, "action"),
    (lambda: step_task(torch.zeros(3, 2)), ValueError, "action"),
    (lambda: FireflyTask().step(torch.zeros(1, 2)), RuntimeError, "reset"),
    (lambda: sample_targets(0), ValueError, "n"),
    (lambda: sample_targets(5, config="x"), TypeError, "config"),
    (lambda: fixed_targets(5, seed=1.5), TypeError, "seed"),
    (lambda: make_agent("hybrid"), ValueError, "arch"),
    (lambda: make_agent(3), TypeError, "arch"),
    (lambda: make_agent("modular", seed=-2), ValueError, "seed"),
    (lambda: count_parameters("actor"), TypeError, "module"),
    (lambda: count_parameters(A, convention="paper"), ValueError, "convention"),
    (lambda: save_agent(A.actor, "x.pt"), TypeError, "agent"),
    (lambda: save_agent(A, 5), TypeError, "path"),
    (lambda: save_agent(A, "x.pt", format="onnx"), ValueError, "format"),
    (lambda: save_agent(A, "x.pt", metadata={"a": [1]}), TypeError, "metadata"),
    (lambda: load_agent(7), TypeError, "path"),
    (lambda: load_agent("does-not-exist.pt"), ValueError, "does-not-exist"),
    (lambda: load_agent("x.pt", arch="hybrid"), ValueError, "arch"),
    (lambda: run_agent("agent", T), TypeError, "agent"),
    (lambda: run_agent(A, T[:, :1]), ValueError, "targets"),
    (lambda: run_agent(A, np.empty((0, 2))), ValueError, "targets"),
    (lambda: run_agent(A, T, gain=-1), ValueError, "gain"),
    (lambda: run_agent(A, T, seed=0.5), TypeError, "seed"),
    (lambda: run_agent(A, T, noise="no"), TypeError, "noise"),
    (lambda: run_agent(A, T, config=TaskConfig), TypeError, "config"),
    (lambda: save_dataset({"a": 1}, "x.nc"), TypeError, "ds"),
    (lambda: save_dataset(run_agent(A, T[:1]), "x.csv"), ValueError, "format"),
    (lambda: save_dataset(run_agent(A, T[:1]), "x.nc", format="hdf"), ValueError, "format"),
    (lambda: load_dataset("nothing-here.nc"), ValueError, "nothing-here"),
    (lambda: decode("ds"), TypeError, "ds"),
    (lambda: decode(NO_POS), ValueError, "pos_x"),
    (lambda: decode(EMPTY), ValueError, "no trials"),
    (lambda: decode(NAN_UNITS), ValueError, "no unit with finite values"),
    (lambda: decode(FLAT), ValueError, "dims"),
    (lambda: decode(D, features="pos_x"), ValueError, "dims"),
    (lambda: decode(D, targets=()), TypeError, "targets"),
    (lambda: decode(D, protocol="70/30"), ValueError, "protocol"),
    (lambda: decode(D, n_splits=1), ValueError, "n_splits"),
    (lambda: decode(D, shuffle="yes"), TypeError, "shuffle"),
    (lambda: decode(D, estimator="ridge"), TypeError, "estimator"),
    (lambda: decode(D, cv="five"), TypeError, "cv"),
    (lambda: decode(D, cv=KFold(3, shuffle=True)), ValueError, "both sides"),
    (lambda: decode(D, control="random"), ValueError, "control"),
    (lambda: decode(D, control="time", shuffle=True), ValueError, "shuffle"),
    (lambda: decode(D, protocol="paper", cv=3), ValueError, "cv"),
    (lambda: decode(D, test_ds=D.isel(unit=slice(0, 64))), ValueError, "same units"),
    (lambda: decode(D, test_ds=D.assign_coords(unit=np.arange(128) + 1)), ValueError,
     "same units"),
    (lambda: decode(D.assign_attrs(arch="mine"), control="untrained"), ValueError, "actor="),
    (lambda: GroupedRidgeCV(alphas=[1.0, np.nan]).fit(np.eye(4), np.ones(4)), ValueError,
     "alphas"),
    (lambda: GroupedRidgeCV(alphas=[1.0, np.inf]).fit(np.eye(4), np.ones(4)), ValueError,
     "alphas"),
    (lambda: decode(D, test_ds=NO_POS), ValueError, "test_ds"),
    (lambda: trial_metrics({"pos_x": 1}), TypeError, "ds"),
    (lambda: trial_metrics(NO_POS), ValueError, "pos_x"),
    (lambda: trial_metrics(EMPTY), ValueError, "no trials"),
    (lambda: session_metrics(EMPTY), ValueError, "no trials"),
    (lambda: trial_metrics(D.isel(step=slice(0, 5))), ValueError, "sliced along 'step'"),
    (lambda: trial_metrics(D.transpose("step", "trial", ...)), ValueError, "dims"),
    (lambda: trial_metrics(D.assign_coords(n_steps=D.n_steps.astype(float))), TypeError,
     "n_steps"),
    (lambda: trial_metrics(IN_METRES), ValueError, "pos_x.*cm"),
    (lambda: session_metrics(NO_DT), ValueError, "task_dt"),
    (lambda: zero_intercept_slope([1.0, 2.0], [1.0]), ValueError, "same length"),
    (lambda: zero_intercept_slope([0.0, 0.0], [1.0, 2.0]), ValueError, "non-zero"),
    (lambda: compare("table", "x"), TypeError, "df"),
    (lambda: summarize("table", "x"), TypeError, "df"),
    (lambda: make_report("out", agents=[], n_trials=5), ValueError, "n_trials"),
    (lambda: make_report(5, agents=[]), TypeError, "out_dir"),
    (lambda: make_report("out", agents=[], n_threads=0), ValueError, "n_threads"),
    (lambda: actor_saturation("actor", D), TypeError, "actor"),
    (lambda: actor_saturation(A, D.drop_vars("actor_input")), ValueError, "actor_input"),
    (lambda: actor_saturation(A, EMPTY), ValueError, "no trials"),
    (lambda: actor_saturation(A, D, threshold=-1.0), ValueError, "threshold"),
    # the functions added by issues 13-15, each refusing bad input by name
    (lambda: nd.roc_auc(D.drop_vars("stop_x")), ValueError, "roc_auc"),
    (lambda: nd.roc_auc(D, step_cm=0), ValueError, "step_cm"),
    (lambda: nd.replay_actions(D.drop_vars("action_lin")), ValueError, "replay_actions"),
    (lambda: nd.replay_actions(D, config={"dt": 0.1}), TypeError, "config"),
    (lambda: nd.ideal_observer(D.drop_vars("actor_input")), ValueError, "ideal_observer"),
    (lambda: nd.ideal_observer(D, config="task"), TypeError, "config"),
    (lambda: nd.cka("ds", D), TypeError, "ds_a"),
    (lambda: nd.cka(D, D.isel(trial=slice(0, 3))), ValueError, "same trials"),
    (lambda: nd.procrustes_distance(D, D, features="pos_x"), ValueError, "dims"),
    (lambda: nd.similarity_matrix([D]), ValueError, "at least 2"),
    (lambda: nd.similarity_matrix([D, D], metric="rsa"), ValueError, "metric"),
    (lambda: perturbation_metrics(D), ValueError, "perturbation_metrics"),
    (lambda: nd.check_recording(D, "no such analysis"), ValueError, "needs"),
    (lambda: nd.check_recording(D.drop_vars("pos_x"), "trial_metrics"), ValueError,
     "trial_metrics needs"),
    (lambda: nd.stack_recordings([]), ValueError, "at least one"),
    (lambda: nd.stack_recordings("recordings"), TypeError, "recordings"),
    (lambda: nd.record("policy", nd.FireflyVectorEnv(num_envs=2), 2), TypeError, "policy"),
    (lambda: nd.record(A.actor, nd.FireflyVectorEnv(num_envs=2), 0), ValueError, "n_trials"),
    (lambda: nd.record(A.actor, "env", 2), TypeError, "env"),
    (lambda: nd.FireflyVectorEnv(num_envs=0), ValueError, "num_envs"),
    (lambda: nd.FireflyEnv(noise="off"), TypeError, "noise"),
    (lambda: TaskConfig.perturbation_task(perturb_lin_range_cm_s=(5.0, -5.0)), ValueError,
     "perturb_lin_range_cm_s"),
    (lambda: nd.mean_ci([1.0]), ValueError, "at least 2"),
    (lambda: nd.welch_ci([1.0, 2.0], [np.nan, 1.0]), ValueError, "b must be finite"),
    (lambda: validate_statistics(sizes=(1,), progress=False), ValueError, "sizes"),
    (lambda: validate_statistics(distributions=("cauchy",), progress=False), ValueError,
     "distributions"),
    (lambda: nd.untrained_recording(D.assign_attrs(arch="mine")), ValueError, "actor="),
    (lambda: nd.sweep(["modular"], [0], "runs", n_workers=-1), ValueError, "n_workers"),
    (lambda: nd.sweep(["modular"], [0], "runs", n_workers=1.5), TypeError, "n_workers"),
]


@pytest.mark.parametrize(("call", "error", "match"), CASES,
                         ids=[f"{i}-{c[2]}" for i, c in enumerate(CASES)])
def test_bad_input_is_rejected_with_a_named_error(call, error, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=match):
        call()
    assert list(tmp_path.iterdir()) == []  # nothing was written
