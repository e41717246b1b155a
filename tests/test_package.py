"""The package imports light and exposes every public name."""

import subprocess
import sys

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
