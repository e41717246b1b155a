import matplotlib as mpl

mpl.use("Agg")

import re
from pathlib import Path
from types import SimpleNamespace

import gymnasium as gym
import numpy as np
import pandas as pd
import pytest
import torch

import navdecode as nd
from navdecode import compare, fixed_targets, make_agent, run_agent
from navdecode.report.render import make_report
from navdecode.report.sections.behaviour import BEHAVIOUR
from navdecode.report.sections.headline import COMPARED
from navdecode.report.sections.last_step import last_step_stop_r


def assert_paper_figures_are_named_by_their_recipes(text: str) -> None:
    """Every mention of a paper figure in the report's text is a recipe's label (the paper's
    recipe computed it, or navdecode's names the related figure and how it differs), or
    one of the sentences that name the paper's task, selection or question."""
    from navdecode.report import ANALYSES

    labels = [r.label() for a in ANALYSES.values() for r in a.recipes]
    allowed = ["the paper's selection for its figure 6e",
               "asks the paper's question of its figures 4-6"]
    rest = text
    for known in sorted(labels + allowed, key=len, reverse=True):
        rest = rest.replace(known, "")
    left = re.findall(r"[^.]*\bfig(?:ure)?s?\.? ?S?\d[^.]*", rest)
    assert not left, left


