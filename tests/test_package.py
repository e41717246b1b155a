"""The package imports light and exposes every public name."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import navdecode

HEAVY = ("matplotlib", "seaborn", "statsmodels", "dask", "distributed", "sklearn", "scipy",
         "zarr", "stable_baselines3", "sb3_contrib")


def test_import_navdecode_loads_no_heavy_analysis_module():
    code = ("import sys, navdecode; heavy = " + repr(HEAVY) + "; "
            "print(','.join(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_every_public_name_resolves_and_names_that_are_modules_stay_functions():
    import importlib

    for name in navdecode.__all__:
        assert getattr(navdecode, name) is not None
    # the modules that define record, sweep and train must not rebind the package's names
    for module in ("recording.recorder", "training.sweeps", "training.loop"):
        importlib.import_module(f"navdecode.{module}")
    for name in ("record", "sweep", "train"):
        assert callable(getattr(navdecode, name)), name
    assert "decode" in dir(navdecode)
    assert callable(navdecode.plotting.plot_trial)  # subpackages are attributes too


def test_every_public_name_comes_from_the_module_the_package_names():
    for name, module in navdecode._LAZY.items():
        value = getattr(navdecode, name)
        if hasattr(value, "__module__") and not isinstance(value, (str, tuple)):
            assert value.__module__ == module, name


def test_the_environment_is_registered_on_import():
    import gymnasium as gym

    assert navdecode.ENV_ID in gym.registry


def test_optional_extras_are_named_when_missing(monkeypatch, tmp_path):
    import importlib.util

    import pytest

    real = importlib.util.find_spec

    def without(name, *args):
        return None if name in ("zarr", "distributed") else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without)
    ds = navdecode.run_agent(navdecode.make_agent("modular"), navdecode.fixed_targets(3))
    with pytest.raises(ModuleNotFoundError, match=r"navdecode\[zarr\]"):
        navdecode.save_dataset(ds, tmp_path / "x.zarr")
    with pytest.raises(ModuleNotFoundError, match=r"navdecode\[sweep\]"):
        navdecode.sweep(["modular"], [0], tmp_path)


FOLDERS = sorted(p.parent.name for p in Path(navdecode.__file__).parent.glob("*/__init__.py"))


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_exports_every_public_name_of_its_modules_and_loads_none(folder):
    """A folder's table (``_EXPORTS``) is its modules' ``__all__``, one list: ``from
    navdecode.<folder> import <name>`` works for every public name, and importing the folder
    imports none of its modules beyond what ``import navdecode`` does (it registers the
    gymnasium environments)."""
    import importlib

    package = importlib.import_module(f"navdecode.{folder}")
    for module, names in package._EXPORTS.items():
        defined = importlib.import_module(f"navdecode.{folder}.{module}").__all__
        assert sorted(names) == sorted(defined), f"{folder}.{module}"
        for name in names:
            assert getattr(package, name) is getattr(
                importlib.import_module(f"navdecode.{folder}.{module}"), name)
    modules = {p.stem for p in Path(package.__file__).parent.glob("*.py")} - {"__init__"}
    assert modules <= set(package._EXPORTS), modules - set(package._EXPORTS)
    loaded = {}
    for target in ("navdecode", f"navdecode.{folder}"):
        code = (f"import sys, {target}; print(sorted(m for m in sys.modules "
                f"if m.startswith('navdecode.{folder}.')))")
        loaded[target] = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                        text=True, check=True).stdout
    assert loaded[f"navdecode.{folder}"] == loaded["navdecode"]


def test_the_top_level_takes_its_names_from_the_folders():
    from navdecode._exports import where

    for folder, names in navdecode._TOP.items():
        table = where(getattr(navdecode, folder)._EXPORTS)
        assert set(names) <= set(table), set(names) - set(table)
    assert sorted(navdecode.__all__) == sorted([*navdecode._LAZY, "__version__"])
    with pytest.raises(ValueError, match="exported by both"):
        where({"a": ("x",), "b": ("x",)})


def test_the_gallery_imports_only_from_a_folder_or_the_top_level():
    examples = Path(navdecode.__file__).parents[1] / "examples"
    deep = [f"{p.name}: {line.strip()}" for p in sorted(examples.rglob("*.py"))
            for line in p.read_text().splitlines()
            if re.match(r"\s*(from|import) navdecode\.\w+\.\w+", line)]
    assert not deep, deep
