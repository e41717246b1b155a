"""Recordings out to the tools labs use: NWB files (pynwb) and pynapple objects.

The trials of a recording share no clock: each starts at its own step 0. Both exports lay
them on one timeline, one slot per trial with an empty step between slots:

    t(k, s) = (k * (S + 1) + s) * dt

for step s of trial k, where S is the recording's step count (``ds.sizes["step"]``, at
least its longest trial) and dt its step duration. Trial k is the interval
``[t(k, 0), t(k, n_k))``, n_k its valid steps, so trials never touch. Only valid steps
are exported. A time reads back as ``k = t // ((S + 1) * dt)``,
``s = t / dt - k * (S + 1)`` (`sample_times` gives the timeline).
"""

from __future__ import annotations

import json
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from navdecode._io import atomic_write, check_file_destination
from navdecode._validation import check_finite, check_path, require
from navdecode.recording.identity import recording_identity
from navdecode.recording.schema import check_recording

__all__ = ["sample_times", "to_nwb", "to_pynapple"]

# NWB stores data in SI units with a factor: value in `unit` = data * conversion
_SI = {"cm": ("m", 0.01), "cm/s": ("m/s", 0.01)}


def _step_duration(ds: xr.Dataset, dt: float | None) -> float:
    if dt is not None:
        value = check_finite(dt, "dt")
        if value <= 0:
            msg = f"dt must be positive (seconds per step), got {dt=}"
            raise ValueError(msg)
        return value
    if "task_dt" in ds.attrs:
        return float(ds.attrs["task_dt"])
    if "time" in ds.coords and ds.sizes["step"] > 1:
        return float(ds["time"].values[1] - ds["time"].values[0])
    msg = ("ds does not say how long a step lasts (no task_dt attribute or time "
           "coordinate); pass dt= in seconds")
    raise ValueError(msg)


def sample_times(ds: xr.Dataset, dt: float | None = None) -> pd.DataFrame:
    """The export timeline: every valid (trial, step) sample and its time.

    ``time = (trial * (S + 1) + step) * dt`` with S = ``ds.sizes["step"]`` (the module's
    docstring explains the layout).

    Parameters
    ----------
    ds : xarray.Dataset
        A recording.
    dt : float or None, default=None
        Seconds per step; the recording's ``task_dt`` (or its ``time`` coordinate's
        spacing) when None.

    Returns
    -------
    samples : pandas.DataFrame
        Columns ``trial``, ``step`` (positions along the dims, in (trial, step) order)
        and ``time`` (s), one row per valid sample.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.recording.export import sample_times
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(2))
    >>> samples = sample_times(ds)
    >>> float(samples.time[samples.trial == 1].min())  # trial 1 starts after 36 steps
    3.6
    """
    check_recording(ds, name="ds")
    step_s = _step_duration(ds, dt)
    trial, step = np.nonzero(ds["valid"].values.astype(bool))
    slot = ds.sizes["step"] + 1
    return pd.DataFrame({"trial": trial, "step": step,
                         "time": (trial * slot + step) * step_s})


def _trial_table(ds: xr.Dataset, samples: pd.DataFrame, step_s: float) -> pd.DataFrame:
    """One row per trial with valid steps: start and stop (s) and its coordinates."""
    slot = ds.sizes["step"] + 1
    trials = np.unique(samples["trial"].to_numpy())
    n_valid = np.bincount(samples["trial"].to_numpy(), minlength=ds.sizes["trial"])
    table = pd.DataFrame({"start_time": trials * slot * step_s,
                          "stop_time": (trials * slot + n_valid[trials]) * step_s,
                          "trial_index": trials})
    for name, coord in ds.coords.items():
        if coord.dims == ("trial",) and name != "trial":
            table[str(name)] = coord.values[trials]
    return table


def _per_step(ds: xr.Dataset) -> tuple[list[str], list[str]]:
    """Names of the exported (trial, step) and (trial, step, x) variables."""
    flat = [str(n) for n, v in ds.data_vars.items()
            if v.dims == ("trial", "step") and n != "valid" and v.dtype.kind in "fiub"]
    wide = [str(n) for n, v in ds.data_vars.items()
            if v.ndim == 3 and v.dims[:2] == ("trial", "step") and v.dtype.kind in "fiub"]
    return flat, wide


