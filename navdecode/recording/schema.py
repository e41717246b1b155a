"""The recording: the one data contract between what runs agents and what analyses them.

A recording is a plain `xarray.Dataset`. This module declares its dimensions, every
variable with its units and long name, the per-trial coordinates, the attributes and
which variables each analysis needs; it builds recordings (`build_recording`), checks
them (`check_recording`) and stacks them (`stack_recordings`); `navdecode.recording.store`
saves and loads them.
Every other module asks it for names, units and requirements instead of repeating them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from navdecode._validation import check_instance
from navdecode._version import __version__
from navdecode.recording.identity import make_trial_ids

__all__ = ["ANALYSES", "DIMS", "STEP_VARIABLES", "TRIAL_COORDS", "Variable",
           "build_recording", "check_recording", "is_firefly", "length_unit",
           "schema_markdown", "stack_recordings", "unit_named"]

CONVENTIONS = "CF-1.10"


@dataclass(frozen=True)
class Variable:
    """One declared variable of the recording: its units as UDUNITS writes them, or None
    (no ``units`` attribute) with the reason in `comment`."""

    name: str
    dims: tuple[str, ...]
    units: str | None
    long_name: str
    comment: str = ""


DIMS = {
    "trial": "one trial (episode), from reset to its stop, timeout or end",
    "step": "time step within a trial; step 0 is the state right after reset",
    "unit": "recurrent unit (for stacked layers: layer-major, layer 0 first)",
    "input": "named column of the policy's input (observation) vector",
}

_STEP = ("trial", "step")
STEP_VARIABLES = {v.name: v for v in (
    Variable("valid", _STEP, "1", "step belongs to the trial"),
    Variable("pos_x", _STEP, "cm", "x position (rightward)"),
    Variable("pos_y", _STEP, "cm", "y position (forward at trial start)"),
    Variable("heading", _STEP, "rad", "heading angle (pi/2 = initial forward)"),
    Variable("vel_lin", _STEP, "cm/s", "true linear velocity"),
    Variable("vel_ang", _STEP, "rad/s", "true angular velocity"),
    Variable("action_lin", _STEP, "1", "linear joystick action in [-1, 1]"),
    Variable("action_ang", _STEP, "1", "angular joystick action in [-1, 1]"),
    Variable("obs_lin", _STEP, "cm/s", "observed linear velocity (actor input)"),
    Variable("obs_ang", _STEP, "rad/s", "observed angular velocity (actor input)"),
    Variable("hidden", (*_STEP, "unit"), "1", "recurrent hidden state h after this step's input"),
    Variable("cell", (*_STEP, "unit"), "1", "LSTM cell state c after this step's input"),
    Variable("actor_input", (*_STEP, "input"), None, "the policy's input at this step",
             "no single unit: the columns (the input coordinate) are the task's normalised "
             "observations and actions; obs_lin and obs_ang hold the observed velocities "
             "in cm/s and rad/s"),
)}
"""Per-step variables: (trial, step[, unit | input]), NaN after a trial's end."""

TRIAL_COORDS = {v.name: v for v in (
    Variable("target_x", ("trial",), "cm", "target x"),
    Variable("target_y", ("trial",), "cm", "target y"),
    Variable("target_r", ("trial",), "cm", "target distance"),
    Variable("gain", ("trial",), "1", "joystick gain factor"),
    Variable("rewarded", ("trial",), "1", "stopped inside the reward zone"),
    Variable("stopped", ("trial",), "1", "ended by a stop or terminal state (not by timeout)"),
    Variable("reward", ("trial",), "1", "summed reward of the trial"),
    Variable("n_steps", ("trial",), "1", "number of recorded steps (actions) in the trial"),
    Variable("stop_x", ("trial",), "cm", "x position at the end of the trial"),
    Variable("stop_y", ("trial",), "cm", "y position at the end of the trial"),
    Variable("perturb_lin", ("trial",), "cm/s", "peak linear perturbation velocity"),
    Variable("perturb_ang", ("trial",), "degree/s", "peak angular perturbation velocity"),
    Variable("perturb_onset", ("trial",), "1", "step at which the perturbation starts"),
    Variable("trial_id", ("trial",), "1",
             "identity of the trial: a hash of its target, gain and perturbation, #repeat"),
)}
"""Per-trial coordinates."""

