"""Nothing lost: atomic writes that never delete another process's work, overwrites only
when asked, and stores that are never read half-swapped."""

import multiprocessing as mp
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import needs_zarr

import navdecode as nd
from navdecode._io import atomic_write_text, clean_stale, owner_alive
from navdecode.recording.store import load_dataset, save_dataset


def dead_pid() -> int:
    """The pid of a process that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def small(n=6):
    return nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(n))


def test_only_temporaries_of_dead_writers_are_cleaned(tmp_path):
    target = tmp_path / "run.nc"
    mine = tmp_path / f".run.nc.{os.getpid()}.abc.tmp"
    gone = tmp_path / f".run.nc.{dead_pid()}.abc.tmp"
    legacy = tmp_path / ".run.nc.abc.tmp"  # before pids were in the name: no owner
    for p in (mine, gone, legacy):
        p.write_text("partial")
    assert owner_alive(mine)
    assert not owner_alive(gone)
    assert sorted(clean_stale(target)) == sorted([gone, legacy])
    assert mine.exists()


def test_a_killed_netcdf_save_leaves_nothing_after_the_next_save_or_load(tmp_path):
    path = save_dataset(small(), tmp_path / "run.nc")
    leftover = tmp_path / f".run.nc.{dead_pid()}.x1.tmp"
    leftover.write_bytes(b"\0" * 1000)  # what a kill in the middle of to_netcdf leaves
    load_dataset(path)
    assert not leftover.exists()
    leftover.write_bytes(b"\0" * 1000)
    save_dataset(small(3), path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nc"]


@needs_zarr
def test_save_refuses_to_replace_what_is_not_its_recording(tmp_path):
    folder = tmp_path / "x.zarr"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    for overwrite in (False, True):
        with pytest.raises(ValueError, match="not a zarr store"):
            save_dataset(small(), folder, overwrite=overwrite)
    assert (folder / "notes.txt").read_text() == "mine"
    afile = tmp_path / "y.zarr"
    afile.write_text("a file")
    with pytest.raises(ValueError, match="is a file, not a zarr store"):
        save_dataset(small(), afile, overwrite=True)
    assert afile.read_text() == "a file"
    store = save_dataset(small(), tmp_path / "z.zarr")
    with pytest.raises(ValueError, match="overwrite=True"):
        save_dataset(small(3), store)
    assert load_dataset(store).sizes["trial"] == 6
    nc_folder = tmp_path / "w.nc"
    nc_folder.mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        save_dataset(small(), nc_folder, overwrite=True)


def _save_repeatedly(path, n_rounds, ready):
    ds_a, ds_b = small(6), small(9)
    ready.set()
    for i in range(n_rounds):
        save_dataset(ds_a if i % 2 else ds_b, path, overwrite=True)


@needs_zarr
def test_loads_during_zarr_saves_in_another_process_always_see_a_whole_store(tmp_path):
    path = tmp_path / "shared.zarr"
    full = small(6)
    save_dataset(full, path)
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    writer = ctx.Process(target=_save_repeatedly, args=(path, 25, ready))
    writer.start()
    ready.wait(60)
    loads = 0
    while writer.is_alive() or loads < 5:
        ds = load_dataset(path)
        loads += 1
        # a whole store: every variable, one of the two sizes, no NaN where data should be
        assert set(ds.data_vars) == set(full.data_vars)
        assert ds.sizes["trial"] in (6, 9)
        assert np.isfinite(ds["hidden"].values[ds["valid"].values]).all()
    writer.join(60)
    assert writer.exitcode == 0  # no save failed
    final = load_dataset(path)
    assert final.sizes["trial"] in (6, 9)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.zarr"]


def test_a_training_state_killed_between_its_renames_resumes_from_the_newest(tmp_path):
    from navdecode.training.runs import RunFolder

    folder = RunFolder(tmp_path)
    tmp_path.mkdir(exist_ok=True)
    torch.save({"trial": 1}, folder.state)
    # the kill: the older state moved aside, the complete newest not yet renamed in
    os.replace(folder.state, folder.previous_state)
    newest = tmp_path / f".state.pt.{dead_pid()}.q.tmp"
    torch.save({"trial": 2}, newest)
    folder.clean_temporaries()
    assert torch.load(folder.state, weights_only=True) == {"trial": 2}
    assert torch.load(folder.previous_state, weights_only=True) == {"trial": 1}
    assert not newest.exists()


def test_atomic_text_writes_leave_no_temporary(tmp_path):
    atomic_write_text(tmp_path / "a.txt", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
