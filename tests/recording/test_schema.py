"""The recording schema: building, checking, stacking, saving; run_agent's output fixed."""

import importlib.util
import json

import numpy as np
import pytest
import xarray as xr
from conftest import needs_zarr

import navdecode as nd
from navdecode.recording.schema import (
    ANALYSES,
    STEP_VARIABLES,
    TRIAL_COORDS,
    check_recording,
    stack_recordings,
)
from navdecode.recording.store import load_dataset, save_dataset

# Fixed with the code before the schema refactor (commit 911c19c): for the bundled seed-0
# agents on fixed_targets(50) at seed 0, sums of pos_x, pos_y, hidden, cell, rewarded
# count, summed n_steps, stop_x of trial 7 and hidden[3, 5, 17].
BEFORE = {
    ("modular", 1.0): (-2236.927734375, 77918.265625, -115.71783447265625, -214.9745330810547,
                       49, 699, -21.812307357788086, 0.03536205366253853),
    ("modular", 2.0): (-1105.33544921875, 65507.5859375, -152.54727172851562,
                       -316.0860290527344, 43, 488, -40.805572509765625, 0.08894690126180649),
    ("holistic", 1.0): (-9855.693359375, 123842.953125, -600.5521240234375, -2206.272216796875,
                        48, 868, -23.43327522277832, 0.05299213528633118),
    ("holistic", 2.0): (-26512.71484375, 131104.9375, -326.1429443359375, -1401.792724609375,
                        3, 729, -99.93635559082031, 0.03486999496817589),
}


@pytest.mark.parametrize(("arch", "gain"), list(BEFORE))
def test_bundled_recordings_are_unchanged_by_the_refactor(arch, gain):
    ds = nd.run_agent(nd.load_pretrained(arch, 0), nd.fixed_targets(50), gain=gain, seed=0)
    got = (float(np.nansum(ds.pos_x.values)), float(np.nansum(ds.pos_y.values)),
           float(np.nansum(ds.hidden.values)), float(np.nansum(ds.cell.values)),
           int(ds.rewarded.sum()), int(ds.n_steps.sum()), float(ds.stop_x.values[7]),
           float(ds.hidden.values[3, 5, 17]))
    assert got == pytest.approx(BEFORE[(arch, gain)], rel=1e-6)
    check_recording(ds, "trial_metrics")


def test_every_declared_variable_has_units_and_a_long_name():
    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(5))
    for spec in (*STEP_VARIABLES.values(), *TRIAL_COORDS.values()):
        if spec.name.startswith("perturb_"):
            continue  # only with the perturbation task (tests/task/test_firefly.py)
        assert spec.name in ds.variables
        assert ds[spec.name].attrs.get("units") == spec.units
        assert ds[spec.name].attrs.get("comment", "") == spec.comment
        assert (spec.units is None) == bool(spec.comment)  # no units only with a reason
        assert ds[spec.name].attrs["long_name"] == spec.long_name
    assert ds.attrs["Conventions"].startswith("CF")
    assert ds.attrs["title"]
    assert ds.attrs["history"].startswith("built by navdecode")
    assert list(ds["input"].values[:2]) == ["obs_lin", "obs_ang"]
    assert ds["unit"].size == 128
    assert list(ds["rewarded"].attrs["flag_values"]) == [0, 1]
    assert not any(isinstance(v, str) and v.startswith("/") for v in ds.attrs.values())


def test_check_recording_names_what_is_missing_and_who_needs_it():
    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(5))
    with pytest.raises(ValueError, match=r"\['pos_x'\] \(trial_metrics needs them\)"):
        check_recording(ds.drop_vars("pos_x"), "trial_metrics")
    with pytest.raises(ValueError, match="in cm"):
        check_recording(ds.assign(pos_x=ds.pos_x.assign_attrs(units="m")), ["pos_x"])
    with pytest.raises(TypeError, match=r"xarray\.Dataset"):
        check_recording({"pos_x": 1})
    with pytest.raises(ValueError, match="needs must be"):
        check_recording(ds, "no such analysis")
    assert set(ANALYSES["trial_metrics"]) <= set(ds.variables)


def test_stack_keeps_each_recordings_network():
    targets = nd.fixed_targets(6)
    parts = [nd.run_agent(nd.make_agent(arch, seed=s), targets, seed=s)
             for arch, s in (("modular", 0), ("holistic", 1))]
    stacked = stack_recordings(parts)
    assert stacked.sizes["agent"] == 2
    assert stacked["arch"].values.tolist() == ["modular", "holistic"]
    assert stacked["agent_seed"].values.tolist() == [0, 1]
    assert stacked["agent_id"].values.tolist() == ["modular-seed0", "holistic-seed1"]
    assert "arch" not in stacked.attrs
    np.testing.assert_array_equal(stacked["rewarded"].sel(agent=1).values, parts[1].rewarded)


@pytest.mark.parametrize("suffix", [".nc", pytest.param(".zarr", marks=needs_zarr)])
def test_saved_files_are_compressed_chunked_and_open_in_plain_xarray(tmp_path, suffix):
    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(250))
    path = save_dataset(ds, tmp_path / f"run{suffix}")
    if importlib.util.find_spec("dask") is not None:  # lazy loading needs the sweep extra
        lazy = load_dataset(path, chunks={})
        assert len(lazy.hidden.chunks[0]) == 3  # blocks of 100 trials
    again = load_dataset(path)
    np.testing.assert_allclose(again.hidden.values, ds.hidden.values)
    assert again.attrs == {k: v for k, v in again.attrs.items()}  # flat
    if suffix == ".zarr":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            plain = xr.open_zarr(path)
        assert plain.sizes["trial"] == 250
    else:
        assert json.dumps({k: str(v) for k, v in again.attrs.items()})


