"""Nothing silent: every case of the bad-input trial that used to give a plausible wrong
number, drop something unannounced or fail with a traceback from deep inside a library."""

import json

import gymnasium as gym
import numpy as np
import pandas as pd
import pytest
import torch
from gymnasium import spaces
from torch import nn

import navdecode as nd
from navdecode.cli import main


class Plane(gym.Env):
    """Two-dimensional drift, position in info."""

    def __init__(self):
        self.observation_space = spaces.Box(-10.0, 10.0, (2,), np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.pos, self.t = np.zeros(2), 0
        return self.pos.astype(np.float32), {"x": 0.0, "y": 0.0}

    def step(self, action):
        self.t += 1
        self.pos = self.pos + 0.3 * np.asarray(action, dtype=float)
        return self.pos.astype(np.float32), 0.0, False, self.t >= 6, {"x": self.pos[0],
                                                                        "y": self.pos[1]}


class LSTMPolicy(nn.Module):
    """obs (1, B, 2) -> action (1, B, 2); the state as `kind` ("tuple" or "list")."""

    def __init__(self, kind="tuple", nan_at=None, flat=False):
        super().__init__()
        torch.manual_seed(0)
        self.rnn, self.head = nn.LSTM(2, 4), nn.Linear(4, 2)
        self.kind, self.nan_at, self.flat, self.t = kind, nan_at, flat, 0

    def forward(self, x, state=None):
        out, (h, c) = self.rnn(x, None if state is None else tuple(state))
        action = torch.tanh(self.head(out))
        self.t += 1
        if self.nan_at is not None and self.t == self.nan_at:
            action = action.clone()
            action[0, 0, 0] = float("nan")
        if self.flat:
            action = action.reshape(-1)  # (B * 2,): one flat vector for all envs
        return action, [h, c] if self.kind == "list" else (h, c)


def test_a_nan_action_is_refused_naming_the_trial_and_step():
    with pytest.raises(ValueError, match=r"non-finite action .*trial 0 step 2"):
        nd.record(LSTMPolicy(nan_at=3), Plane(), n_trials=2)


def test_a_flat_action_vector_for_several_envs_is_refused_not_reshaped():
    envs = gym.vector.SyncVectorEnv([Plane for _ in range(4)])
    with pytest.raises(ValueError, match=r"shape \(8,\) for 4 envs"):
        nd.record(LSTMPolicy(flat=True), envs, n_trials=4)


def test_a_policy_returning_its_state_as_a_list_records_it():
    ds = nd.record(LSTMPolicy(kind="list"), Plane(), n_trials=2,
                   info_vars={"pos_x": "x", "pos_y": "y"})
    assert {"hidden", "cell"} <= set(ds.data_vars)
    assert ds.sizes["unit"] == 4


def test_a_policy_state_of_another_kind_is_a_clear_error():
    class DictState(LSTMPolicy):
        def forward(self, x, state=None):
            action, _ = super().forward(x, None)
            return action, {"h": 1}

    with pytest.raises(TypeError, match="recurrent state as dict"):
        nd.record(DictState(), Plane(), n_trials=1)


@pytest.mark.parametrize("targets", [nd.fixed_targets(20) / 100,  # metres, not cm
                                     np.zeros((3, 2)),  # at the start
                                     np.array([[0.0, -200.0]]),  # behind the start
                                     np.array([[0.0, 5000.0]])],  # 50 m away
                         ids=["metres", "origin", "behind", "50m"])
def test_targets_the_task_never_draws_are_refused(targets):
    agent = nd.make_agent("modular", seed=0)
    with pytest.raises(ValueError, match="outside the task's target range"):
        nd.run_agent(agent, targets)
    ds = nd.run_agent(agent, targets, allow_out_of_range=True)  # when asked, they run
    assert ds.sizes["trial"] == len(targets)


def test_roc_auc_refuses_steps_that_hang_or_mean_nothing():
    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(20))
    with pytest.raises(ValueError, match="radii"):
        nd.roc_auc(ds, step_cm=1e-6)
    with pytest.raises(ValueError, match="too coarse"):
        nd.roc_auc(ds, step_cm=1000)


def test_perturbation_metrics_leaves_no_trial_out_of_its_bins():
    from navdecode.analysis.metrics import perturbation_metrics

    env = nd.FireflyVectorEnv(num_envs=60, config=nd.TaskConfig.perturbation_task(large=True))
    ds = nd.record(nd.make_agent("modular", seed=0), env, n_trials=60)
    with pytest.raises(ValueError, match="outside edges_cm_s"):
        perturbation_metrics(ds)
    table = perturbation_metrics(ds, edges_cm_s=tuple(range(0, 850, 100)))
    assert table["n_trials"].sum() == 60