def test_report_writes_figures_tables_and_markdown(tmp_path):
    from conftest import SteeringActor

    agents = []
    for arch in ("modular", "holistic"):
        for seed in (0, 1):
            actor = SteeringActor(stop_radius=0.03 if arch == "modular" else 0.2)
            agents.append((arch, seed, actor))
    threads = torch.get_num_threads()
    path = make_report(tmp_path, agents=agents, n_trials=40, progress=False)
    assert torch.get_num_threads() == threads  # the report's one thread is not left behind
    text = path.read_text()
    assert "## Modular vs holistic" in text
    assert "## Decoding protocols and controls side by side" in text
    assert "How much of the position decoding is belief?" in text
    assert "## No-adaptation control" in text
    assert "## Perturbation task" in text
    assert "## Ideal observer" in text
    assert "The ideal observer under perturbation" in text
    for name in ("roc_curves", "decoding_controls", "no_adaptation", "ideal_observer",
                 "perturbation_reward_fraction", "perturbation_decoding_error_cm", "cka"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5_000
    perturbed = pd.read_csv(tmp_path / "perturbation.csv")
    assert len(perturbed) == 4
    # the paper's conventions beside navdecode's: figure 6e's strong trials, the told filter
    assert ((perturbed["n_strong"] > 1) & (perturbed["n_strong"] < 40)).all()
    assert perturbed["auc_strong"].between(0, 1).all()
    assert (perturbed["observer_told_error_cm"] < perturbed["observer_error_cm"]).all()
    assert "the paper's selection for its figure 6e" in text
    assert_paper_figures_are_named_by_their_recipes(text)
    # the perturbation responses: kernels against the unperturbed twin, belief slopes
    assert "### Compensation and the belief under perturbation" in text
    assert perturbed["belief_slope_lin"].notna().all()
    assert perturbed["no_adaptation_auc_paper"].between(0, 1).all()
    assert "The no-adaptation control under perturbation" in text
    kernels = pd.read_csv(tmp_path / "compensation_kernels.csv")
    assert set(kernels["group"]) == {"forward", "backward", "congruent", "incongruent"}
    assert (kernels.loc[kernels["lag_step"] == 0, "kernel"].abs() < 1e-6).all()
    assert len(kernels) == 4 * 4 * 21  # agents x groups x lags
    for name in ("compensation_linear", "compensation_angular"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5_000
    assert "## Representational similarity" in text
    assert (tmp_path / "cka.csv").exists()
    for name in ("single_trial", "reward_fraction", "time_spent", "decoding_error",
                 "decoding_over_time", "curvature", "traveled_vs_target_1x"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5_000
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    assert len(sessions) == 8
    for column in ("decoding_error_paper_cm", "decoding_shuffle_cm", "decoding_time_only_cm",
                   "auc", "decoding_r_vel_lin", "decoding_r_target_distance",
                   "decoding_r_target_angle", "decoding_r_action_ang",
                   "last_step_error_stop_r", "tuning_eta2", "tuning_eta2_max"):
        assert sessions[column].notna().all()
    assert (sessions["tuning_eta2"] <= sessions["tuning_eta2_max"]).all()
    assert "## Spatial tuning of single units" in text
    assert "bins with fewer than 5 steps left blank" in text  # read from the maps
    for arch in ("modular", "holistic"):
        assert (tmp_path / f"tuning_{arch}.png").stat().st_size > 5_000
    assert "## What else the units carry" in text
    assert "last-step error vs stop error" in text
    assert (tmp_path / "task_variable_decoding.png").stat().st_size > 5_000
    later = sessions[sessions["gain"] == 2.0]
    assert later["replay_reward_fraction"].notna().all()
    # a scripted stand-in is no navdecode architecture: no untrained copy of it exists
    assert sessions["decoding_untrained_cm"].isna().all()
    # ... and the report says so, with the reason
    skipped = pd.read_csv(tmp_path / "skipped.csv")
    assert set(skipped["analysis"]) == {"untrained-network control"}
    assert len(skipped) == 8
    assert "## Analyses not run" in text
    assert "needs a navdecode architecture" in text
    assert "## Behaviour at each gain (secondary metrics)" in text
    # 2 vs 2 seeds: 6 relabellings, two of them as extreme as any observed split
    assert "2/C(4, 2) = 0.333" in text
    assert "Significant after Holm at 0.05: none (0 of 10)" in text
    comparisons = pd.read_csv(tmp_path / "comparisons.csv")
    # two Holm families per gain: the headline's five metrics and the behaviour metrics
    families = comparisons.groupby(["gain", "family"])["metric"].apply(set)
    assert families[(1.0, "headline")] == set(COMPARED)
    assert families[(1.0, "behaviour")] == set(BEHAVIOUR)
    headline = comparisons[comparisons["family"] == "headline"]
    alone = compare(pd.read_csv(tmp_path / "sessions.csv").query("gain == 1.0"),
                    list(COMPARED), groups=("modular", "holistic"))
    np.testing.assert_allclose(headline[headline["gain"] == 1.0]["p_holm"], alone["p_holm"])
    rf = comparisons[(comparisons["metric"] == "reward_fraction") & (comparisons["gain"] == 1.0)]
    # the modular stand-in stops within 12 cm of where it believes the target is
    assert rf["diff"].iloc[0] > 0
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert (summary["n"] == 2).all()
    assert (summary["ci_low"] <= summary["mean"]).all()


def test_report_with_one_seed_of_an_architecture_skips_tests_but_keeps_cis(tmp_path):
    from conftest import SteeringActor

    agents = [("modular", seed, SteeringActor(stop_radius=0.03)) for seed in (0, 1)]
    agents.append(("holistic", 0, SteeringActor(stop_radius=0.2)))
    text = make_report(tmp_path, agents=agents, n_trials=20, gains=(1.0,), analyses=(),
                       progress=False).read_text()
    assert "## Modular vs holistic" not in text
    assert "skipped" in text
    summary = pd.read_csv(tmp_path / "summary.csv").set_index(["arch", "metric"])
    assert summary.loc[("modular", "reward_fraction"), "n"] == 2
    assert np.isfinite(summary.loc[("modular", "reward_fraction"), "ci_low"])
    assert np.isnan(summary.loc[("holistic", "reward_fraction"), "ci_low"])
    modular_row = next(line for line in text.splitlines() if line.startswith("| modular | 1x"))
    assert "[" in modular_row
    assert "mean [t 95% CI over seeds]" in text


def test_report_names_the_comparisons_that_survive_holm():
    from navdecode.report.text import significance as _significance

    rows = pd.DataFrame({"metric": ["reward_fraction", "curvature"], "gain": [2.0, 2.0],
                         "p_holm": [0.01, 0.2], "n_a": 8, "n_b": 8,
                         "permutation_exact": True})
    text = _significance(rows, COMPARED)
    assert text.startswith("Significant after Holm at 0.05: reward fraction at 2x (Holm p 0.01) "
                           "(1 of 2)")
    assert "2/C(16, 8) = 0.000155" in text
    unequal = _significance(rows.assign(n_b=3), COMPARED)
    assert "1/C(11, 8) = 0.00606" in unequal
    monte_carlo = _significance(rows.assign(n_a=12, n_b=12, permutation_exact=False), COMPARED)
    assert "C(" not in monte_carlo  # no exact floor is claimed for Monte Carlo p-values


def test_report_decodes_the_untrained_control_of_navdecode_agents(tmp_path):

    agents = [(arch, seed, make_agent(arch, seed=seed)) for arch in ("modular", "holistic")
              for seed in (0, 1)]
    make_report(tmp_path, agents=agents, n_trials=20, gains=(1.0,), progress=False,
                analyses=("controls",))
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    # these agents are untrained: their own units and their untrained copies are the same
    np.testing.assert_allclose(sessions["decoding_untrained_cm"], sessions["decoding_error_cm"],
                               rtol=1e-6)


def test_report_on_recordings_with_any_labels(tmp_path):
    from conftest import SteeringActor


    recordings = []
    for label, radius in (("slow", 0.2), ("fast", 0.03)):
        for seed in (0, 1):
            ds = run_agent(SteeringActor(stop_radius=radius), fixed_targets(30), seed=seed)
            recordings.append(ds.assign_attrs(label=label, agent_seed=seed))
    text = make_report(tmp_path, recordings=recordings, progress=False,
                       analyses=()).read_text()
    assert "## Fast vs slow" in text
    assert "| 1x | reward fraction |" in text
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    assert sorted(sessions["arch"].unique()) == ["fast", "slow"]
    assert (tmp_path / "decoding_error.png").stat().st_size > 5_000


def test_report_sections_follow_the_chosen_analyses(tmp_path):
    from conftest import SteeringActor

    from navdecode.cli import build_parser
    from navdecode.report import DEFAULT_OPTIONS, OPTIONS

    parse = build_parser().parse_args  # the CLI offers exactly the report's sections
    assert tuple(parse(["report", "--out", "x"]).analyses) == DEFAULT_OPTIONS
    assert tuple(parse(["report", "--out", "x", "--analyses", *OPTIONS]).analyses) == OPTIONS
    agents = [(arch, seed, SteeringActor(stop_radius=r)) for arch, r in
              (("modular", 0.03), ("holistic", 0.2)) for seed in (0, 1)]
    text = make_report(tmp_path, agents=agents, n_trials=20, gains=(1.0, 2.0), progress=False,
                       analyses=("replay",)).read_text()
    assert "## No-adaptation control" in text
    for absent in ("## Ideal observer", "## Perturbation task", "## Representational",
                   "How much of the position decoding is belief?"):
        assert absent not in text
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    assert "decoding_untrained_cm" not in sessions
    with pytest.raises(ValueError, match="analyses"):
        make_report(tmp_path, agents=agents, n_trials=20, analyses=("pictures",))


def test_the_report_leaves_matplotlibs_backend_alone(tmp_path):
    import matplotlib as mpl
    from conftest import SteeringActor

    before = mpl.get_backend()
    agents = [("modular", 0, SteeringActor())]
    make_report(tmp_path, agents=agents, n_trials=20, gains=(1.0,), progress=False,
                analyses=())
    assert mpl.get_backend() == before


def test_a_report_over_recordings_sharing_one_noise_seed_counts_every_network(tmp_path):
    # as `navdecode evaluate` makes them: every recording with the default noise seed 0
    targets = fixed_targets(25)
    recordings = [run_agent(make_agent(arch, seed=s), targets, seed=0)
                  for arch in ("modular", "holistic") for s in (0, 1, 2)]
    assert {ds.attrs["noise_seed"] for ds in recordings} == {0}
    make_report(tmp_path, recordings=recordings, analyses=(), progress=False)
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    assert sessions.groupby("arch")["seed"].nunique().to_dict() == {"holistic": 3,
                                                                   "modular": 3}
    assert sorted(sessions.loc[sessions["arch"] == "modular", "seed"]) == [0, 1, 2]


def test_a_report_over_three_labels_shows_the_omnibus_and_every_pair(tmp_path):
    targets = fixed_targets(20)
    recordings = []
    for label, arch in (("modular", "modular"), ("holistic", "holistic"),
                        ("hybrid", "Actor3Critic1")):
        for s in (0, 1):
            ds = run_agent(make_agent(arch, seed=s), targets, seed=0)
            recordings.append(ds.assign_attrs(label=label))
    text = make_report(tmp_path, recordings=recordings, analyses=(), progress=False).read_text()
    assert "## Headline: all labels" in text
    assert "| 1x | reward fraction | holistic, hybrid, modular |" in text
    for pair in ("holistic vs hybrid", "holistic vs modular", "hybrid vs modular"):
        assert f"| {pair} |" in text
    comparisons = pd.read_csv(tmp_path / "comparisons.csv")
    assert set(comparisons["comparison"]) == {"omnibus", "group", "pair"}


class _Reach(gym.Env):
    """A task written only for this test: reach a goal on a plane, lengths in metres, no
    gain, no reward zone; the position and goal come in ``info``."""

    def __init__(self):
        self.observation_space = gym.spaces.Box(-10.0, 10.0, (3,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if seed is not None:  # the goals follow from the first seed alone, whatever the agent
            self.goals = np.random.default_rng(seed)
        self.pos, self.t = np.zeros(2), 0
        self.goal = self.goals.uniform(-3, 3, 2)
        return self._obs(), self._info()

    def _info(self):
        return {"x": self.pos[0], "y": self.pos[1], "gx": self.goal[0], "gy": self.goal[1]}

    def _obs(self):
        return np.r_[self.goal - self.pos, self.t / 10].astype(np.float32)

    def step(self, action):
        self.t += 1
        self.pos = self.pos + 0.4 * np.asarray(action) + self.np_random.normal(0, 0.05, 2)
        done = bool(np.linalg.norm(self.goal - self.pos) < 0.3)
        return self._obs(), float(done), done, self.t >= 15, self._info()


class _GRU(torch.nn.Module):
    """A policy written only for this test: GRU -> linear -> tanh."""

    def __init__(self, n_units, seed):
        super().__init__()
        torch.manual_seed(seed)
        self.rnn = torch.nn.GRU(3, n_units)
        self.head = torch.nn.Linear(n_units, 2)

    def forward(self, x, state=None):
        out, h = self.rnn(x, state)
        return torch.tanh(self.head(out)), h


def test_a_report_on_a_foreign_task_runs_what_it_supports_and_lists_the_rest(tmp_path):
    recordings = [nd.record(_GRU(n_units, seed), _Reach(), n_trials=40, seed=0, dt=0.2,
                            label=label, agent_seed=seed,
                            info_vars={"pos_x": "x", "pos_y": "y"},
                            trial_vars={"target_x": "gx", "target_y": "gy"},
                            units={"pos_x": "m", "pos_y": "m", "target_x": "m",
                                   "target_y": "m"})
                  for label, n_units in (("small GRU", 8), ("big GRU", 24))
                  for seed in (0, 1, 2)]
    path = make_report(tmp_path, recordings=recordings, progress=False)
    text = path.read_text()
    assert "6 agents (big GRU, small GRU), 40 trials per recording (median), one condition " \
           "(the recordings hold no gain); lengths in m" in text
    assert not re.findall(r"\bcm\b", text)  # nothing claims centimetres
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    assert len(sessions) == 6
    assert "gain" not in sessions  # one condition, not a made-up gain of 1
    assert sessions.groupby("arch")["seed"].nunique().to_dict() == {"big GRU": 3, "small GRU": 3}
    for column in ("decoding_error_m", "stop_error_m", "traveled_slope", "curvature"):
        assert sessions[column].notna().all()
    assert not any(c.endswith("_cm") for c in sessions.columns)
    # two labels of three networks each: the tests run, on the metrics that exist
    comparisons = pd.read_csv(tmp_path / "comparisons.csv")
    assert set(comparisons["metric"]) >= {"decoding_error_m", "curvature", "stop_error_m"}
    assert "## Big GRU vs small GRU" in text
    # what the task does not support is listed with what it lacks
    assert "## Analyses not run" in text
    skipped = pd.read_csv(tmp_path / "skipped.csv")
    reasons = skipped.groupby("analysis")["reason"].first().to_dict()
    assert reasons["reward_fraction"] == "needs rewarded"
    assert reasons["fraction-correct AUC"].startswith("needs the firefly task")
    assert reasons["ideal observer"].startswith("needs the firefly task")
    assert reasons["untrained-network control"].startswith("needs actor_input") or \
        reasons["untrained-network control"].startswith("needs a navdecode architecture")
    per_session = skipped[skipped["arch"] != "all"]
    assert (per_session.groupby("analysis").size() == 6).all()
    assert set(skipped.loc[skipped["arch"] == "all", "analysis"]) == {"perturbation task"}
    assert "## Representational similarity" in text  # the same goals: the same trial ids
    for name in ("decoding_error", "decoding_over_time", "curvature", "cka"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5_000
    assert not (tmp_path / "single_trial.png").exists()  # the firefly figures are left out


def test_a_report_refuses_recordings_of_mixed_tasks_or_several_gains(tmp_path):
    foreign = nd.record(_GRU(8, 0), _Reach(), n_trials=10, seed=0, dt=0.2, label="gru",
                        agent_seed=0, info_vars={"pos_x": "x", "pos_y": "y"})
    firefly = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(10))
    with pytest.raises(ValueError, match="all be of the firefly task"):
        make_report(tmp_path, recordings=[foreign, firefly], progress=False)
    both = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(10),
                        gain=np.r_[np.ones(5), 2 * np.ones(5)])
    with pytest.raises(ValueError, match=r"recordings\[0\] holds trials at 2 gains"):
        make_report(tmp_path, recordings=[both], progress=False)
    with pytest.raises(ValueError, match="once"):
        make_report(tmp_path, recordings=[firefly, firefly], progress=False)


def test_every_report_figure_names_every_one_of_three_labels(tmp_path, monkeypatch):
    from conftest import SteeringActor
    from matplotlib.figure import Figure

    texts = {}
    save = Figure.savefig

    def capture(fig, path, *args, **kwargs):  # every text drawn: legends, ticks, titles
        texts[Path(path).stem] = " ".join(t.get_text() for t in fig.findobj(
            lambda a: hasattr(a, "get_text")))
        return save(fig, path, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", capture)
    agents = [(label, seed, SteeringActor(stop_radius=radius))
              for label, radius in (("tight", 0.03), ("loose", 0.2), ("middle", 0.1))
              for seed in (0, 1)]
    make_report(tmp_path, agents=agents, n_trials=20, progress=False)
    per_label = {n for n in texts if n.startswith(("trajectories_", "single_trial", "tuning_"))}
    assert {"tuning_tight", "tuning_loose", "tuning_middle"} <= per_label
    assert {"reward_fraction", "decoding_error", "decoding_over_time", "curvature",
            "roc_curves", "traveled_vs_target_1x", "decoding_controls", "no_adaptation",
            "ideal_observer", "perturbation_reward_fraction", "cka"} <= set(texts)
    for name in set(texts) - per_label:
        for label in ("tight", "loose", "middle"):
            assert label in texts[name], f"{name} does not show {label}"


def test_a_report_folder_is_written_whole_with_nothing_left_of_an_earlier_one(tmp_path):
    recordings = [run_agent(make_agent(arch, seed=s), fixed_targets(12), seed=0)
                  for arch in ("modular", "holistic") for s in (0, 1)]
    out = tmp_path / "report"
    make_report(out, recordings=recordings, analyses=("similarity",), progress=False)
    assert (out / "cka.csv").exists()
    with pytest.raises(ValueError, match="earlier report"):
        make_report(out, recordings=recordings, analyses=(), progress=False)
    make_report(out, recordings=recordings, analyses=(), progress=False, overwrite=True)
    assert not (out / "cka.csv").exists()  # no stale file of the first report
    assert not (out / "cka.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no temporaries
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a report"):
        make_report(mine, recordings=recordings, analyses=(), progress=False, overwrite=True)
    assert (mine / "notes.txt").read_text() == "mine"


def test_worker_processes_give_the_same_tables():
    """n_jobs=2 (spawned workers, one network each at a time) computes the tables that
    one process computes, for run agents (with every section) and for given recordings."""
    from navdecode.report import compute_report
    from navdecode.report.tables import FRAMES

    agents = [(a, s, nd.load_pretrained(a, s)) for a in ("modular", "holistic") for s in (0, 1)]
    # the sections that run in the workers: the per-network sessions (with the cross-gain
    # decode and the controls), the perturbation task and the CKA columns
    kwargs = {"n_trials": 12, "gains": (1.0, 2.0), "progress": False,
              "analyses": ("controls", "perturbation", "similarity")}
    one = compute_report(agents, **kwargs)
    two = compute_report(agents, n_jobs=2, **kwargs)
    assert len(one.sessions) == 8
    assert not one.perturbation.empty
    assert not one.cka.empty
    for name in (*FRAMES, "cka", "skipped"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name), obj=name)
    assert one.examples.keys() == two.examples.keys()
    recordings = [run_agent(ag, fixed_targets(12), label=a, agent_seed=s) for a, s, ag in agents]
    by_recording = [compute_report(recordings=recordings, progress=False, n_jobs=n,
                                   analyses=("similarity",)) for n in (1, 2)]
    for name in ("sessions", "cka"):
        pd.testing.assert_frame_equal(getattr(by_recording[0], name),
                                      getattr(by_recording[1], name), obj=name)
    with pytest.raises(ValueError, match="n_jobs"):
        compute_report(agents, n_jobs=0, **kwargs)


def test_the_auc_s_spread_over_shuffle_seeds_is_in_the_sessions_and_the_text(tmp_path):
    from navdecode.analysis.metrics import roc_auc

    agents = [(arch, s, make_agent(arch, seed=s)) for arch in ("modular", "holistic")
              for s in (0, 1)]
    text = make_report(tmp_path, agents=agents, n_trials=30, gains=(1.0,), progress=False,
                       analyses=()).read_text()
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    ds = run_agent(agents[0][2], fixed_targets(30), seed=0)
    want = np.std([roc_auc(ds, seed=k)[0] for k in range(1, 11)], ddof=1)
    assert sessions.loc[0, "auc_shuffle_sd"] == pytest.approx(want)
    assert "over 10 other shuffle seeds" in text


def test_three_labels_on_the_perturbation_task_get_the_k_group_family(tmp_path):
    from conftest import SteeringActor

    agents = [(label, seed, SteeringActor(stop_radius=radius))
              for label, radius in (("tight", 0.03), ("loose", 0.2), ("middle", 0.1))
              for seed in (0, 1)]
    path = make_report(tmp_path, agents=agents, n_trials=30, gains=(1.0,),
                       analyses=("perturbation",), progress=False)
    text = path.read_text()
    assert "### Perturbation task: all labels (a Holm family of its own)" in text
    omnibus = text.split("### Perturbation task: all labels")[1]
    assert "| loose, middle, tight |" in omnibus  # the omnibus row names all three
    assert "| loose vs middle |" in omnibus  # and every pair follows
    assert "### Perturbation responses: all labels (a Holm family of its own)" in text


def test_last_step_stop_r_is_pearsons_r_of_the_last_step_error_with_the_stop_error():
    class Decoded:  # what last_step_stop_r reads of a DecodingResult
        def last_step_error(self):
            return pd.Series([1.0, 2.0, 4.0, np.nan, 3.0], index=[0, 1, 2, 3, 4])

    # trials in another order, one never decoded (3), one without a stop error (4)
    trials = pd.DataFrame({"trial": [4, 3, 2, 1, 0], "stop_error_cm": [np.nan, 9, 3, 1, 2]})
    # by hand over trials 0, 1, 2: e = (1, 2, 4), d = (2, 1, 3); means 7/3 and 2;
    # sum (e - ebar)(d - dbar) = (-4/3)(0) + (-1/3)(-1) + (5/3)(1) = 2
    # sum (e - ebar)^2 = 16/9 + 1/9 + 25/9 = 42/9, sum (d - dbar)^2 = 2
    assert last_step_stop_r(Decoded(), trials) == pytest.approx(2 / np.sqrt(42 / 9 * 2))
    assert np.isnan(last_step_stop_r(Decoded(), trials.drop(columns="stop_error_cm")))
    assert np.isnan(last_step_stop_r(Decoded(), trials.assign(stop_error_cm=1.0)))


def test_four_architectures_get_the_actor_by_critic_view(tmp_path):
    from conftest import SteeringActor

    from navdecode.stats.factorial import compare_factorial

    radius = {"modular": 0.03, "Actor3Critic1": 0.05, "Actor1Critic5": 0.15, "holistic": 0.2}
    agents = [(label, seed, SteeringActor(stop_radius=r + 0.01 * seed))
              for label, r in radius.items() for seed in (0, 1)]
    path = make_report(tmp_path, agents=agents, n_trials=30, gains=(1.0,), analyses=(),
                       progress=False)
    text = path.read_text()
    assert "## Actor x critic" in text
    table = pd.read_csv(tmp_path / "factorial.csv")
    reward = table[table["metric"] == "reward_fraction"].set_index("effect")
    assert list(reward.index) == ["actor", "critic", "actor:critic"]
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    parts = {"modular": ("Actor3", "Critic5"), "holistic": ("Actor1", "Critic1"),
             "Actor1Critic5": ("Actor1", "Critic5"), "Actor3Critic1": ("Actor3", "Critic1")}
    crossed = sessions.assign(actor=sessions["arch"].map(lambda a: parts[a][0]),
                              critic=sessions["arch"].map(lambda a: parts[a][1]))
    want = compare_factorial(crossed, "reward_fraction", ("actor", "critic"),
                             n_resamples=4999).set_index("effect")
    np.testing.assert_allclose(reward["f"], want["f"], rtol=1e-9)
    np.testing.assert_allclose(reward["bootstrap_p"], want["bootstrap_p"])
    mean = sessions[sessions["arch"] == "Actor1Critic5"]["reward_fraction"].mean()
    assert reward.loc["actor", "mean_Actor1_Critic5"] == pytest.approx(mean)
    tested = table["bootstrap_p"].notna()  # a metric without spread has no test
    assert (table.loc[tested, "p_holm"] >= table.loc[tested, "bootstrap_p"]).all()


def test_two_architectures_get_no_factorial_view(tmp_path):
    from conftest import SteeringActor

    agents = [(label, seed, SteeringActor(stop_radius=r)) for label, r in
              (("modular", 0.03), ("holistic", 0.2)) for seed in (0, 1)]
    path = make_report(tmp_path, agents=agents, n_trials=20, gains=(1.0,), analyses=(),
                       progress=False)
    assert "## Actor x critic" not in path.read_text()
    assert not (tmp_path / "factorial.csv").exists()


def test_actors_with_an_mlp_get_its_layers_decoded(tmp_path):
    from navdecode.recording.rerun import mlp_units, with_units

    agents = [(arch, seed, make_agent(arch, seed=seed)) for arch in ("modular", "holistic")
              for seed in (0, 1)]
    path = make_report(tmp_path, agents=agents, n_trials=30, gains=(1.0,), analyses=(),
                       progress=False)
    assert "The actor's MLP layers after the ReLU" in path.read_text()
    sessions = pd.read_csv(tmp_path / "sessions.csv").set_index(["arch", "seed"])
    assert sessions.loc[("holistic", 0), ["decoding_error_mlp1_cm",
                                          "decoding_error_mlp2_cm"]].isna().all()
    agent = agents[1][2]
    ds = run_agent(agent, fixed_targets(30), seed=1)
    from navdecode import decode

    want = decode(with_units(ds, mlp_units(agent.actor, ds, 2), "MLP 2"), refit=False)
    assert sessions.loc[("modular", 1), "decoding_error_mlp2_cm"] == pytest.approx(
        want.mean_error)


def test_a_report_decodes_the_variables_a_user_names_on_any_task(tmp_path):
    """A GRU on a task written here: two user-named variables (one per step, one per trial)
    decoded with grouped CV, controls and the k-label statistics; what cannot run says why;
    no length column claims a unit the task did not give."""
    recordings = [nd.record(_GRU(n_units, seed), _Reach(), n_trials=40, seed=0, dt=0.2,
                            label=label, agent_seed=seed,
                            info_vars={"pos_x": "x", "pos_y": "y"},
                            trial_vars={"target_x": "gx", "target_y": "gy"})
                  for label, n_units in (("small GRU", 8), ("big GRU", 24), ("mid GRU", 16))
                  for seed in (0, 1)]
    path = make_report(tmp_path, recordings=recordings, progress=False, analyses=(),
                       targets=["pos_x", "target_y", "speed"])
    text = path.read_text()
    assert "lengths in unknown units" in text
    assert "## The variables you named" in text
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    for name in ("pos_x", "target_y"):
        for column in (f"decoding_error_{name}", f"decoding_r_{name}",
                       f"decoding_shuffle_{name}", f"decoding_time_only_{name}"):
            assert sessions[column].notna().all(), column
    assert (sessions["decoding_r_pos_x"] > 0.5).all()  # the units carry the position
    comparisons = pd.read_csv(tmp_path / "comparisons.csv")
    named = comparisons[comparisons["family"] == "variables"]
    assert {"decoding_error_pos_x", "decoding_r_target_y"} <= set(named["metric"])
    assert set(named["comparison"]) == {"omnibus", "group", "pair"}  # three labels: k-label
    skipped = pd.read_csv(tmp_path / "skipped.csv")
    speed = skipped[skipped["analysis"] == "decoding speed"]
    assert len(speed) == 6
    assert speed["reason"].str.startswith("needs speed").all()
    with pytest.raises(ValueError, match="each variable once"):
        make_report(tmp_path / "again", recordings=recordings, targets=["pos_x", "pos_x"])
    with pytest.raises(TypeError, match="targets must be a list"):
        make_report(tmp_path / "again", recordings=recordings, targets="pos_x")


def test_too_few_networks_and_no_metric_are_told_apart():
    from navdecode.report.sections.headline import _untested

    few = SimpleNamespace(sessions=pd.DataFrame({"arch": ["a", "a", "b"], "seed": [0, 1, 0]}))
    assert "networks per label here: a 2, b 1" in _untested(few)
    enough = SimpleNamespace(sessions=pd.DataFrame({"arch": list("aabb"), "seed": [0, 1] * 2}))
    assert _untested(enough).startswith("No metric the tests compare could be computed")