ATTRS = {
    "label": "what the recording is compared as: the architecture or any user label",
    "arch": "the navdecode architecture (or the policy's class name for other agents)",
    "agent_seed": "seed the network was made or trained with (-1 when unknown)",
    "agent_id": "the network: '<label>-seed<agent_seed>' or an id given by the user",
    "checkpoint": "file name of the network's checkpoint ('' when none)",
    "noise_seed": "seed of the rollout's noise (-1 when not an int); not the network's seed",
    "task_dt": "duration of one step (s)",
    "source": "what made the recording (run_agent, record)",
    "Conventions": "the CF conventions followed (checked with the IOOS compliance checker)",
    "title": "what the file is (CF)",
    "history": "the navdecode version that built the recording (CF)",
}
"""Flat, netCDF-safe attributes (``task_*`` hold the task's settings)."""

ANALYSES = {
    "decode": ("valid",),
    "path metrics": ("valid", "pos_x", "pos_y", "n_steps", "stopped"),
    "target metrics": ("target_x", "target_y"),
    "trial_metrics": ("valid", "pos_x", "pos_y", "n_steps", "stopped", "stop_x", "stop_y",
                      "target_x", "target_y", "rewarded", "gain"),
    "untrained control": ("valid", "actor_input"),
    "plot_trajectories": ("valid", "pos_x", "pos_y", "target_x", "target_y", "rewarded"),
}
"""Variables each analysis needs (beyond the ``trial`` and ``step`` dims)."""

_BOOLEAN = ("valid", "rewarded", "stopped")


def is_firefly(ds: xr.Dataset) -> bool:
    """Whether a recording declares the firefly task (its ``task_*`` settings): then its
    variables are in the schema's units and the task's geometry (start at the origin,
    heading +y) holds; another task's recording carries its own units."""
    return "task_length_unit_cm" in ds.attrs


def length_unit(ds: xr.Dataset) -> str:
    """The unit of a recording's positions: cm for the firefly task, else ``pos_x``'s
    ``units`` attribute (`build_recording` gives it the schema's cm, `record` the unit its
    user gave or none), ``"unknown"`` without one; never assumed.

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode.recording.schema import build_recording, length_unit
    >>> ds = build_recording({"valid": np.ones((1, 2), bool), "pos_x": np.zeros((1, 2))}, {})
    >>> length_unit(ds), length_unit(ds.assign(pos_x=ds.pos_x.assign_attrs(units="m")))
    ('cm', 'm')
    """
    if is_firefly(ds):
        return "cm"
    return str(ds["pos_x"].attrs.get("units", "unknown")) if "pos_x" in ds.variables \
        else "unknown"


def unit_named(names: Sequence[str], unit: str) -> dict[str, str]:
    """Names ending in ``_cm`` renamed to the length `unit` (``stop_error_cm`` ->
    ``stop_error_m``; any non-word characters of the unit are dropped): how every table of
    a recording in another unit names its columns.

    Examples
    --------
    >>> from navdecode.recording.schema import unit_named
    >>> unit_named(["stop_error_cm", "auc"], "m")
    {'stop_error_cm': 'stop_error_m'}
    """
    if unit == "cm":
        return {}
    token = re.sub(r"\W+", "", unit) or "unknown"
    return {n: f"{n[:-3]}_{token}" for n in names if n.endswith("_cm")}


def _declared(name: str) -> Variable | None:
    return STEP_VARIABLES.get(name) or TRIAL_COORDS.get(name)


