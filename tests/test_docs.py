"""Every public name is documented; docstring examples run."""

import doctest
import importlib
import inspect
import pkgutil
import tempfile
from pathlib import Path

import pytest

import navdecode

PUBLIC = [n for n in navdecode.__all__ if n not in ("__version__", "ARCHITECTURES", "ENV_ID")]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_has_a_numpy_docstring(name):
    obj = getattr(navdecode, name)
    doc = inspect.getdoc(obj)
    assert doc, f"{name} has no docstring"
    assert "Examples\n--------" in doc, f"{name} has no Examples section"
    if hasattr(obj, "__dataclass_fields__"):
        return  # config dataclasses document each field with the docstring under it
    if inspect.isfunction(obj) or inspect.isclass(obj):
        target = obj.__init__ if inspect.isclass(obj) else obj
        params = [] if target is object.__init__ else [
            p for p in inspect.signature(target).parameters if p != "self"]
        if params:
            assert "Parameters\n----------" in doc, f"{name} lacks a Parameters section"


# every public module, found on disk so that a new one cannot be left out
MODULES = sorted(m.name.removeprefix("navdecode.")
                 for m in pkgutil.walk_packages(navdecode.__path__, "navdecode.")
                 if not m.name.rsplit(".", 1)[-1].startswith("_"))


# modules whose examples need an optional extra (skipped without it, as in make test-lowest)
NEEDS_EXTRA = {"recording.export": ("pynwb", "pynapple"), "analysis.dynamical_similarity": ("DSA",)}


@pytest.mark.parametrize("module", MODULES)
def test_doctests(module, tmp_path, monkeypatch):
    for package in NEEDS_EXTRA.get(module, ()):
        pytest.importorskip(package)
    # the examples write into tempfile.mkdtemp() folders: keep them under pytest's tmp_path
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    mod = importlib.import_module(f"navdecode.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_training_guide_quotes_the_measured_saturation_of_the_bundled_agent():
    from pathlib import Path

    import navdecode as nd

    agent = nd.load_pretrained("modular", 0)
    ds = nd.run_agent(agent, nd.fixed_targets(300), noise=False)
    table = nd.actor_saturation(agent, ds).set_index("component")
    guide = " ".join((Path(__file__).parents[1] / "docs" / "guides" / "training.md")
                     .read_text().split())
    lin, ang = table.loc["action_lin"], table.loc["action_ang"]
    assert (f"saturated on {lin['saturated_fraction']:.1%} of steps (mean |pre-tanh| "
            f"{lin['mean_abs_preactivation']:.2f})") in guide
    assert f"angular one on {ang['saturated_fraction']:.1%}" in guide


EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*/plot_*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_page_shows_its_code_before_its_output(path):
    """mkdocs-gallery puts a one-cell example's figure and output above its code; an
    example with two or more cells (here: a closing text cell) shows code, then output."""
    assert len(EXAMPLES) >= 18
    assert path.read_text().count("\n# %%") >= 2, f"{path.name} has one cell"
