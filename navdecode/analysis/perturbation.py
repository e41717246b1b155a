"""How an agent answers a velocity perturbation: its compensation, and what its belief misses.

The paper's figure 6 and S6 (the perturbation task, `TaskConfig.perturbation_task`):

- `compensation_kernels`: the change in the agent's commands after a perturbation's onset,
  against the same agent on the same trial without it (figure S6a-b);
- `belief_perturbation_errors` and `belief_perturbation_slopes`: the decoded belief's error
  at the end of a trial against the perturbation integrated over the trial (figure 6g,
  S6e-g): an agent whose belief ignores the push misses it all (slope -1), one that
  tracks it misses none (slope 0);
- `perturbations_of` and `integrated_perturbation`: each trial's perturbation, to run the
  same trials again (`run_agent(..., perturbation=)`) and to integrate it.

Behaviour by perturbation size and the paper's strong-perturbation mask are scores of the
stops and live with the other behavioural scores (`metrics.perturbation_metrics`,
`metrics.strong_perturbations`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from navdecode._validation import check_int
from navdecode.analysis.metrics import pearson_r, zero_intercept_slope
from navdecode.recording.identity import IDENTITY_ATTRS, check_source
from navdecode.recording.schema import check_recording, task_config

__all__ = ["belief_perturbation_errors", "belief_perturbation_slopes", "bump_profile",
           "check_twin", "compensation_kernels", "integrated_perturbation", "perturbations_of"]

_PERTURBATION = ("perturb_lin", "perturb_ang", "perturb_onset")


def perturbations_of(ds: xr.Dataset) -> np.ndarray:
    """Each trial's perturbation as `run_agent`'s ``perturbation=`` takes it.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording of the perturbation task.

    Returns
    -------
    perturbation : ndarray of shape (n_trials, 3)
        Peak linear velocity (cm/s), peak angular velocity (deg/s) and onset step.

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode import TaskConfig, fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.perturbation import perturbations_of
    >>> given = np.array([[100.0, 0.0, 2], [-50.0, 30.0, 5]])
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(2),
    ...                config=TaskConfig.perturbation_task(), perturbation=given)
    >>> np.round(perturbations_of(ds), 3).tolist()
    [[100.0, 0.0, 2.0], [-50.0, 30.0, 5.0]]
    """
    check_recording(ds, list(_PERTURBATION), analysis="perturbations_of")
    out = np.stack([ds[name].values.astype(float) for name in _PERTURBATION], axis=1)
    if not np.isfinite(out).all():
        msg = ("ds has trials without a perturbation (NaN perturb_lin, perturb_ang or "
               "perturb_onset): record it in the perturbation task")
        raise ValueError(msg)
    return out


def bump_profile(onset: np.ndarray, n_steps: int, config: object) -> np.ndarray:
    """The bump's profile, 0..1, at steps ``0 .. n_steps - 1`` of trials with these onset
    steps, as the task applies it: ``exp(-((s - t0 - D/2) / sd)^2 / 2)`` for ``t0 <= s <=
    t0 + D``, 0 otherwise (`TaskConfig.perturbation`); shape (n_trials, n_steps).

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode import TaskConfig
    >>> from navdecode.analysis.perturbation import bump_profile
    >>> bump_profile(np.array([0]), 12, TaskConfig.perturbation_task())[0, [0, 5, 11]]
    array([0.04393693, 1.        , 0.        ])
    """
    d, sd = config.perturb_duration_steps, config.perturb_sd_steps
    since = np.arange(n_steps)[None, :] - np.asarray(onset, dtype=float)[:, None]
    inside = (since >= 0) & (since <= d)
    return np.exp(-0.5 * ((since - d / 2) / sd) ** 2) * inside


def check_twin(ds: xr.Dataset, unperturbed: xr.Dataset, analysis: str) -> None:
    """Refuse an `unperturbed` that is not `ds`'s unperturbed twin: the same network
    (``agent_id``, ``agent_seed``, ``checkpoint``) run with the same noise (``noise_seed``,
    ``noise``) on the same trials in the same order (targets, gain, onsets) with zero
    perturbation peaks, as ``run_agent(..., perturbation=perturbations_of(ds) * [0, 0, 1])``
    makes it.

    Raises
    ------
    ValueError
        Naming what differs.
    """
    need = ["target_x", "target_y", "gain", *_PERTURBATION]
    check_recording(ds, need, analysis=analysis)
    check_recording(unperturbed, need, analysis=analysis, name="unperturbed")
    if ds.sizes["trial"] != unperturbed.sizes["trial"]:
        msg = (f"unperturbed must hold the same trials as ds ({ds.sizes['trial']}), got "
               f"{unperturbed.sizes['trial']}")
        raise ValueError(msg)
    for name in ("target_x", "target_y", "gain", "perturb_onset"):
        if not np.allclose(ds[name].values, unperturbed[name].values, atol=1e-6):
            msg = (f"unperturbed must be the same trials as ds, in the same order: its "
                   f"{name} differs (run it with perturbation=perturbations_of(ds) * [0, 0, 1])")
            raise ValueError(msg)
    if np.any(unperturbed["perturb_lin"].values != 0) or np.any(
            unperturbed["perturb_ang"].values != 0):
        msg = "unperturbed must have zero perturbation peaks (perturb_lin, perturb_ang)"
        raise ValueError(msg)
    for key in IDENTITY_ATTRS:  # the same network, run with the same noise draws
        mine, theirs = ds.attrs.get(key), unperturbed.attrs.get(key)
        if mine is None and theirs is None:
            if key in ("agent_id", "noise_seed"):
                msg = (f"ds and unperturbed do not say which network and noise made them (no "
                       f"{key} attribute): the twin cannot be checked; run both with "
                       "run_agent or record, or set the attribute on both")
                raise ValueError(msg)
            continue
        if mine != theirs:
            msg = (f"unperturbed must be the same network run with the same noise as ds: its "
                   f"{key} is {theirs!r}, ds's {mine!r}")
            raise ValueError(msg)


def integrated_perturbation(ds: xr.Dataset, config: object = None) -> pd.DataFrame:
    """The perturbation velocity summed over each trial's steps, times the step.

    ``P_i = dt * sum_{s < n_i} p_i * exp(-((s - t0_i - D/2) / sd)^2 / 2) * [t0_i <= s <=
    t0_i + D]``, with the trial's peak ``p_i``, onset ``t0_i`` and ``n_i`` steps, and the
    task's ``dt``, D (`perturb_duration_steps`) and sd (`perturb_sd_steps`): the paper's
    figure 6g x axis (its notebook sums the perturbation velocity of every step the trial
    ran and multiplies by dt). In cm for the linear, degrees for the angular component.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording of the perturbation task (``n_steps`` and the perturbation).
    config : TaskConfig or None, default=None
        The task; the recording's (its ``task_*`` attributes) when None.

    Returns
    -------
    pandas.DataFrame
        Indexed by trial: ``perturb_lin_integral_cm``, ``perturb_ang_integral_deg``.

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode import TaskConfig, fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.perturbation import integrated_perturbation
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(2), noise=False,
    ...                config=TaskConfig.perturbation_task(),
    ...                perturbation=[[100.0, 0.0, 0], [0.0, 60.0, 0]])
    >>> # the whole bump, 0.1 s * sum_k exp(-(k - 5)^2 / 8) = 0.4986 s, times the peaks
    >>> integrated_perturbation(ds).round(1).values.tolist()
    [[49.9, 0.0], [0.0, 29.9]]
    """
    peaks = perturbations_of(ds)
    check_recording(ds, ["n_steps"], analysis="integrated_perturbation")
    config = task_config(ds, config)
    profile = bump_profile(ds["perturb_onset"].values, ds.sizes["step"], config)
    ran = np.arange(ds.sizes["step"])[None, :] < ds["n_steps"].values[:, None]
    area = (profile * ran).sum(axis=1) * config.dt
    return pd.DataFrame({"perturb_lin_integral_cm": peaks[:, 0] * area,
                         "perturb_ang_integral_deg": peaks[:, 1] * area},
                        index=pd.Index(ds["trial"].values, name="trial"))


def belief_perturbation_errors(ds: xr.Dataset, result: object,
                               config: object = None) -> pd.DataFrame:
    """The decoded belief's error at each trial's end, beside the integrated perturbation.

    At each trial's last tested step s (the decoded position ``(x̂, ŷ)``, the true one
    ``(x, y)``, both from the start, in cm): the radial error ``e_r = sqrt(x̂² + ŷ²) -
    sqrt(x² + y²)`` (cm) and the angular error ``e_θ = atan2(ŷ, x̂) - atan2(y, x)``
    (degrees), as the paper's figure 6g computes them, beside `integrated_perturbation`.
    A belief that leaves out a forward push falls short of the true distance (``e_r ≈
    -P_lin``); one that follows it has ``e_r ≈ 0``.

    Parameters
    ----------
    ds : xarray.Dataset
        The recording `result` decoded (the perturbation task).
    result : DecodingResult
        `decode` of ``pos_x`` and ``pos_y`` on `ds`.
    config : TaskConfig or None, default=None
        The task; the recording's when None.

    Returns
    -------
    pandas.DataFrame
        One row per tested trial: ``trial``, ``last_step``, ``perturb_lin_integral_cm``,
        ``perturb_ang_integral_deg``, ``belief_error_radial_cm``,
        ``belief_error_angle_deg``.

    Examples
    --------
    >>> from navdecode import TaskConfig, decode, fixed_targets, load_pretrained, run_agent
    >>> from navdecode.analysis.perturbation import belief_perturbation_errors
    >>> ds = run_agent(load_pretrained("modular", 0), fixed_targets(40),
    ...                config=TaskConfig.perturbation_task())
    >>> frame = belief_perturbation_errors(ds, decode(ds, n_splits=4))
    >>> len(frame), list(frame.columns)[-2:]
    (40, ['belief_error_radial_cm', 'belief_error_angle_deg'])
    """
    check_recording(ds, ["pos_x", "pos_y"], analysis="belief_perturbation_errors")
    predicted = getattr(result, "predicted", None)
    if not isinstance(predicted, xr.Dataset) or not {"pos_x", "pos_y"} <= set(predicted):
        msg = ("result must be a DecodingResult of pos_x and pos_y (decode(ds) with its "
               "default targets)")
        raise TypeError(msg) if not isinstance(predicted, xr.Dataset) else ValueError(msg)
    check_source(ds, predicted, "result")
    trials = predicted["trial"].values
    integral = integrated_perturbation(ds, config).loc[trials]
    px, py = predicted["pos_x"].values, predicted["pos_y"].values
    tested = np.isfinite(px) & np.isfinite(py)
    keep = tested.any(axis=1)
    last = px.shape[1] - 1 - np.argmax(tested[:, ::-1], axis=1)
    rows = np.arange(len(trials))
    true = ds.sel(trial=trials)
    tx, ty = true["pos_x"].values[rows, last], true["pos_y"].values[rows, last]
    dx, dy = px[rows, last], py[rows, last]
    frame = pd.DataFrame({
        "trial": trials, "last_step": last,
        "perturb_lin_integral_cm": integral["perturb_lin_integral_cm"].values,
        "perturb_ang_integral_deg": integral["perturb_ang_integral_deg"].values,
        "belief_error_radial_cm": np.hypot(dx, dy) - np.hypot(tx, ty),
        "belief_error_angle_deg": np.degrees(np.arctan2(dy, dx) - np.arctan2(ty, tx))})
    return frame[keep].reset_index(drop=True)


def belief_perturbation_slopes(errors: pd.DataFrame) -> pd.Series:
    """How much of the integrated perturbation the belief misses: slopes and Pearson's r.

    ``slope = sum_i P_i e_i / sum_i P_i²`` (a line through the origin, the paper's
    figure 6g regression, ``LinearRegression(fit_intercept=False)``) and Pearson's r
    between ``P`` and ``e``, for the linear (cm per cm) and angular (degree per degree)
    components of `belief_perturbation_errors`. -1: the belief ignores the perturbation;
    0: it is not misled by it.

    Parameters
    ----------
    errors : pandas.DataFrame
        `belief_perturbation_errors`.

    Returns
    -------
    pandas.Series
        ``slope_lin``, ``r_lin``, ``slope_ang``, ``r_ang``, ``n_trials``.

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.analysis.perturbation import belief_perturbation_slopes
    >>> errors = pd.DataFrame({"perturb_lin_integral_cm": [10.0, -20.0, 30.0],
    ...                        "belief_error_radial_cm": [-5.0, 10.0, -15.0],
    ...                        "perturb_ang_integral_deg": [1.0, 2.0, 3.0],
    ...                        "belief_error_angle_deg": [-1.0, -2.0, -3.0]})
    >>> belief_perturbation_slopes(errors)[["slope_lin", "slope_ang"]].tolist()
    [-0.5, -1.0]
    """
    needs = ["perturb_lin_integral_cm", "belief_error_radial_cm",
             "perturb_ang_integral_deg", "belief_error_angle_deg"]
    if not isinstance(errors, pd.DataFrame):
        msg = f"errors must be a DataFrame (belief_perturbation_errors), got " \
              f"{type(errors).__name__}"
        raise TypeError(msg)
    missing = [c for c in needs if c not in errors]
    if missing:
        msg = f"errors is missing columns {missing} (see belief_perturbation_errors)"
        raise ValueError(msg)
    out = {}
    for part, p, e in (("lin", *needs[:2]), ("ang", *needs[2:])):
        x, y = errors[p].to_numpy(float), errors[e].to_numpy(float)
        both = np.isfinite(x) & np.isfinite(y)
        x, y = x[both], y[both]
        out[f"slope_{part}"] = zero_intercept_slope(x, y) if (x != 0).any() else np.nan
        out[f"r_{part}"] = pearson_r(x, y) if len(x) >= 3 else np.nan
    out["n_trials"] = len(errors)
    return pd.Series(out)


def compensation_kernels(ds: xr.Dataset, unperturbed: xr.Dataset, window_steps: int = 21,
                         config: object = None) -> pd.DataFrame:
    """The agent's compensation for a perturbation, from its onset on (figure S6a-b).

    For trial i with onset ``t0_i`` and lag k = 0 .. ``window_steps - 1``, the change in
    the command against the same trial run without the perturbation, in velocity units:
    ``d_lin_i(k) = G_lin g_i (a_lin_i(t0_i + k) - ã_lin_i(t0_i + k))`` (cm/s) and
    ``d_ang_i(k) = G_ang g_i s_i (a_ang_i(t0_i + k) - ã_ang_i(t0_i + k))`` (deg/s), where
    ``G`` is the task's joystick gain at 1x (`gain_lin_cm_s`, `gain_ang_deg_s`), ``g_i``
    the trial's gain factor, an action after a trial's end counts 0 (the agent has
    stopped), and ``s_i = sign(θ_i - 90°)`` with θ_i the target's polar angle (positive
    for a target on the left). The kernel is the mean over a group's trials: linear
    ``forward`` (peak > 0) and ``backward`` (peak < 0); angular ``congruent`` (the push
    turns toward the target's side, ``(θ_i - 90°) p_ang_i > 0``) and ``incongruent``. The
    sign ``s_i`` is the paper's: positive means turning further toward the target's side.
    The paper's notebook reads its kernels the same way (2 s from onset, the actions times
    the joystick gain).

    Parameters
    ----------
    ds : xarray.Dataset
        The agent on the perturbation task.
    unperturbed : xarray.Dataset
        The same agent on the same trials (targets, gain, noise seed) with the peaks set
        to zero: ``run_agent(agent, targets, config=..., perturbation=perturbations_of(ds)
        * [0, 0, 1], seed=<ds's noise seed>)``; with the same noise seed the two differ
        only by the perturbation.
    window_steps : int, default=21
        Lags from onset (21 steps of 0.1 s: the paper's 2 s).
    config : TaskConfig or None, default=None
        The task; the recording's when None.

    Returns
    -------
    pandas.DataFrame
        One row per (component, group, lag): ``component`` (``linear``, ``angular``),
        ``group``, ``lag_step``, ``time_s``, ``kernel`` (cm/s or deg/s), ``units``,
        ``n_trials``.

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode import TaskConfig, fixed_targets, load_pretrained, run_agent
    >>> from navdecode.analysis.perturbation import compensation_kernels, perturbations_of
    >>> agent, config = load_pretrained("modular", 0), TaskConfig.perturbation_task()
    >>> ds = run_agent(agent, fixed_targets(20), config=config)
    >>> twin = run_agent(agent, fixed_targets(20), config=config,
    ...                  perturbation=perturbations_of(ds) * [0, 0, 1])
    >>> kernels = compensation_kernels(ds, twin)
    >>> sorted(kernels["group"].unique())
    ['backward', 'congruent', 'forward', 'incongruent']
    """
    check_recording(ds, ["action_lin", "action_ang"], analysis="compensation_kernels")
    check_recording(unperturbed, ["action_lin", "action_ang"], analysis="compensation_kernels",
                    name="unperturbed")
    window = check_int(window_steps, "window_steps", minimum=1)
    config = task_config(ds, config)
    check_twin(ds, unperturbed, "compensation_kernels")
    peaks = perturbations_of(ds)
    onset = peaks[:, 2].astype(int)
    n_steps = ds.sizes["step"]
    index = onset[:, None] + np.arange(window)[None, :]
    inside = index < n_steps
    index = np.minimum(index, n_steps - 1)
    rows = np.arange(len(onset))[:, None]

    def aligned(recording: xr.Dataset, name: str) -> np.ndarray:
        values = np.nan_to_num(recording[name].values.astype(float))  # after the end: 0
        return np.where(inside, values[rows, index], 0.0)

    gain = ds["gain"].values.astype(float)[:, None]
    d_lin = config.gain_lin_cm_s * gain * (aligned(ds, "action_lin")
                                           - aligned(unperturbed, "action_lin"))
    theta = np.degrees(np.arctan2(ds["target_y"].values, ds["target_x"].values))
    side = np.sign(theta - 90.0)[:, None]
    d_ang = config.gain_ang_deg_s * gain * side * (aligned(ds, "action_ang")
                                                   - aligned(unperturbed, "action_ang"))
    groups = {("linear", "forward"): (d_lin, peaks[:, 0] > 0),
              ("linear", "backward"): (d_lin, peaks[:, 0] < 0),
              ("angular", "congruent"): (d_ang, (theta - 90.0) * peaks[:, 1] > 0),
              ("angular", "incongruent"): (d_ang, (theta - 90.0) * peaks[:, 1] < 0)}
    lags = np.arange(window)
    parts = []
    for (component, group), (diff, members) in groups.items():
        kernel = diff[members].mean(axis=0) if members.any() else np.full(window, np.nan)
        parts.append(pd.DataFrame({
            "component": component, "group": group, "lag_step": lags,
            "time_s": lags * config.dt, "kernel": kernel,
            "units": "cm/s" if component == "linear" else "deg/s",
            "n_trials": int(members.sum())}))
    return pd.concat(parts, ignore_index=True)
