"""The target in the agent's own frame at every step: its distance and its angle.

The paper's figure 1l decodes these from the units beside the velocities and actions;
a recording holds positions, heading and the target, so they are computed here.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from navdecode._validation import check_choice
from navdecode.recording.schema import check_recording

__all__ = ["relative_to_target"]


def relative_to_target(ds: xr.Dataset, convention: str = "navdecode") -> xr.Dataset:
    """`ds` with the target's distance and angle relative to the agent at every step.

    With the agent at (x, y) heading h (rad, pi/2 = the initial forward direction) and
    the trial's target at (x_T, y_T):

    - ``target_distance = sqrt((x_T - x)^2 + (y_T - y)^2)`` (cm), either convention;
    - ``convention="navdecode"``: ``target_angle = wrap(atan2(y_T - y, x_T - x) - h)``
      (deg, wrapped to [-180, 180)), the target's bearing from where the agent faces:
      0 straight ahead, positive to the left (counter-clockwise);
    - ``convention="paper"``: ``target_angle = h - (atan2(y, x) - atan2(y_T, x_T))``
      (deg, unwrapped), the paper's "relative angle" (its ``get_relative_r_ang``). It
      compares the directions of the agent's and the target's positions seen from the
      start, not from the agent, and starts near h + atan2(y_T, x_T), about 180 deg, at
      the first step; navdecode's default is the egocentric bearing an agent steers by.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording with per-step ``pos_x``, ``pos_y`` (cm), ``heading`` (rad) and
        per-trial ``target_x``, ``target_y`` (cm).
    convention : {"navdecode", "paper"}, default="navdecode"
        Which angle (above).

    Returns
    -------
    ds : xarray.Dataset
        A copy with ``target_distance`` (cm) and ``target_angle`` (deg) on (trial, step),
        NaN where the trial has ended.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.target_frame import relative_to_target
    >>> ds = relative_to_target(run_agent(make_agent("modular", seed=0), fixed_targets(3)))
    >>> ds.target_distance.attrs["units"], ds.target_angle.attrs["units"]
    ('cm', 'degree')
    """
    check_recording(ds, ["pos_x", "pos_y", "heading", "target_x", "target_y"],
                    analysis="relative_to_target")
    check_choice(convention, "convention", ("navdecode", "paper"))
    x, y = ds["pos_x"].values.astype(float), ds["pos_y"].values.astype(float)
    h = ds["heading"].values.astype(float)
    tx = ds["target_x"].values.astype(float)[:, None]
    ty = ds["target_y"].values.astype(float)[:, None]
    distance = np.hypot(tx - x, ty - y)
    if convention == "navdecode":
        angle = np.degrees(np.arctan2(ty - y, tx - x) - h)
        angle = (angle + 180.0) % 360.0 - 180.0
    else:
        angle = np.degrees(h - (np.arctan2(y, x) - np.arctan2(ty, tx)))
    valid = ds["valid"].values.astype(bool)
    dims = ("trial", "step")
    return ds.assign(
        target_distance=(dims, np.where(valid, distance, np.nan),
                         {"units": "cm", "long_name": "distance from the agent to the target"}),
        target_angle=(dims, np.where(valid, angle, np.nan),
                      {"units": "degree", "convention": convention,
                       "long_name": "angle of the target relative to the agent"}))
