import numpy as np
import pandas as pd
import pytest

import navdecode.report.sections.dynamics as dynamics
from navdecode import fixed_targets, make_agent, run_agent
from navdecode.report.render import make_report

pytest.importorskip("DSA")


def test_the_dynamics_section_on_run_agents_has_its_tables_figures_and_tests(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setattr(dynamics, "N_ITER", 100)  # the section's wiring, not the search
    agents = [(arch, s, make_agent(arch, seed=s)) for arch in ("modular", "holistic")
              for s in (0, 1)]
    text = make_report(tmp_path, agents=agents, n_trials=40, gains=(1.0,), progress=False,
                       analyses=("similarity", "dynamics")).read_text()
    for heading in ("## Dynamics", "### Fixed points at rest",
                    "### Dynamical similarity (DSA)"):
        assert heading in text
    points = pd.read_csv(tmp_path / "dynamics.csv")
    assert len(points) == 4
    assert set(dynamics.DYNAMICS) <= set(points.columns)
    assert (points["n_points"] >= 1).all()
    dsa = pd.read_csv(tmp_path / "dsa.csv", index_col=[0, 1], header=[0, 1])
    assert dsa.shape == (4, 4)
    np.testing.assert_array_equal(np.diag(dsa.values), 0.0)
    tests = pd.read_csv(tmp_path / "similarity_tests.csv")
    assert sorted(tests["measure"]) == ["CKA", "DSA"]
    assert tests["permutation_p"].between(0, 1).all()
    for figure in ("dsa.png", "fixed_points_modular.png", "fixed_points_holistic.png"):
        assert (tmp_path / figure).stat().st_size > 5_000
    assert "permutation p" in text.split("### Dynamical similarity (DSA)")[1]


def test_recordings_get_dsa_and_say_why_fixed_points_are_skipped(tmp_path):
    t = fixed_targets(40)
    recordings = [run_agent(make_agent(arch, seed=s), t) for arch in ("modular", "holistic")
                  for s in (0, 1)]
    make_report(tmp_path, recordings=recordings, progress=False, analyses=("dynamics",))
    skipped = pd.read_csv(tmp_path / "skipped.csv")
    reasons = skipped.loc[skipped["analysis"] == "fixed points", "reason"]
    assert len(reasons) == 4
    assert (reasons == "needs agents to run (not recordings)").all()
    assert (tmp_path / "dsa.csv").exists()
    assert not (tmp_path / "dynamics.csv").exists()


def test_the_default_report_runs_no_dynamics(tmp_path):
    from navdecode.report import DEFAULT_OPTIONS as DEFAULT_ANALYSES

    assert "dynamics" not in DEFAULT_ANALYSES

