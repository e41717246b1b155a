"""Input checks shared by every public function (one place, not copied)."""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np
import pandas as pd
import torch

__all__: list[str] = []


def check_positive(value: object, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as float, raising unless it is a finite number > 0 (>= 0 if allowed)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"{name} must be a real number, got {type(value).__name__}"
        raise TypeError(msg)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        msg = f"{name} must be a finite number {bound}, got {name}={value!r}"
        raise ValueError(msg)
    return float(value)


def require(module: str, extra: str, feature: str) -> None:
    """Raise a ModuleNotFoundError naming the optional extra that provides `module`."""
    import importlib.util

    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        msg = f"{feature} needs {module}: pip install 'navdecode[{extra}]'"
        raise ModuleNotFoundError(msg, name=module)


def check_finite(value: object, name: str) -> float:
    """Return ``value`` as float, raising unless it is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"{name} must be a real number, got {type(value).__name__}"
        raise TypeError(msg)
    if not np.isfinite(value):
        msg = f"{name} must be finite, got {name}={value!r}"
        raise ValueError(msg)
    return float(value)


def check_int(value: object, name: str, minimum: int | None = None) -> int:
    """Return ``value`` as int, raising unless it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        msg = f"{name} must be an int, got {type(value).__name__}"
        raise TypeError(msg)
    if minimum is not None and value < minimum:
        msg = f"{name} must be >= {minimum}, got {name}={value!r}"
        raise ValueError(msg)
    return int(value)


def check_seed(seed: object, name: str = "seed") -> None:
    """Raise unless ``seed`` is None, a non-negative int or a numpy Generator."""
    if seed is None or isinstance(seed, np.random.Generator):
        return
    check_int(seed, name, minimum=0)


def check_path(path: object, name: str = "path") -> Path:
    """Return ``path`` as a Path, raising TypeError for anything but str / PathLike."""
    if not isinstance(path, (str, Path)):
        msg = f"{name} must be a str or pathlib.Path, got {type(path).__name__}"
        raise TypeError(msg)
    return Path(path)


def check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if not isinstance(value, str):
        msg = f"{name} must be a str, got {type(value).__name__}"
        raise TypeError(msg)
    if value not in choices:
        msg = f"{name} must be one of {choices}, got {name}={value!r}"
        raise ValueError(msg)
    return value


def as_float_array(value: object, name: str, shape_tail: tuple[int, ...]) -> np.ndarray:
    """Convert array-like ``value`` to a float64 array of shape ``(n, *shape_tail)``."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        msg = f"{name} must be array-like of shape (n, {', '.join(map(str, shape_tail))}), " \
              f"got {type(value).__name__}"
        raise TypeError(msg)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        msg = f"{name} must hold numbers, could not convert: {err}"
        raise TypeError(msg) from err
    if arr.ndim != 1 + len(shape_tail) or arr.shape[1:] != shape_tail or arr.shape[0] == 0:
        msg = f"{name} must have shape (n>0, {', '.join(map(str, shape_tail))}), got {arr.shape}"
        raise ValueError(msg)
    if not np.all(np.isfinite(arr)):
        msg = f"{name} must be finite, got NaN or inf"
        raise ValueError(msg)
    return arr


def check_device(device: object, name: str = "device") -> torch.device:
    """Return a torch.device, raising for anything that is not one."""
    if not isinstance(device, (str, torch.device)):
        msg = f"{name} must be a str or torch.device, got {type(device).__name__}"
        raise TypeError(msg)
    try:
        return torch.device(device)
    except RuntimeError as err:
        msg = f"{name} is not a valid torch device: {device!r}"
        raise ValueError(msg) from err


def check_device_here(device: object, name: str = "device") -> torch.device:
    """`check_device`, and the device must exist on this machine (no CUDA on a CPU build
    is a `ValueError` naming the argument, not torch's bare AssertionError)."""
    dev = check_device(device, name)
    if dev.type == "cuda" and not torch.cuda.is_available():
        msg = f"{name}={str(device)!r} but this torch has no CUDA device; use {name}='cpu'"
        raise ValueError(msg)
    if dev.type == "mps" and not torch.backends.mps.is_available():
        msg = f"{name}={str(device)!r} but MPS is not available here; use {name}='cpu'"
        raise ValueError(msg)
    return dev


def torch_generator(
    seed: int | np.random.Generator | None, device: torch.device
) -> torch.Generator:
    """Make a torch Generator on ``device`` from an int, a numpy Generator or None."""
    check_seed(seed)
    gen = torch.Generator(device=device)
    if seed is None:
        gen.seed()
    elif isinstance(seed, np.random.Generator):
        gen.manual_seed(int(seed.integers(0, 2**63 - 1)))
    else:
        gen.manual_seed(int(seed))
    return gen


def check_bool(value: object, name: str) -> bool:
    """Raise TypeError unless ``value`` is a bool (not 0 / 1, not a numpy bool's string)."""
    if not isinstance(value, bool):
        msg = f"{name} must be a bool, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def check_instance(value: object, name: str, types: type | tuple[type, ...],
                   expected: str) -> object:
    """Raise TypeError unless ``isinstance(value, types)``; `expected` reads "a TaskConfig"."""
    if not isinstance(value, types):
        msg = f"{name} must be {expected}, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def check_table(df: object, columns: list[str], name: str = "df") -> pd.DataFrame:
    """Raise unless ``df`` is a non-empty DataFrame holding ``columns``."""
    if not isinstance(df, pd.DataFrame):
        msg = f"{name} must be a pandas.DataFrame, got {type(df).__name__}"
        raise TypeError(msg)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        msg = f"{name} is missing columns {missing}; it has {list(df.columns)}"
        raise ValueError(msg)
    if df.empty:
        msg = f"{name} is empty"
        raise ValueError(msg)
    return df
