"""Saving and loading recordings: netCDF (h5netcdf) or zarr, written atomically.

Chunked per trial and compressed; `load_dataset` opens lazily (dask) when asked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from navdecode._io import atomic_write, atomic_write_dir, clean_stale, reading_dir, recover_dir
from navdecode._validation import check_bool, check_instance, check_path, require

__all__ = ["check_destination", "load_dataset", "save_dataset"]


_SUFFIXES = {".nc": "netcdf", ".h5": "netcdf", ".netcdf": "netcdf", ".zarr": "zarr"}



def _format(path: Path, format: str | None) -> str:
    """The format a path's suffix names; `format` must agree with it."""
    if format is not None and format not in ("netcdf", "zarr"):
        msg = f"format must be 'netcdf', 'zarr' or None, got {format=}"
        raise ValueError(msg)
    from_suffix = _SUFFIXES.get(path.suffix.lower())
    if from_suffix is None and format is None:
        msg = f"cannot tell the format of {str(path)!r}: use a .nc or .zarr suffix or format="
        raise ValueError(msg)
    if from_suffix is not None and format is not None and format != from_suffix:
        msg = (f"format={format!r} disagrees with the suffix of {str(path)!r} "
               f"({from_suffix}); a file must be read back in the format its name says")
        raise ValueError(msg)
    return format or from_suffix



def _encoding(ds: xr.Dataset, netcdf: bool) -> dict[str, dict]:
    """Compressed, chunked per block of trials (so lazy loading has several chunks)."""
    n_trials = ds.sizes.get("trial", 1)
    block = max(1, min(n_trials, 100))
    out = {}
    for name, var in ds.data_vars.items():
        if "trial" not in var.dims or var.dtype.kind not in "fiub":
            continue
        chunks = tuple(block if d == "trial" else ds.sizes[d] for d in var.dims)
        out[name] = ({"zlib": True, "complevel": 4, "chunksizes": chunks} if netcdf
                     else {"chunks": chunks})
    return out



def _is_zarr_store(path: Path) -> bool:
    return path.is_dir() and any((path / m).exists() for m in (".zgroup", ".zmetadata",
                                                                  "zarr.json"))


def check_destination(path: str | Path, format: str | None = None,
                      overwrite: bool = False) -> Path:
    """Refuse to replace an existing output unless told, and never replace what is not a
    recording of the same format (a user's folder named ``x.zarr``, a file for a store).

    `save_dataset` calls it; commands call it before long work, so a refusal comes first.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from navdecode.recording.store import check_destination
    >>> check_destination(pathlib.Path(tempfile.mkdtemp()) / "new.nc").name
    'new.nc'
    """
    path = check_path(path)
    _refuse_replacing(path, _format(path, format), overwrite)
    return path


def _refuse_replacing(path: Path, kind: str, overwrite: bool) -> None:
    if not (path.exists() or path.is_symlink()):
        return
    if kind == "zarr" and not _is_zarr_store(path):
        what = "a folder" if path.is_dir() else "a file"
        msg = (f"{str(path)!r} exists and is {what}, not a zarr store; refusing to replace it "
               "(choose another path or remove it yourself)")
        raise ValueError(msg)
    if kind == "netcdf" and path.is_dir():
        msg = f"{str(path)!r} is a folder; refusing to replace it with a netCDF file"
        raise ValueError(msg)
    if not overwrite:
        msg = (f"{str(path)!r} exists; pass overwrite=True (--force on the command line) "
               "to replace it")
        raise ValueError(msg)