def to_pynapple(ds: xr.Dataset, dt: float | None = None) -> dict[str, Any]:
    """The recording as pynapple objects on one timeline (`sample_times`).

    Parameters
    ----------
    ds : xarray.Dataset
        A recording.
    dt : float or None, default=None
        Seconds per step; the recording's own when None.

    Returns
    -------
    objects : dict of str to pynapple objects
        ``"trials"``: an `IntervalSet` of the trials, with every per-trial coordinate
        (and ``trial_index``, the trial's position in `ds`) as metadata; each per-step
        variable (``pos_x``, ``action_lin``, ...) as a `Tsd`; each (trial, step, x)
        variable (``hidden``, ``cell``, ``actor_input``, ...) as a `TsdFrame` whose
        columns are that dimension's coordinate values. Data are the recording's values
        at its valid steps, in its dtype; every object's time support is the trials.

    Raises
    ------
    ModuleNotFoundError
        Without pynapple (``pip install 'navdecode[pynapple]'``).
    ValueError
        If `ds` is not a recording or does not say how long a step lasts (pass `dt`).

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.recording.export import to_pynapple
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(3))
    >>> objects = to_pynapple(ds)
    >>> len(objects["trials"]), objects["hidden"].shape[1]
    (3, 128)
    """
    require("pynapple", "pynapple", "to_pynapple")
    import pynapple as nap

    samples = sample_times(ds, dt)
    step_s = _step_duration(ds, dt)
    table = _trial_table(ds, samples, step_s)
    trials = nap.IntervalSet(start=table["start_time"].to_numpy(),
                             end=table["stop_time"].to_numpy(),
                             metadata=table.drop(columns=["start_time", "stop_time"]))
    t = samples["time"].to_numpy()
    ti, si = samples["trial"].to_numpy(), samples["step"].to_numpy()
    flat, wide = _per_step(ds)
    out: dict[str, Any] = {"trials": trials}
    for name in flat:
        out[name] = nap.Tsd(t=t, d=ds[name].values[ti, si], time_support=trials)
    for name in wide:
        dim = ds[name].dims[2]
        columns = ds[dim].values if dim in ds.coords else np.arange(ds.sizes[dim])
        out[name] = nap.TsdFrame(t=t, d=ds[name].values[ti, si], time_support=trials,
                                 columns=list(columns))
    return out


def to_nwb(ds: xr.Dataset, path: str | Path, dt: float | None = None, *,
           session_start_time: datetime | None = None, overwrite: bool = False) -> Path:
    """Write the recording as an NWB file (pynwb), on one timeline (`sample_times`).

    - ``trials``: a TimeIntervals table, one row per trial (start and stop in s) with
      every per-trial coordinate as a column and ``trial_index`` its position in `ds`.
    - Processing module ``behavior``: each per-step variable (position, heading,
      velocities, actions, observations, ...) as a TimeSeries; lengths in cm are stored
      as they are with ``unit="m"`` and ``conversion=0.01`` (NWB's SI convention).
    - Processing module ``network``: each (trial, step, x) variable (``hidden``,
      ``cell``, ``actor_input``, hooked layers) as a TimeSeries of shape
      (samples, x); its description names the columns.
    - Provenance: the recording's attributes as JSON in ``notes``; ``session_id`` is the
      network's agent id; the identifier is derived from the agent and trial ids, so the
      same recording gets the same identifier.

    Every TimeSeries shares the first one's timestamps. The file is written atomically
    (a temporary beside `path`, then renamed) and passes ``pynwb.validate`` (tested).

    Parameters
    ----------
    ds : xarray.Dataset
        A recording.
    path : str or pathlib.Path
        The file to write, ending in ``.nwb``.
    dt : float or None, default=None
        Seconds per step; the recording's own when None.
    session_start_time : datetime.datetime or None, default=None
        NWB's required reference time (timezone-aware); the time of writing when None.
    overwrite : bool, default=False
        Replace an existing file at `path`; without it an existing file is refused.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    ModuleNotFoundError
        Without pynwb (``pip install 'navdecode[nwb]'``).
    TypeError
        If `session_start_time` is not a datetime.
    ValueError
        If `path` does not end in ``.nwb``, exists (without `overwrite`) or is a folder;
        if `session_start_time` has no timezone; if `ds` is not a recording or does not
        say how long a step lasts (pass `dt`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.recording.export import to_nwb
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(3))
    >>> to_nwb(ds, pathlib.Path(tempfile.mkdtemp()) / "rollout.nwb").suffix
    '.nwb'
    """
    require("pynwb", "nwb", "to_nwb")
    path = check_path(path, "path")
    if path.suffix.lower() != ".nwb":
        msg = f"path must end in .nwb, got {str(path)!r}"
        raise ValueError(msg)
    check_file_destination(path, overwrite, "to_nwb")
    if session_start_time is None:
        session_start_time = datetime.now(UTC)
    if not isinstance(session_start_time, datetime):
        msg = (f"session_start_time must be a datetime.datetime, got "
               f"{type(session_start_time).__name__}")
        raise TypeError(msg)
    if session_start_time.tzinfo is None:
        msg = "session_start_time must carry a timezone (e.g. datetime.now(datetime.UTC))"
        raise ValueError(msg)
    nwbfile = _nwb_file(ds, dt, session_start_time)

    def write(tmp: Path) -> None:
        from pynwb import NWBHDF5IO

        with warnings.catch_warnings():  # the temporary's name; the file ends in .nwb
            warnings.filterwarnings("ignore", message=".*does not end in '.nwb'")
            with NWBHDF5IO(str(tmp), "w") as io:
                io.write(nwbfile)

    atomic_write(path, write)
    return path


