"""The silent-result cases of the "every number guarded" issue, run and classified.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/guarded_cases.py`` (on another
checkout: ``PYTHONPATH=<checkout> .venv/bin/python benchmarks/guarded_cases.py``). Each case
is a misuse or degenerate input; its outcome is *guarded* (a ValueError / TypeError whose
message names what is wrong, or the correct answer where one exists), *unclear* (another
exception, or one that names nothing the user passed) or *silent* (a wrong number came
back). Prints one line per case and the counts.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import navdecode as nd

warnings.simplefilter("ignore")
TARGETS = nd.fixed_targets(40)


def _perturbed():
    from navdecode.analysis.perturbation import perturbations_of

    config = nd.TaskConfig.perturbation_task()
    runs = {}
    for seed in (0, 5):  # two agents, the same noise draws: the same trials and onsets
        agent = nd.load_pretrained("modular", seed)
        ds = nd.run_agent(agent, TARGETS, seed=0, config=config)
        twin = nd.run_agent(agent, TARGETS, seed=0, config=config,
                            perturbation=perturbations_of(ds) * [0, 0, 1])
        runs[seed] = (ds, twin)
    return runs


def _crossed(counts, value):
    cells = [("A1", "C1"), ("A1", "C5"), ("A3", "C1"), ("A3", "C5")]
    df = pd.DataFrame([(a, c, s) for (a, c), n in zip(cells, counts, strict=True)
                       for s in range(n)], columns=["actor", "critic", "seed"])
    return df.assign(v=value if np.ndim(value) else float(value))


def _constant_evidence(table):
    p = table[[c for c in table if c.endswith("_p")]].to_numpy(float)
    f = table["f"].to_numpy(float)
    return bool((p < 1).any() or (~np.isnan(f) & (f != 0)).any())  # an infinite F too


def cases():
    runs = _perturbed()
    ds, twin = runs[0]
    other_twin = runs[5][1]
    a = nd.run_agent(nd.load_pretrained("modular", 0), TARGETS, seed=0)
    b = nd.run_agent(nd.load_pretrained("modular", 1), TARGETS, seed=0)
    anonymous = [r.drop_vars(["target_x", "target_y", "gain", "trial_id"]).assign_coords(
        trial_id=("trial", [f"trial-{i}#0" for i in range(40)])) for r in (a, b)]
    labels = pd.MultiIndex.from_tuples([(k, s) for k in "ab" for s in range(4)])
    x = np.r_[np.zeros(4), np.ones(4) * 3] + np.linspace(0, 1, 8)
    matrix = pd.DataFrame(np.abs(x[:, None] - x[None]), index=labels, columns=labels)
    three = pd.DataFrame({"gain": np.repeat([1.0, 2.0, 3.0], 5), "seed": range(15),
                          "v": np.random.default_rng(0).normal(size=15)})
    trials = pd.DataFrame({"arch": np.repeat(["a", "b"], 20), "seed": np.repeat(range(8), 5),
                           "v": np.r_[np.nan, np.random.default_rng(1).normal(size=39)]})
    return {
        "compare_factorial, a constant metric (5 a cell)": (
            lambda: _constant_evidence(nd.compare_factorial(_crossed((5,) * 4, 1.0), "v",
                                                            ("actor", "critic")))),
        "compare_factorial, a constant metric (8/8/8/4)": (
            lambda: _constant_evidence(nd.compare_factorial(_crossed((8, 8, 8, 4), 1.0), "v",
                                                            ("actor", "critic")))),
        "compare_factorial, one NaN": lambda: nd.compare_factorial(
            _crossed((5,) * 4, np.r_[np.nan, np.ones(19)]), "v", ("actor", "critic")),
        "compare, a constant metric in three groups": lambda: _constant_evidence(
            nd.compare(three.assign(v=1.0, gain=three["gain"].astype(str)), "v",
                       by="gain").query("comparison == 'omnibus'")),
        "compare, numeric labels (a correct table is the answer)": lambda: not isinstance(
            nd.compare(three, "v", by="gain"), pd.DataFrame),
        "mixed_model, a NaN trial": lambda: nd.mixed_model(trials, "v"),
        "within_between_test, columns in another order": lambda: abs(
            nd.within_between_test(matrix)["within"]
            - nd.within_between_test(matrix[matrix.columns[::-1]])["within"]) > 1e-9,
        "critic_values, an untrained critic": lambda: nd.critic_values(
            nd.load_pretrained("Actor1Critic5", 1), a),
        "compensation_kernels, another agent's twin": lambda: nd.compensation_kernels(
            ds, other_twin),
        "replay_perturbation, another agent's twin": lambda: nd.replay_perturbation(
            ds, other_twin),
        "belief_perturbation_errors, the twin's decode": lambda: nd.belief_perturbation_errors(
            ds, nd.decode(twin, n_splits=3, refit=False)),
        "perturbation_metrics, another recording's errors": lambda: __import__(
            "navdecode.analysis.metrics", fromlist=["x"]).perturbation_metrics(
            ds, edges_cm_s=(0, 1000), decoding_error=nd.decode(twin, n_splits=3,
                                                               refit=False).error),
        "cka, a recording sliced from step 5": lambda: nd.cka(a.isel(step=slice(5, None)), b),
        "cka, recordings without a trial identity": lambda: nd.cka(*anonymous),
        "roc_auc(grid='paper') without the pooled radius": lambda: nd.roc_auc(a, grid="paper"),
        "roc_auc(grid='paper', max_radius_cm=2e5)": lambda: nd.roc_auc(
            a, grid="paper", max_radius_cm=2e5),
        "roc_auc(grid='paper', step_cm=0.5)": lambda: nd.roc_auc(
            a, grid="paper", max_radius_cm=300.0, step_cm=0.5),
        "the vector env, a NaN action": lambda: _env_step(np.full((4, 2), np.nan)),
        "the vector env, a flat (8,) action for 4 envs": lambda: _env_step(np.zeros(8)),
        "record(dt=-0.1) on the firefly env": lambda: nd.record(
            nd.make_agent("modular", seed=0).actor, nd.FireflyVectorEnv(num_envs=2),
            n_trials=2, dt=-0.1),
        "save_agent under a .nc name": lambda: _saved_as_nc(),
        "TrainConfig(validation_gains=(1, inf))": lambda: nd.TrainConfig(
            validation_gains=(1.0, float("inf"))),
    }


def _env_step(action):
    env = nd.FireflyVectorEnv(num_envs=4)
    env.reset(seed=0)
    return env.step(action)


def _saved_as_nc():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return nd.save_agent(nd.make_agent("modular", seed=0), Path(folder) / "agent.nc")


def main() -> None:
    counts = {"guarded": 0, "unclear": 0, "silent": 0}
    for name, run in cases().items():
        try:
            out = run()
            kind = "guarded" if out is False else "silent"  # False: a check found no harm
            detail = "the correct answer" if out is False else "a result came back"
        except (ValueError, TypeError) as err:
            text = str(err)
            # a clear refusal names the argument, the column or what differs
            named = any(w in text for w in ("must", "needs", "refus", "no trial", "cover",
                                            "decoded", "neither", "finite", "same",
                                            "max_radius_cm", "step_cm", "dt", "path",
                                            "gains", "threshold", "action"))
            kind = "guarded" if named else "unclear"
            detail = f"{type(err).__name__}: {text[:90]}"
        except Exception as err:
            kind, detail = "unclear", f"{type(err).__name__}: {str(err)[:90]}"
        counts[kind] += 1
        print(f"{kind:8s} {name}: {detail}")
    print(counts)


if __name__ == "__main__":
    main()