def check_recording(ds: object, needs: Sequence[str] | str = (), *, analysis: str | None = None,
                    name: str = "ds") -> xr.Dataset:
    """Check that `ds` is a recording holding the variables an analysis needs.

    Parameters
    ----------
    ds : xarray.Dataset
        The recording.
    needs : str or sequence of str, default=()
        Variable names, or the name of an analysis in `ANALYSES` (its variables).
    analysis : str or None, default=None
        Name of the analysis, for the message (the key of `needs` when it is one).
    name : str, default="ds"
        Name of the argument, for the message.

    Returns
    -------
    ds : xarray.Dataset
        The same dataset.

    Raises
    ------
    TypeError
        If `ds` is not an `xarray.Dataset`.
    ValueError
        If a needed variable is missing (named, with the analysis that needs it), the
        ``trial`` / ``step`` dims are missing, a declared variable has other dims or
        units than the schema declares, or the recording holds no valid step.

    Examples
    --------
    >>> from navdecode import check_recording, fixed_targets, make_agent, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(3))
    >>> check_recording(ds, "trial_metrics") is ds
    True
    """
    if not isinstance(ds, xr.Dataset):
        msg = f"{name} must be an xarray.Dataset (a recording, see record), got " \
              f"{type(ds).__name__}"
        raise TypeError(msg)
    if isinstance(needs, str):
        analysis = analysis or needs
        if needs not in ANALYSES:
            msg = f"needs must be variable names or one of {sorted(ANALYSES)}, got {needs!r}"
            raise ValueError(msg)
        needs = ANALYSES[needs]
    missing = [v for v in dict.fromkeys(("valid", *needs)) if v not in ds.variables]
    if missing:
        what = f" ({analysis} needs them)" if analysis else ""
        msg = f"{name} is missing variables {missing}{what}; see navdecode.recording.schema"
        raise ValueError(msg)
    for dim in ("trial", "step"):
        if dim not in ds.dims:
            msg = f"{name} must have dims 'trial' and 'step', got {tuple(ds.dims)}"
            raise ValueError(msg)
    # a firefly recording's declared variables are in the schema's units; another task's
    # variables carry the units its user gave (or none), never assumed
    firefly = is_firefly(ds)
    for var in dict.fromkeys(("valid", *needs)):
        spec = _declared(var)
        if spec is None:
            continue
        if ds[var].dims != spec.dims[: ds[var].ndim] or ds[var].ndim != len(spec.dims):
            msg = f"{name}[{var!r}] must have dims {spec.dims}, got {ds[var].dims}"
            raise ValueError(msg)
        units = ds[var].attrs.get("units")
        if firefly and units is not None and spec.units not in ("1", None) \
                and units != spec.units:
            msg = f"{name}[{var!r}] must be in {spec.units} (attribute units), got {units=}"
            raise ValueError(msg)
    if ds.sizes["trial"] == 0 or not bool(ds["valid"].any()):
        msg = f"{name} holds no trials (or no valid steps)"
        raise ValueError(msg)
    return ds


def schema_markdown() -> str:
    """The schema as markdown tables (the recording guide includes this text verbatim).

    Examples
    --------
    >>> from navdecode.recording.schema import schema_markdown
    >>> schema_markdown().splitlines()[0]
    '| dimension | meaning |'
    """
    lines = ["| dimension | meaning |", "|---|---|",
             *(f"| `{d}` | {meaning} |" for d, meaning in DIMS.items()), "",
             "| per-step variable | dims | units | long name |", "|---|---|---|---|",
             *(f"| `{v.name}` | {', '.join(v.dims)} | {v.units or 'none (see comment)'} | "
               f"{v.long_name} |"
               for v in STEP_VARIABLES.values()), "",
             "| per-trial coordinate | units | long name |", "|---|---|---|",
             *(f"| `{v.name}` | {v.units} | {v.long_name} |" for v in TRIAL_COORDS.values()), "",
             "| attribute | meaning |", "|---|---|",
             *(f"| `{k}` | {meaning} |" for k, meaning in ATTRS.items()), "",
             "| analysis | needs |", "|---|---|",
             *(f"| {name} | {', '.join(f'`{v}`' for v in needs)} |"
               for name, needs in ANALYSES.items())]
    return "\n".join(lines) + "\n"


def task_config(ds: xr.Dataset, config: object = None) -> object:
    """The `TaskConfig` of a firefly recording: `config` when given (checked), else the one
    written into its ``task_*`` attributes (the published task when there are none)."""
    from navdecode.task.config import TaskConfig, config_from_attrs

    if config is None:
        return config_from_attrs(TaskConfig, dict(ds.attrs), "task_")
    check_instance(config, "config", TaskConfig, "a TaskConfig")
    return config