def save_dataset(ds: xr.Dataset, path: str | Path, format: str | None = None, *,
                 overwrite: bool = False) -> Path:
    """Write a recording to netCDF (``.nc``) or zarr (``.zarr``), atomically.

    netCDF variables are compressed (zlib) and chunked by blocks of 100 trials; zarr
    stores are written in zarr format 2 (readable by zarr-python 2 and 3 and other
    implementations; format 3 has no specification yet for the text labels of the
    ``input`` coordinate) with consolidated metadata, so `xarray.open_zarr` reads them
    as they are.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording.
    path : str or pathlib.Path
        Destination; the format follows the suffix unless `format` is given.
    format : {"netcdf", "zarr"} or None, default=None
    overwrite : bool, default=False
        Replace an existing recording at `path`. Without it an existing path is refused;
        with it, only a recording of the same format is replaced (a folder that is not a
        zarr store, or a file where a store should be, is always refused).

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    ValueError
        If `path` exists (without `overwrite`) or is not a recording of its format.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from navdecode import fixed_targets, load_dataset, make_agent, run_agent, save_dataset
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(4))
    >>> path = save_dataset(ds, pathlib.Path(tempfile.mkdtemp()) / "run.nc")
    >>> load_dataset(path).sizes["trial"]
    4
    """
    check_instance(ds, "ds", xr.Dataset, "an xarray.Dataset")
    check_bool(overwrite, "overwrite")
    path = check_path(path)
    kind = _format(path, format)
    if kind == "zarr":
        recover_dir(path)  # a swap killed half-way: the previous store back under its name
    _refuse_replacing(path, kind, overwrite)
    if kind == "netcdf":
        encoding = _encoding(ds, netcdf=True)
        atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding))
    else:
        require("zarr", "zarr", "saving .zarr recordings")
        encoding = _encoding(ds, netcdf=False)
        atomic_write_dir(path, lambda tmp: ds.to_zarr(tmp, mode="w", consolidated=True,
                                                      encoding=encoding, zarr_format=2,
                                                      write_empty_chunks=True))
    return path



def _missing_chunks(path: Path) -> list[str]:
    """Variables of a zarr (format 2) store with fewer chunk files than their shape needs."""
    import json

    missing = []
    for meta in sorted(path.glob("*/.zarray")):
        spec = json.loads(meta.read_text())
        expected = int(np.prod([-(-n // c) if n else 0 for n, c in
                                zip(spec["shape"], spec["chunks"], strict=True)]))
        present = sum(1 for f in meta.parent.iterdir() if not f.name.startswith("."))
        if present < expected:
            missing.append(f"{meta.parent.name} ({present} of {expected} chunks)")
    return missing



def load_dataset(path: str | Path, chunks: dict[str, int] | None = None,
                 format: str | None = None) -> xr.Dataset:
    """Read a recording written by `save_dataset`.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.nc`` file or ``.zarr`` store.
    chunks : dict or None, default=None
        None loads everything into memory; a dict opens it lazily as dask arrays:
        ``{}`` keeps the stored chunks (blocks of 100 trials), ``{"trial": 1000}`` sets
        them.
    format : {"netcdf", "zarr"} or None, default=None
        The format; it must agree with the suffix.

    Returns
    -------
    ds : xarray.Dataset

    Raises
    ------
    ValueError
        Naming the file: it does not exist, its format disagrees with its suffix, it is
        corrupt or truncated, or a zarr store lacks chunk files (which would otherwise
        read as NaN).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from navdecode import fixed_targets, load_dataset, make_agent, run_agent, save_dataset
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.nc"
    >>> _ = save_dataset(run_agent(make_agent("modular", seed=0), fixed_targets(4)), path)
    >>> load_dataset(path).sizes["trial"]
    4
    """
    path = check_path(path)
    kind = _format(path, format)
    if chunks is not None:
        require("dask", "sweep", "lazy loading (chunks=)")
    if kind == "zarr":
        require("zarr", "zarr", "loading .zarr recordings")
        # no swap runs while the store is opened (and, for eager loads, read)
        with reading_dir(path):
            return _load(path, kind, chunks)
    clean_stale(path)  # temporaries of killed saves
    return _load(path, kind, chunks)


def _load(path: Path, kind: str, chunks: dict[str, int] | None) -> xr.Dataset:
    if not path.exists():
        msg = f"path {str(path)!r} does not exist"
        raise ValueError(msg)
    if kind == "zarr" and not path.is_dir():
        msg = f"{str(path)!r} is not a zarr store (a directory)"
        raise ValueError(msg)
    if kind == "zarr":
        missing = _missing_chunks(path)
        if missing:
            msg = f"{str(path)!r} is an incomplete zarr store: missing chunk files of {missing}"
            raise ValueError(msg)
    try:
        if kind == "netcdf":
            ds = xr.open_dataset(path, engine="h5netcdf", chunks=chunks)
        else:
            consolidated = (path / ".zmetadata").exists() or (path / "zarr.json").exists()
            ds = xr.open_zarr(path, chunks=chunks, consolidated=consolidated or None)
        if chunks is None:
            ds = ds.load()
            ds.close()
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as err:
        msg = f"{str(path)!r} is not a readable {kind} recording (corrupt or truncated?): {err}"
        raise ValueError(msg) from err
    return ds