def test_no_absolute_paths_in_attributes():
    ds = nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(3))
    assert ds.attrs["checkpoint"] == "modular-seed0.pt"
    assert not any("/" in str(v) for v in ds.attrs.values())


def test_the_recording_guide_shows_the_schema_as_declared():
    from pathlib import Path

    from navdecode.recording.schema import schema_markdown

    guide = (Path(__file__).parents[2] / "docs" / "guides" / "recording.md").read_text()
    assert schema_markdown() in guide, "regenerate: python -m navdecode.recording.schema"


def small_recording():
    return nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(150))


def test_corrupt_or_truncated_files_are_named(tmp_path):
    path = save_dataset(small_recording(), tmp_path / "run.nc")
    data = path.read_bytes()
    (tmp_path / "cut.nc").write_bytes(data[: len(data) // 2])
    (tmp_path / "noise.nc").write_bytes(b"not a netcdf file at all" * 10)
    for name in ("cut.nc", "noise.nc"):
        with pytest.raises(ValueError, match=name):
            load_dataset(tmp_path / name)


@needs_zarr
def test_a_zarr_store_with_missing_chunks_is_refused(tmp_path):
    path = save_dataset(small_recording(), tmp_path / "run.zarr")
    chunk = sorted(p for p in (path / "hidden").iterdir() if not p.name.startswith("."))[0]
    chunk.unlink()
    with pytest.raises(ValueError, match=r"incomplete zarr store.*hidden"):
        load_dataset(path)


@needs_zarr
def test_format_must_agree_with_the_suffix(tmp_path):
    ds = small_recording()
    with pytest.raises(ValueError, match="disagrees with the suffix"):
        save_dataset(ds, tmp_path / "a.nc", format="zarr")
    assert not (tmp_path / "a.nc").exists()
    save_dataset(ds, tmp_path / "b", format="zarr")  # no suffix: the format decides
    assert load_dataset(tmp_path / "b", format="zarr").sizes["trial"] == 150
    with pytest.raises(ValueError, match="disagrees"):
        load_dataset(tmp_path / "b.zarr", format="netcdf")


@needs_zarr
def test_a_zarr_save_killed_between_its_renames_loses_nothing(tmp_path):
    import os

    ds = small_recording()
    path = save_dataset(ds, tmp_path / "run.zarr")
    # what a kill between "old store aside" and "new store in" leaves behind
    os.replace(path, tmp_path / ".run.zarr.old")
    (tmp_path / ".run.zarr.abc.tmp").mkdir()
    assert load_dataset(path).sizes["trial"] == 150  # the old store, back under its name
    assert not (tmp_path / ".run.zarr.abc.tmp").exists()
    os.replace(path, tmp_path / ".run.zarr.old")
    save_dataset(ds.isel(trial=slice(0, 20)), path, overwrite=True)  # the next save succeeds
    assert load_dataset(path).sizes["trial"] == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.zarr"]


def test_every_unit_string_parses_with_udunits():
    """The units of every variable and coordinate (the perturbation task's included) are
    UDUNITS strings, as CF requires; a user variable without units has none, not a
    made-up string."""
    cf_units = pytest.importorskip("cf_units")
    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(5),
                      config=nd.TaskConfig.perturbation_task())
    seen = set()
    for name, var in ds.variables.items():
        units = var.attrs.get("units")
        if units is None:
            assert name in ("actor_input", "input"), name  # mixed columns; their labels
            continue
        cf_units.Unit(units)  # raises ValueError on a string UDUNITS does not know
        seen.add(units)
    assert {"cm", "cm/s", "rad", "rad/s", "degree/s", "s", "1"} <= seen
    assert ds["unit"].attrs["units"] == "1"
    for bad in ("deg/s", "model units"):  # what the recordings said before
        with pytest.raises(ValueError, match="Failed to parse unit"):
            cf_units.Unit(bad)


def test_a_saved_recording_passes_the_cf_checker_at_its_conventions(tmp_path):
    """The IOOS compliance checker, at the CF version the recording claims, finds no
    error and no warning in a saved recording (the perturbation task's included)."""
    pytest.importorskip("compliance_checker")
    import json

    from compliance_checker.runner import CheckSuite, ComplianceChecker

    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(5),
                      config=nd.TaskConfig.perturbation_task())
    path = tmp_path / "rec.nc"
    nd.save_dataset(ds, path)
    version = ds.attrs["Conventions"].removeprefix("CF-")
    CheckSuite().load_all_available_checkers()
    report = tmp_path / "report.json"
    ComplianceChecker.run_checker(str(path), [f"cf:{version}"], verbose=0, criteria="normal",
                                  output_filename=str(report), output_format="json")
    result = json.loads(report.read_text())[f"cf:{version}"]
    assert result["high_count"] == 0, result["high_priorities"]
    assert result["medium_count"] == 0, result["medium_priorities"]
    assert result["scored_points"] == result["possible_points"]
