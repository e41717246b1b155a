"""One recording's units for comparison across networks (CKA, Procrustes, DSA), read when
needed: in memory or written to disk (`Units.on_disk`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from navdecode.recording.identity import trial_ids
from navdecode.recording.schema import check_recording

__all__ = ["Units"]


class Units:
    """One recording's units for comparison: its trial ids, validity and a loader of its
    (trial, step, unit) array, read only when a pair needs it.

    `similarity_matrix` reads each recording's units once per network it is compared
    with after it (not once per pair member), so units may live on disk (`on_disk`): at
    most two networks' units are in memory at once.
    """

    def __init__(self, ids: np.ndarray, valid: np.ndarray, load: Callable[[], np.ndarray],
                 name: str, steps: np.ndarray | None = None) -> None:
        self.ids, self.valid, self.load, self.name = ids, valid, load, name
        self.steps = np.arange(valid.shape[1]) if steps is None else np.asarray(steps)

    @classmethod
    def of(cls, ds: xr.Dataset, features: str = "hidden", name: str = "ds") -> Units:
        """The units `features` of a recording (checked: a (trial, step, unit) variable)."""
        check_recording(ds, [features], analysis="similarity", name=name)
        if ds[features].ndim != 3:
            msg = (f"{name}[{features!r}] must have dims (trial, step, unit), got "
                   f"{ds[features].dims}")
            raise ValueError(msg)
        return cls(trial_ids(ds), ds["valid"].values.astype(bool),
                   lambda: ds[features].transpose("trial", "step", ...).values, name,
                   steps=ds["step"].values if "step" in ds.coords else None)

    @classmethod
    def on_disk(cls, ds: xr.Dataset, path: Path, features: str = "hidden",
                name: str = "ds") -> Units:
        """`of`, with the units written to `path` (``.npy``) and read back at each use."""
        units = cls.of(ds, features, name)
        np.save(path, np.ascontiguousarray(units.load(), dtype=np.float32))
        return cls(units.ids, units.valid, functools.partial(np.load, path), name,
                   steps=units.steps)