def _attrs_of(spec: Variable) -> dict[str, object]:
    attrs: dict[str, object] = {"long_name": spec.long_name}
    if spec.units is not None:
        attrs["units"] = spec.units
    if spec.comment:
        attrs["comment"] = spec.comment
    if spec.name in _BOOLEAN:
        attrs |= {"flag_values": np.array([0, 1], dtype=np.int8),
                  "flag_meanings": "false true"}
    return attrs


def build_recording(steps: Mapping[str, np.ndarray], trials: Mapping[str, np.ndarray], *,
                    hidden: np.ndarray | None = None, cell: np.ndarray | None = None,
                    inputs: np.ndarray | None = None,
                    input_names: Sequence[str] | None = None,
                    extra: Mapping[str, np.ndarray] | None = None,
                    attrs: Mapping[str, object] | None = None,
                    dt: float | None = 0.1, masked: bool = False) -> xr.Dataset:
    """Assemble a recording in the declared schema.

    Parameters
    ----------
    steps : mapping of str to ndarray of shape (n_trials, n_steps)
        Per-step variables; must include ``valid`` (bool). Values past each trial's end
        are set to NaN. Declared names get their units and long names; others are kept
        as they are (user variables).
    trials : mapping of str to ndarray of shape (n_trials,)
        Per-trial coordinates (``n_steps`` is derived from ``valid`` when absent).
    hidden, cell : ndarray of shape (n_trials, n_steps, n_units) or None, default=None
        Recurrent state after each step's input.
    inputs : ndarray of shape (n_trials, n_steps, n_inputs) or None, default=None
        The policy's input at each step (``actor_input``).
    input_names : sequence of str or None, default=None
        Labels of the input columns (``input`` coordinate); ``in0``, ``in1``... when None.
    extra : mapping of str to ndarray of shape (n_trials, n_steps, k) or None, default=None
        Further per-step arrays (e.g. hooked layers), each with its own ``<name>_unit`` dim.
    attrs : mapping or None, default=None
        Flat attributes (str, int, float).
    dt : float or None, default=0.1
        Step duration in s (``task_dt`` attribute and the ``time`` coordinate); None
        when unknown (both are left out, and duration-based metrics refuse the recording).
    masked : bool, default=False
        True: the float32 per-step arrays are NaN on every invalid step already (as the
        recorder's buffers are) and are used as they are, not copied. Otherwise (and for
        arrays of other dtypes) each is copied to float32 and its invalid steps set to NaN.

    Returns
    -------
    ds : xarray.Dataset
    """
    valid = np.asarray(steps["valid"], dtype=bool)
    n_trials, n_steps = valid.shape
    prepared = masked

    def masked(arr: np.ndarray) -> np.ndarray:
        if prepared and arr.dtype == np.float32:
            return arr
        arr = np.array(arr, dtype=np.float32)
        arr[~valid] = np.nan
        return arr

    data_vars: dict[str, tuple] = {}
    for key, values in steps.items():
        spec = STEP_VARIABLES.get(key)
        arr = valid if key == "valid" else masked(values)
        data_vars[key] = (_STEP, arr, _attrs_of(spec) if spec else {})
    for key, values in (("hidden", hidden), ("cell", cell)):
        if values is not None:
            data_vars[key] = ((*_STEP, "unit"), masked(values), _attrs_of(STEP_VARIABLES[key]))
    if inputs is not None:
        data_vars["actor_input"] = ((*_STEP, "input"), masked(inputs),
                                    _attrs_of(STEP_VARIABLES["actor_input"]))
    for key, values in (extra or {}).items():
        data_vars[key] = ((*_STEP, f"{key}_unit"), masked(values),
                          {"units": "1", "long_name": f"output of {key}"})
    coords: dict[str, tuple] = {
        "trial": ("trial", np.arange(n_trials), {"units": "1", "long_name": "trial"}),
        "step": ("step", np.arange(n_steps), {"units": "1", "long_name": "time step"}),
    }
    if dt is not None:
        coords["time"] = ("step", np.arange(n_steps) * dt, {"units": "s", "long_name": "time"})
    trials = dict(trials)
    trials.setdefault("n_steps", valid.sum(axis=1).astype(np.int64))
    trials.setdefault("trial_id", make_trial_ids(trials, n_trials))
    for key, values in trials.items():
        spec = TRIAL_COORDS.get(key)
        coords[key] = ("trial", np.asarray(values), _attrs_of(spec) if spec else {})
    if hidden is not None or cell is not None:
        n_units = (hidden if hidden is not None else cell).shape[2]
        coords["unit"] = ("unit", np.arange(n_units), {"units": "1", "long_name": DIMS["unit"]})
    if inputs is not None:
        names = list(input_names) if input_names is not None else [
            f"in{i}" for i in range(np.asarray(inputs).shape[2])]
        coords["input"] = ("input", np.asarray(names, dtype=str), {"long_name": DIMS["input"]})
    flat = {"Conventions": CONVENTIONS, "title": "navdecode recording",
            "history": f"built by navdecode {__version__}",
            **({} if dt is None else {"task_dt": float(dt)}), **(attrs or {})}
    return xr.Dataset(data_vars, coords=coords, attrs=flat)


