"""Frozen configuration dataclasses holding every published number as a default."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

__all__ = ["TaskConfig", "config_attrs"]


@dataclass(frozen=True)
class TaskConfig:
    """Settings of the firefly navigation task (Zhang, Pitkow & Angelaki 2024).

    Every default is the published value. Lengths are given in cm and times in s;
    the task converts them to model units (1 unit = `length_unit_cm`) internally.

    Examples
    --------
    >>> from navdecode import TaskConfig
    >>> TaskConfig().max_steps
    35
    >>> TaskConfig(obs_noise=False).obs_noise
    False
    """

    dt: float = 0.1
    """Duration of one time step, in s."""
    max_steps: int = 35
    """Longest trial in steps (3.5 s); a trial still running then is truncated."""
    length_unit_cm: float = 400.0
    """Length of one model unit, in cm."""
    target_r_min_cm: float = 100.0
    """Smallest target distance, in cm (r^2 is drawn uniformly)."""
    target_r_max_cm: float = 400.0
    """Largest target distance, in cm."""
    target_angle_deg: float = 35.0
    """Targets lie uniformly within +-this angle of straight ahead, in degrees."""
    target_visible_steps: int = 4
    """The target position is part of the actor input at steps 0 .. this - 1 (300 ms)."""
    reward_radius_cm: float = 65.0
    """Radius of the reward zone around the target, in cm."""
    gain_lin_cm_s: float = 200.0
    """Joystick gain (1x) of the linear velocity, in cm/s."""
    gain_ang_deg_s: float = 90.0
    """Joystick gain (1x) of the angular velocity, in deg/s."""
    process_noise_std: float = 0.2
    """Process-noise std as a fraction of the gain in use."""
    obs_noise_std: float = 0.1
    """Observation-noise std as a fraction of the gain in use."""
    process_noise: bool = True
    """Whether process noise is added to the velocities."""
    obs_noise: bool = True
    """Whether observation noise is added to the observed velocities."""
    stop_threshold: float = 0.1
    """An action is a stop when both |action| components are below this."""
    reward_value: float = 10.0
    """Reward for stopping inside the reward zone."""
    reward_width_divisor: float = 1.5
    """Outside the zone the reward is Gaussian with s = reward_radius_cm / this."""
    reward_floor: float = 0.01
    """Smallest reward given for a stop outside the zone."""
    perturbation: bool = False
    """The paper's perturbation task: a Gaussian bump added to the joystick velocity.

    At step ``t`` (the step whose action sets the velocity) with onset step ``t0`` the
    bump is ``peak * exp(-((t - t0 - D/2) / sd)^2 / 2)`` for ``t0 <= t <= t0 + D``
    (D = `perturb_duration_steps`, sd = `perturb_sd_steps`), 0 otherwise; not scaled by
    the gain."""
    perturb_lin_range_cm_s: tuple[float, float] = (-200.0, 200.0)
    """Peak linear perturbation, drawn uniformly in this range (cm/s); the paper's large
    variant is (-200, 800)."""
    perturb_ang_range_deg_s: tuple[float, float] = (-120.0, 120.0)
    """Peak angular perturbation, drawn uniformly in this range (deg/s); large: (-180, 180)."""
    perturb_sd_steps: float = 2.0
    """Standard deviation of the bump's Gaussian profile, in steps (0.2 s)."""
    perturb_duration_steps: int = 10
    """The profile is sampled at 0..this steps from onset (11 steps, 1 s), centred at half."""
    perturb_onset_max_step: int = 10
    """Onset step drawn uniformly from the integers 0..this."""

    @classmethod
    def perturbation_task(cls, large: bool = False, **kwargs: object) -> TaskConfig:
        """The paper's perturbation task (its large variant when `large`).

        Examples
        --------
        >>> from navdecode import TaskConfig
        >>> TaskConfig.perturbation_task(large=True).perturb_lin_range_cm_s
        (-200.0, 800.0)
        """
        ranges = ({"perturb_lin_range_cm_s": (-200.0, 800.0),
                   "perturb_ang_range_deg_s": (-180.0, 180.0)} if large else {})
        return cls(**{"perturbation": True, **ranges, **kwargs})

    def __post_init__(self) -> None:
        from navdecode._validation import check_positive

        for name in ("dt", "length_unit_cm", "target_r_min_cm", "reward_radius_cm",
                     "gain_lin_cm_s", "gain_ang_deg_s", "stop_threshold", "perturb_sd_steps"):
            check_positive(getattr(self, name), name)
        for name in ("perturb_lin_range_cm_s", "perturb_ang_range_deg_s"):
            low, high = getattr(self, name)
            if not (math.isfinite(low) and math.isfinite(high) and low <= high):
                msg = f"{name} must be a finite (low, high) with low <= high, got {(low, high)}"
                raise ValueError(msg)
        for name in ("max_steps", "target_visible_steps", "perturb_duration_steps",
                     "perturb_onset_max_step"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                msg = f"{name} must be an int, got {type(value).__name__}"
                raise TypeError(msg)
        if self.perturb_duration_steps < 0 or self.perturb_onset_max_step < 0:
            msg = "perturb_duration_steps and perturb_onset_max_step must be >= 0"
            raise ValueError(msg)
        if self.max_steps < 1:
            msg = f"max_steps must be >= 1, got {self.max_steps=}"
            raise ValueError(msg)
        if self.target_r_max_cm < self.target_r_min_cm:
            msg = (f"target_r_max_cm must be >= target_r_min_cm, got "
                   f"{self.target_r_min_cm=}, {self.target_r_max_cm=}")
            raise ValueError(msg)
        for name in ("process_noise_std", "obs_noise_std", "target_angle_deg"):
            if getattr(self, name) < 0:
                msg = f"{name} must be >= 0, got {getattr(self, name)}"
                raise ValueError(msg)

    @property
    def gain_model(self) -> tuple[float, float]:
        """Joystick gain (1x) in model units: (units/s, rad/s)."""
        return (self.gain_lin_cm_s / self.length_unit_cm, math.radians(self.gain_ang_deg_s))

    def to_model(self, cm: float) -> float:
        """Convert a length in cm to model units."""
        return cm / self.length_unit_cm


def config_attrs(config: object, prefix: str) -> dict[str, float | int | str]:
    """Flatten a config dataclass into netCDF-safe attributes (bools become ints)."""
    out: dict[str, float | int | str] = {}
    values = asdict(config)  # type: ignore[call-overload]
    for f in fields(config):  # type: ignore[arg-type]
        value = values[f.name]
        if isinstance(value, bool):
            value = int(value)
        elif value is None:
            value = ""
        elif isinstance(value, (tuple, list)):
            value = ",".join(str(v) for v in value)
        out[f"{prefix}{f.name}"] = value
    return out


def config_from_attrs(cls: type, attrs: dict[str, object], prefix: str) -> object:
    """The inverse of `config_attrs`: a config dataclass from flat attributes (defaults for
    the fields that are absent)."""
    kwargs: dict[str, object] = {}
    defaults = cls()
    for f in fields(cls):
        if f"{prefix}{f.name}" not in attrs:
            continue
        value, default = attrs[f"{prefix}{f.name}"], getattr(defaults, f.name)
        if isinstance(default, bool):
            kwargs[f.name] = bool(value)
        elif isinstance(default, tuple):
            kwargs[f.name] = tuple(float(v) for v in str(value).split(","))
        else:
            kwargs[f.name] = type(default)(value)
    return cls(**kwargs)
