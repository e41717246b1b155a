"""The ideal observer: an extended Kalman filter that knows the firefly task's dynamics.

It sees exactly what the agent saw, the observed velocities (``actor_input``'s first two
columns) and the agent's own actions, knows the dynamics, the gain and both noises, and
keeps a Gaussian belief over the state (x, y, heading, v, w). Its position error is the
best any agent could know; the agent's decoded position can be compared with it.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from navdecode._validation import check_bool
from navdecode.recording.schema import check_recording, task_config
from navdecode.task.firefly import OBS_COLUMNS

__all__ = ["ideal_observer"]

_EPS = 1e-12


def ideal_observer(ds: xr.Dataset, config: object = None,
                   knows_perturbation: bool = False) -> xr.Dataset:
    """The ideal observer's belief on the recording's (trial, step) grid.

    State s = (x, y, h, v, w) in model units, starting exactly at (0, 0, pi/2, 0, 0).
    Prediction from step t to t + 1 with the action a_t, the task's dynamics:
    ``x' = x + v cos(h) dt``, ``y' = y + v sin(h) dt``, ``h' = h + w dt``,
    ``(v', w') = g * a_t`` with process noise of standard deviation
    ``process_noise_std * |g|`` on (v', w'); the covariance is propagated with the
    Jacobian of this map (EKF). Update with the observed velocity
    ``o_{t+1} = (v', w') + noise`` of standard deviation ``obs_noise_std * |g|`` (a
    linear Kalman update). g is each trial's gain times the 1x joystick gain. A noise the
    task has switched off is zero for the filter too. By default the filter does not
    know a perturbation; it sees its effect only through the observed velocities.

    With ``knows_perturbation=True`` (the filter of the paper's code, told each trial's
    perturbation) the prediction adds the task's bump: ``(v', w') = g * a_t + p_t``,
    ``p_t = P * exp(-((t - t0 - D/2) / sd)^2 / 2)`` for ``0 <= t - t0 <= D`` and 0
    otherwise, with the trial's peak P (``perturb_lin``, ``perturb_ang``), onset t0
    (``perturb_onset``), and the task's D (``perturb_duration_steps``) and sd
    (``perturb_sd_steps``). navdecode's default leaves it out: an agent is never told the
    perturbation, so the untold filter is the best it could know.

    Parameters
    ----------
    ds : xarray.Dataset
        A firefly recording with ``actor_input``, ``action_lin``, ``action_ang``,
        ``gain`` and the task's ``task_*`` attributes.
    config : TaskConfig or None, default=None
        The task; read from the recording's attributes when None.
    knows_perturbation : bool, default=False
        Tell the filter each trial's perturbation (the paper's observer; needs a
        recording of the perturbation task).

    Returns
    -------
    belief : xarray.Dataset
        On (trial, step), NaN after each trial's end: ``belief_x``, ``belief_y`` (cm, the
        filter's mean position when the step's action is issued), ``belief_heading``
        (rad), ``belief_var_x``, ``belief_var_y``, ``belief_cov_xy`` (cm²) and
        ``observer_error`` (cm, distance from the true position when the recording has
        ``pos_x``, ``pos_y``).

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.observer import ideal_observer
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(4))
    >>> sorted(ideal_observer(ds).data_vars)[:2]
    ['belief_cov_xy', 'belief_heading']
    """
    check_recording(ds, ["actor_input", "action_lin", "action_ang", "gain"],
                    analysis="ideal_observer")
    check_bool(knows_perturbation, "knows_perturbation")
    config = task_config(ds, config)
    bump = _perturbation_velocity(ds, config) if knows_perturbation else None
    valid = ds["valid"].values.astype(bool)
    n, steps = valid.shape
    obs = np.nan_to_num(ds["actor_input"].values[..., OBS_COLUMNS].astype(float))
    act = np.nan_to_num(np.stack([ds["action_lin"].values, ds["action_ang"].values],
                                 axis=-1).astype(float))
    g = ds["gain"].values.astype(float)[:, None] * np.asarray(config.gain_model)[None]
    q = (config.process_noise_std * np.abs(g)) ** 2 if config.process_noise else np.zeros_like(g)
    r = (config.obs_noise_std * np.abs(g)) ** 2 if config.obs_noise else np.zeros_like(g)
    dt = config.dt
    obs_cov = np.zeros((n, 2, 2))
    obs_cov[:, 0, 0], obs_cov[:, 1, 1] = r[:, 0], r[:, 1]
    obs_cov += _EPS * np.eye(2)

    mean = np.zeros((n, 5))
    mean[:, 2] = math.pi / 2
    cov = np.zeros((n, 5, 5))
    means, covs = np.empty((n, steps, 5)), np.empty((n, steps, 5, 5))
    means[:, 0], covs[:, 0] = mean, cov
    for t in range(steps - 1):
        x, y, h, v, w = mean.T
        jac = np.zeros((n, 5, 5))
        jac[:, 0, 0] = jac[:, 1, 1] = jac[:, 2, 2] = 1.0
        jac[:, 0, 2], jac[:, 0, 3] = -v * np.sin(h) * dt, np.cos(h) * dt
        jac[:, 1, 2], jac[:, 1, 3] = v * np.cos(h) * dt, np.sin(h) * dt
        jac[:, 2, 4] = dt
        pred = np.stack([x + v * np.cos(h) * dt, y + v * np.sin(h) * dt, h + w * dt,
                         g[:, 0] * act[:, t, 0], g[:, 1] * act[:, t, 1]], axis=1)
        if bump is not None:
            pred[:, 3:] += bump[:, t]
        pcov = jac @ cov @ jac.transpose(0, 2, 1)
        pcov[:, 3, 3] += q[:, 0]
        pcov[:, 4, 4] += q[:, 1]
        # update with the observed velocities o_{t+1}; H picks (v, w)
        s_mat = pcov[:, 3:, 3:] + obs_cov
        gain_k = pcov[:, :, 3:] @ np.linalg.inv(s_mat)
        innovation = obs[:, t + 1] - pred[:, 3:]
        mean = pred + (gain_k @ innovation[:, :, None])[:, :, 0]
        cov = pcov - gain_k @ pcov[:, 3:, :]
        cov = (cov + cov.transpose(0, 2, 1)) / 2
        means[:, t + 1], covs[:, t + 1] = mean, cov
    unit = config.length_unit_cm

    def on_grid(values: np.ndarray) -> np.ndarray:
        return np.where(valid, values, np.nan)

    out = {
        "belief_x": on_grid(means[..., 0] * unit), "belief_y": on_grid(means[..., 1] * unit),
        "belief_heading": on_grid(means[..., 2]),
        "belief_var_x": on_grid(covs[..., 0, 0] * unit**2),
        "belief_var_y": on_grid(covs[..., 1, 1] * unit**2),
        "belief_cov_xy": on_grid(covs[..., 0, 1] * unit**2),
    }
    units = {"belief_heading": "rad", "belief_var_x": "cm2", "belief_var_y": "cm2",
             "belief_cov_xy": "cm2"}
    data = {k: (("trial", "step"), v, {"units": units.get(k, "cm"),
                                       "long_name": f"ideal observer {k[7:]}"})
            for k, v in out.items()}
    if "pos_x" in ds and "pos_y" in ds:
        err = np.hypot(out["belief_x"] - ds["pos_x"].values, out["belief_y"] - ds["pos_y"].values)
        data["observer_error"] = (("trial", "step"), err,
                                  {"units": "cm", "long_name": "ideal observer position error"})
    return xr.Dataset(data, coords={"trial": ds["trial"].values, "step": ds["step"].values})


def _perturbation_velocity(ds: xr.Dataset, config: object) -> np.ndarray:
    """Each trial's perturbation velocity added to the step-t action's velocity, (trial,
    step, 2) in model units, as `FireflyTask` adds it (its ``_bump`` at the trial's step t)."""
    check_recording(ds, ["perturb_lin", "perturb_ang", "perturb_onset"],
                    analysis="ideal_observer(knows_perturbation=True)")
    peak = np.stack([ds["perturb_lin"].values.astype(float) / config.length_unit_cm,
                     np.radians(ds["perturb_ang"].values.astype(float))], axis=1)
    if not np.isfinite(peak).all() or not np.isfinite(ds["perturb_onset"].values).all():
        msg = ("knows_perturbation=True needs a finite perturb_lin, perturb_ang and "
               "perturb_onset in every trial (a recording of the perturbation task)")
        raise ValueError(msg)
    duration, sd = config.perturb_duration_steps, config.perturb_sd_steps
    since = np.arange(ds.sizes["step"])[None] - ds["perturb_onset"].values.astype(float)[:, None]
    shape = np.exp(-0.5 * ((since - duration / 2) / sd) ** 2) * ((since >= 0) & (since <= duration))
    return peak[:, None, :] * shape[..., None]