def test_decode_says_which_units_it_leaves_out_and_refuses_ignored_settings():
    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(30))
    hidden = ds["hidden"].values.copy()
    hidden[0, 0, 5] = np.nan
    with pytest.warns(RuntimeWarning, match=r"left out 1 of 128 hidden units .*\[5\]"):
        result = nd.decode(ds.assign(hidden=(ds.hidden.dims, hidden)), n_splits=3)
    assert result.attrs["n_units"] == 127
    other = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(30), gain=2.0)
    with pytest.raises(ValueError, match="cv and protocol do not apply"):
        nd.decode(ds, test_ds=other, protocol="tutorial")
    with pytest.raises(ValueError, match="cv and protocol do not apply"):
        nd.decode(ds, test_ds=other, cv=3)


def test_summarize_refuses_a_nan_seed_unless_told_and_then_counts_it():
    df = pd.DataFrame({"arch": ["m"] * 5, "seed": range(5), "v": [1.0, 2, np.nan, 4, 5]})
    with pytest.raises(ValueError, match=r"NaN for seeds \[2\]"):
        nd.summarize(df, "v")
    row = nd.summarize(df, "v", skip_missing=True).iloc[0]
    assert (row["n"], row["n_missing"]) == (4, 1)


def test_trial_metrics_names_the_duration_it_cannot_compute():
    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(5))
    ds.attrs = {k: v for k, v in ds.attrs.items() if not k.startswith("task_")}
    table = nd.trial_metrics(ds)
    assert "duration_s" not in table
    assert "duration_s" in table.attrs["left_out"]


def test_training_settings_that_can_never_update_are_refused():
    with pytest.raises(ValueError, match="no update would ever run"):
        nd.TrainConfig(memory_size=1, learning_starts=1000)
    with pytest.raises(ValueError, match="batch_size"):
        nd.TrainConfig(memory_size=8, batch_size=16, learning_starts=8)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_evaluate_on_cuda_without_cuda_is_a_one_line_error(tmp_path, capsys):
    code = main(["evaluate", "--arch", "modular", "--untrained", "--n-trials", "5",
                 "--device", "cuda", "--out", str(tmp_path / "x.nc")])
    assert code == 2
    err = capsys.readouterr().err
    assert "device='cuda' but this torch has no CUDA device" in err
    assert "Traceback" not in err


def test_an_out_path_under_a_file_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    code = main(["evaluate", "--arch", "modular", "--untrained", "--n-trials", "5",
                 "--out", str(tmp_path / "afile" / "x.nc")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("navdecode evaluate: error: cannot write or read")


def test_an_invalid_gain_is_named_without_printing_every_trial(tmp_path, capsys):
    assert main(["evaluate", "--arch", "modular", "--untrained", "--n-trials", "1000",
                 "--gain", "-1", "--out", str(tmp_path / "never.nc")]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "1000 of 1000 that are not (e.g. -1.0)" in err
    assert len(err) < 200


def test_ctrl_c_says_how_to_go_on(monkeypatch, capsys):
    import navdecode.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["sweep"].set_defaults(func=interrupted)
    assert main(["sweep", "--archs", "modular", "--seeds", "0", "--out", "runs"]) == 130
    assert "each run resumes from its last state" in capsys.readouterr().err


def test_status_names_a_malformed_config_and_still_shows_the_other_runs(tmp_path, capsys):
    good, bad = tmp_path / "good", tmp_path / "bad"
    for folder in (good, bad):
        folder.mkdir()
    (good / "config.json").write_text(json.dumps({"train": {"arch": "modular", "seed": 0}}))
    (bad / "config.json").write_text("{not json")
    assert main(["status", str(good), str(bad)]) == 0
    out, err = capsys.readouterr()
    assert "good" in out
    assert "config.json' is not valid JSON" in err


def test_labels_with_path_separators_make_safe_figure_names(tmp_path):
    recordings = []
    for label in ("runs/modular", "holistic"):
        for s in (0, 1):
            ds = nd.run_agent(nd.make_agent(label.split("/")[-1], seed=s), nd.fixed_targets(20))
            recordings.append(ds.assign_attrs(label=label))
    path = nd.make_report(tmp_path / "r", recordings=recordings, analyses=(), progress=False)
    assert (tmp_path / "r" / "trajectories_runs_modular_1x.png").exists()
    assert "](trajectories_runs_modular_1x.png)" in path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_recording_of_an_unseeded_network_says_agent_seed_minus_one():
    ds = nd.record(LSTMPolicy(), Plane(), n_trials=1)
    assert ds.attrs["agent_seed"] == -1  # the schema's "unknown", never left out
    assert ds.attrs["noise_seed"] == 0