def stack_recordings(recordings: Sequence[xr.Dataset], dim: str = "agent") -> xr.Dataset:
    """Stack recordings of the same trials along a new dimension, one entry per network.

    Trials are aligned by ``trial_id`` (`navdecode.recording.identity.align_trials`):
    recordings of the same trials in another order are reordered, recordings of other
    trials are refused.

    Parameters
    ----------
    recordings : sequence of xarray.Dataset
        Recordings of the same trials (e.g. several agents on the same targets), each
        naming its network (`navdecode.recording.identity.recording_identity`);
        per-trial coordinates that differ between them become variables along `dim`.
    dim : str, default="agent"
        Name of the new dimension; it gets ``label``, ``agent_id``, ``agent_seed`` and
        ``arch`` coordinates.

    Returns
    -------
    ds : xarray.Dataset
        Attributes common to all recordings are kept; identity attributes become
        coordinates along `dim`.

    Raises
    ------
    ValueError
        If the recordings hold other trials, repeat a trial, name no network, or two of
        them come from the same network.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent, stack_recordings
    >>> targets = fixed_targets(3)
    >>> both = stack_recordings([run_agent(make_agent(a, seed=0), targets)
    ...                          for a in ("modular", "holistic")])
    >>> both["label"].values.tolist(), both["agent_seed"].values.tolist()
    (['modular', 'holistic'], [0, 0])
    """
    from navdecode.recording.identity import align_trials, recording_identity

    if isinstance(recordings, xr.Dataset) or not isinstance(recordings, Sequence) or not all(
            isinstance(r, xr.Dataset) for r in recordings):
        msg = "recordings must be a sequence of xarray.Datasets"
        raise TypeError(msg)
    if not recordings:
        msg = "recordings must hold at least one recording"
        raise ValueError(msg)
    names = [f"recordings[{i}]" for i in range(len(recordings))]
    who = [recording_identity(r, name=n) for r, n in zip(recordings, names, strict=True)]
    agents = [w["agent"] for w in who]
    if len(set(agents)) < len(agents):
        msg = f"recordings must come from distinct networks, got agent ids {agents}"
        raise ValueError(msg)
    recordings = align_trials(recordings, names)
    per_trial = [c for c in recordings[0].coords
                 if recordings[0][c].dims == ("trial",) and c not in ("trial", "trial_id")]
    plain = [r.reset_coords([c for c in per_trial if c in r.coords]).assign_coords(
        trial=np.arange(r.sizes["trial"])) for r in recordings]
    stacked = xr.concat(plain, dim=dim, combine_attrs="drop_conflicts", data_vars="all",
                        coords="different", compat="equals", join="outer")
    stacked = stacked.assign_coords({
        "label": (dim, [w["label"] for w in who]), "agent_id": (dim, agents),
        "agent_seed": (dim, [w["agent_seed"] for w in who]),
        "arch": (dim, [str(r.attrs.get("arch", w["label"])) for r, w in zip(recordings, who,
                                                                            strict=True)])})
    identity = ("label", "agent_id", "agent_seed", "arch", "checkpoint", "noise_seed", "seed")
    stacked.attrs = {k: v for k, v in stacked.attrs.items() if k not in identity}
    return stacked

if __name__ == "__main__":  # pragma: no cover - prints the tables for the recording guide
    print(schema_markdown(), end="")
