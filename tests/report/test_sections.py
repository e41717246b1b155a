"""Each report analysis on its own, on small recordings: what it declares is what it writes,
and what it calls a paper figure is computed with the paper's recipe."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import navdecode as nd
from navdecode.report import ANALYSES, OPTIONS, Recipe, catalogue
from navdecode.report.compute import chosen
from navdecode.report.session import Network, Part, Session

KEY = ("arch", "seed", "gain")
REPORT = Path(nd.__file__).parent / "report"


@pytest.fixture(scope="module")
def recordings():
    agent = nd.load_pretrained("modular", 0)
    targets = nd.fixed_targets(24)
    net = Network("modular", 0, agent, [(1.0, None), (2.0, None)], frozenset({1.0}))
    first = nd.run_agent(agent, targets, gain=1.0, seed=0)
    return net, first, nd.run_agent(agent, targets, gain=2.0, seed=0)


def _written(analysis, net, ds, first, tmp_path):
    """The sessions columns `analysis` adds (after the behaviour analysis it may read)."""
    behaviour = ANALYSES["behaviour"]
    session = Session(ds, {"arch": net.arch, "seed": net.seed, "gain": 2.0 if first is not None
                           else 1.0}, net, first, (behaviour, analysis),
                      {"has_gain": True, "firefly": True, "length_unit": "cm",
                       "targets": ("heading",)}, Part(),
                      tmp_path, False, row={})
    behaviour.session(session)
    before = set(session.row)
    if analysis is not behaviour:
        analysis.session(session)
    return set(session.row) - before if analysis is not behaviour else before, session


WITH_SESSION_COLUMNS = [a for a in ANALYSES.values() if a.session and "sessions" in a.columns]


@pytest.mark.parametrize("analysis", WITH_SESSION_COLUMNS, ids=lambda a: a.name)
def test_each_analysis_writes_exactly_the_sessions_columns_it_declares(analysis, recordings,
                                                                       tmp_path):
    net, first, later = recordings
    needs_first = analysis.name in ("cross", "replay")
    written, session = _written(analysis, net, later if needs_first else first,
                                first if needs_first else None, tmp_path)
    declared = {c.replace("<name>", "heading") for c in analysis.column_names("sessions")}
    assert written == declared, analysis.name
    assert not session.part.skipped, session.part.skipped


def test_the_behaviour_analysis_declares_the_trials_table(recordings, tmp_path):
    net, first, _ = recordings
    _, session = _written(ANALYSES["behaviour"], net, first, None, tmp_path)
    assert list(session.part.trials[0].columns) == list(
        ANALYSES["behaviour"].column_names("trials"))


def test_the_perturbation_analyses_declare_their_tables(tmp_path):
    from navdecode.report.sections.perturbation import _perturbed

    agent = ("modular", 0, nd.load_pretrained("modular", 0))
    row, bins, _ = _perturbed(agent, nd.fixed_targets(24), 1.0, observer=True)
    assert list(row) == list(ANALYSES["perturbation"].column_names("perturbation"))
    assert set(ANALYSES["responses"].column_names("perturbation")) <= set(row)
    assert list(bins.columns) == list(ANALYSES["perturbation"].column_names(
        "perturbation_bins"))


def test_the_factorial_analysis_declares_its_table():
    from navdecode.report.sections.factorial import factorial_table

    rng = np.random.default_rng(0)
    rows = [{"arch": a, "seed": s, "gain": 1.0, "score": rng.normal()}
            for a in ("modular", "holistic", "Actor1Critic5", "Actor3Critic1") for s in range(3)]
    table = factorial_table(pd.DataFrame(rows), ["score"], [1.0])
    cells = {c for c in table.columns if c.startswith("mean_")}
    assert set(table.columns) - cells == set(ANALYSES["factorial"].column_names("factorial"))


def _strings(tree: ast.AST) -> list[str]:
    """String constants of a module that are not docstrings or the argument names given to
    the input checks (``check_int(n_trials, "n_trials")``)."""
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)
            and isinstance(n.value, ast.Constant)}
    docs |= {id(a) for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "id", "").startswith("check_") for a in n.args}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and id(n) not in docs]


def test_a_column_name_is_spelled_in_one_module_only():
    """The analyses' own columns (the per-network tables) are spelled once: other modules
    import the owner's name for it."""
    declared = {c.name for a in ANALYSES.values() for frame in ("sessions", "perturbation",
                                                                "dynamics")
                for c in a.columns.get(frame, ())} - set(KEY)
    where: dict[str, set[str]] = {}
    for path in REPORT.rglob("*.py"):
        for value in _strings(ast.parse(path.read_text())):
            if value in declared:
                where.setdefault(value, set()).add(str(path.relative_to(REPORT)))
    shared = {name: sorted(files) for name, files in where.items() if len(files) > 1}
    assert not shared, shared


def test_a_caught_shared_column_name_would_fail(tmp_path):
    """The check above reads string constants: a second spelling is found."""
    code = ('"""decoding_error_cm"""\nA = "decoding_error_cm"\ndef f():\n'
            '    return {"decoding_error_cm": 1}\n')
    assert _strings(ast.parse(code)).count("decoding_error_cm") == 2  # not the docstring


def test_only_the_papers_recipe_may_name_a_paper_figure():
    with pytest.raises(ValueError, match="only the paper's recipe"):
        Recipe("navdecode", "grouped CV", paper_figure="6g")
    with pytest.raises(ValueError, match="go together"):
        Recipe("navdecode", "grouped CV", related_figure="6g")
    label = Recipe("navdecode", "grouped CV", related_figure="6g", differs="70/30").label()
    assert label == ("navdecode's recipe; the paper's figure 6g shows a related quantity "
                     "(70/30)")
    assert Recipe("paper", "70/30", paper_figure="6g").label().startswith("the paper's figure")


def test_the_registry_names_every_option_and_every_analysis_once():
    assert len(ANALYSES) == len({a.name for a in ANALYSES.values()})
    assert set(OPTIONS) == {a.option for a in ANALYSES.values()} - {None}
    assert [a.name for a in chosen(())] == [a.name for a in ANALYSES.values()
                                           if a.option is None]
    with pytest.raises(ValueError, match="analyses must be among"):
        chosen(("pictures",))
    rows = catalogue()
    assert {r["analysis"] for r in rows} == set(ANALYSES)
    assert all(r["how"] and r["label"] for r in rows)


def test_every_figure_an_analysis_draws_is_a_plotting_function():
    """The figures name their function as a string (drawn in worker processes): each one
    resolves in navdecode.plotting."""
    import navdecode.plotting as plotting

    named = set()
    for path in (REPORT / "sections").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "FigureSpec":
                plot = node.args[1] if len(node.args) > 1 else None
                if isinstance(plot, ast.Constant):
                    named.add(plot.value)
    assert len(named) >= 15
    missing = [name for name in sorted(named) if not callable(getattr(plotting, name, None))]
    assert not missing, missing