def _nwb_file(ds: xr.Dataset, dt: float | None, start: datetime) -> Any:
    from pynwb import NWBFile, TimeSeries
    from pynwb.epoch import TimeIntervals

    samples = sample_times(ds, dt)
    step_s = _step_duration(ds, dt)
    table = _trial_table(ds, samples, step_s)
    who = recording_identity(ds, label=ds.attrs.get("label", ds.attrs.get("arch", "unknown")),
                             agent=str(ds.attrs.get("agent_id", "unknown")))
    ids = ds["trial_id"].values.tolist() if "trial_id" in ds.coords else []
    identifier = str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps([who["agent"], ids])))
    trials = TimeIntervals.from_dataframe(
        table, name="trials", table_description="the recording's trials, one slot each "
        "on the export timeline (t = (trial * (steps + 1) + step) * dt)",
        columns=[{"name": c, "description": _describe(ds, c)} for c in table.columns
                 if c not in ("start_time", "stop_time")])
    nwbfile = NWBFile(
        session_description=f"navdecode recording: {who['label']} network "
                            f"{who['agent']}, {ds.sizes['trial']} trials",
        identifier=identifier, session_start_time=start, session_id=who["agent"],
        trials=trials,
        experiment_description="closed-loop rollouts of a recurrent agent; each trial "
                               "starts at its own step 0 and occupies one slot of "
                               f"{ds.sizes['step'] + 1} steps of {step_s:g} s",
        notes=json.dumps({k: _plain(v) for k, v in ds.attrs.items()}, sort_keys=True))
    ti, si = samples["trial"].to_numpy(), samples["step"].to_numpy()
    timestamps = samples["time"].to_numpy()
    flat, wide = _per_step(ds)
    modules = {"behavior": nwbfile.create_processing_module(
                   "behavior", "per-step task and behaviour variables (valid steps)"),
               "network": nwbfile.create_processing_module(
                   "network", "the network's recorded units and inputs (valid steps)")}
    first = None
    for group, names in (("behavior", flat), ("network", wide)):
        for name in names:
            var = ds[name]
            unit, conversion = _SI.get(str(var.attrs.get("units")),
                                       (str(var.attrs.get("units", "n.a.")), 1.0))
            description = str(var.attrs.get("long_name", name))
            if var.ndim == 3:
                dim = var.dims[2]
                cols = ds[dim].values.tolist() if dim in ds.coords else list(
                    range(ds.sizes[dim]))
                description += f"; columns ({dim}): {cols}"
            series = TimeSeries(name=name, data=var.values[ti, si], unit=unit,
                                conversion=conversion, description=description,
                                timestamps=first if first is not None else timestamps)
            first = first if first is not None else series
            modules[group].add(series)
    return nwbfile


def _describe(ds: xr.Dataset, column: str) -> str:
    if column == "trial_index":
        return "the trial's position along the recording's trial dimension"
    attrs = ds[column].attrs
    units = attrs.get("units")
    text = str(attrs.get("long_name", column))
    return f"{text} ({units})" if units else text


def _plain(value: object) -> object:
    """An attribute value JSON can hold."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value if isinstance(value, str | int | float | bool | list) else str(value)
