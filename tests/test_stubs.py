"""Type checkers and editors see every lazily loaded public name: the package's and each
folder's ``__init__.pyi`` stubs say what ``__getattr__`` returns, made from the same tables
(each folder's ``_EXPORTS``, the top level's ``_TOP``), and mypy types a user script that
calls public functions without an error.

``python tests/test_stubs.py`` rewrites the stubs from the lazy tables.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import navdecode

ROOT = Path(__file__).parents[1]
HEADER = ('"""Type stub: the names `__init__.py` loads on first use, for type checkers and '
          'editors\n(generated from its lazy table by ``python tests/test_stubs.py``)."""\n\n')


def _imports(package: str, lazy: dict[str, str], submodules: list[str],
             extra: tuple[tuple[str, str], ...] = ()) -> str:
    """One ``from M import n as n`` line per name, in ruff's (isort's) order."""
    pairs = [(m if m.startswith("navdecode") else f"{package}.{m}", n) for n, m in lazy.items()]
    pairs += [(package, n) for n in submodules] + list(extra)
    return "".join(f"from {m} import {n} as {n}\n"
                   for m, n in sorted(pairs, key=lambda p: (p[0], _ruff_order(p[1]))))


def _ruff_order(name: str) -> tuple[int, str]:
    """ruff's (isort's) order: constants, then classes, then everything else."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def _listed(names: list[str]) -> str:
    return "\n__all__ = [\n" + "".join(f'    "{n}",\n' for n in sorted(
        names, key=_ruff_order)) + "]\n"


def expected_stubs() -> dict[Path, str]:
    import importlib

    subpackages = sorted(p.name for p in (ROOT / "navdecode").iterdir()
                         if (p / "__init__.py").exists())
    top = (HEADER + _imports("navdecode", navdecode._LAZY, subpackages,
                             (("navdecode._version", "__version__"),))
           + _listed(navdecode.__all__))
    stubs = {ROOT / "navdecode" / "__init__.pyi": top}
    for folder in subpackages:
        package = importlib.import_module(f"navdecode.{folder}")
        names = {name: module for module, exported in package._EXPORTS.items()
                 for name in exported}
        stubs[ROOT / "navdecode" / folder / "__init__.pyi"] = (
            HEADER + _imports(f"navdecode.{folder}", names, sorted(package._EXPORTS))
            + _listed(package.__all__))
    return stubs


@pytest.mark.parametrize("path", list(expected_stubs()), ids=lambda p: p.parent.name)
def test_stub_matches_the_lazy_table(path):
    assert path.read_text() == expected_stubs()[path], "regenerate: python tests/test_stubs.py"


def test_every_public_name_is_in_the_stub():
    stub = (ROOT / "navdecode" / "__init__.pyi").read_text()
    for name in navdecode.__all__:
        assert f" as {name}\n" in stub, name


USER_SCRIPT = """
    import numpy as np
    import xarray as xr

    import navdecode as nd
    from navdecode.plotting import plot_trajectories

    agent: nd.Agent = nd.load_pretrained("modular", 0)
    targets: np.ndarray = nd.fixed_targets(20)
    ds: xr.Dataset = nd.run_agent(agent, targets, gain=2.0)
    result = nd.decode(ds, n_splits=4)
    error: float = result.mean_error
    similarity: float = nd.cka(ds, ds)
    metrics = nd.session_metrics(ds)
    table = nd.trial_metrics(ds)
    nd.save_dataset(ds, "rollout.nc", overwrite=True)
    again: xr.Dataset = nd.load_dataset("rollout.nc")
    fresh = nd.make_agent("holistic", seed=1)
    config = nd.TaskConfig(max_steps=40)
    ax = plot_trajectories(ds)
    print(error + similarity, metrics, len(table), again.sizes, fresh, config, ax, nd.__version__)
"""


def test_mypy_types_a_user_script_and_finds_a_wrong_call(tmp_path):
    """As a user's mypy sees the installed package (the scripts' own lines checked, the
    package's followed silently): no error in a script calling public functions, and the
    one misuse of a lazily loaded name in another (so the check can fail). One mypy run."""
    pytest.importorskip("mypy")
    script, wrong = tmp_path / "user.py", tmp_path / "wrong.py"
    script.write_text(textwrap.dedent(USER_SCRIPT))
    wrong.write_text("import navdecode as nd\n\nerror: str = nd.fixed_targets(3)\n")
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "--ignore-missing-imports",
         "--cache-dir", str(tmp_path / "cache"), "--python-version", "3.11", str(script),
         str(wrong)], capture_output=True, text=True, cwd=ROOT, check=False)
    errors = [line for line in out.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, out.stdout + out.stderr
    assert errors[0].startswith(f"{wrong}:3:")
    assert "Incompatible types in assignment" in errors[0]


if __name__ == "__main__":
    for stub_path, text in expected_stubs().items():
        stub_path.write_text(text)
        print("wrote", stub_path.relative_to(ROOT))
