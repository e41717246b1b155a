"""Who made a recording and which trials it holds: the one reader of both.

A recording names its network apart from the rollout's noise: ``label`` (the architecture
or any label the user compares), ``agent_seed`` (the seed the network was made or trained
with, -1 when unknown), ``agent_id`` (``"<label>-seed<agent_seed>"`` or an id the user
gives) and ``noise_seed`` (the seed of the rollout's noise, never the network's). Every
consumer (controls, report, stacking, similarity) asks `recording_identity`.

Each trial carries ``trial_id``: a content hash of what defines the trial (target, gain,
perturbation), with ``#k`` for its k-th repeat, so that two recordings of the same trials
pair trial by trial whatever their order (`align_trials`), and copies of a trial are seen
as copies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

__all__ = ["IDENTITY_ATTRS", "TRIAL_ID_VARIABLES", "align_trials", "check_source",
           "fingerprint", "identity_attrs", "make_trial_ids", "positional",
           "recording_identity", "trial_ids"]

IDENTITY_ATTRS = ("agent_id", "agent_seed", "checkpoint", "noise_seed", "noise")
"""The attributes that say which network ran a recording and with which noise."""

TRIAL_ID_VARIABLES = ("target_x", "target_y", "gain", "perturb_lin", "perturb_ang",
                      "perturb_onset")
"""Per-trial values that define a trial; those a recording has make its ``trial_id``."""


def identity_attrs(label: str, *, agent_seed: int | None = None, agent_id: str | None = None,
                   checkpoint: str = "", noise_seed: object = None) -> dict[str, object]:
    """The identity attributes of a recording (flat and netCDF-safe).

    Examples
    --------
    >>> from navdecode.recording.identity import identity_attrs
    >>> identity_attrs("modular", agent_seed=3, noise_seed=0)["agent_id"]
    'modular-seed3'
    """
    seed = -1 if agent_seed is None or isinstance(agent_seed, bool) else int(agent_seed)
    if agent_id is None:
        agent_id = f"{label}-seed{seed}" if seed >= 0 else ""
    noise = int(noise_seed) if isinstance(noise_seed, (int, np.integer)) and not isinstance(
        noise_seed, bool) else -1
    return {"label": str(label), "agent_seed": seed, "agent_id": str(agent_id),
            "checkpoint": str(checkpoint), "noise_seed": noise}


def recording_identity(ds: xr.Dataset, *, label: str | None = None, agent: str | None = None,
                       name: str = "ds") -> dict[str, object]:
    """The network a recording came from: its label, agent id and agent seed.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording.
    label : str or None, default=None
        Overrides the recording's ``label`` (``arch`` for recordings made before labels).
    agent : str or None, default=None
        Overrides the recording's ``agent_id``.
    name : str, default="ds"
        How errors name the recording.

    Returns
    -------
    identity : dict
        ``label`` (str), ``agent`` (str, unique per network) and ``agent_seed`` (int, -1
        when unknown).

    Raises
    ------
    ValueError
        If the recording names no network and none is passed: the rollout's noise seed
        is never taken for the network's.

    Examples
    --------
    >>> from navdecode import fixed_targets, load_pretrained, run_agent
    >>> ds = run_agent(load_pretrained("modular", 3), fixed_targets(2), seed=0)
    >>> recording_identity(ds)
    {'label': 'modular', 'agent': 'modular-seed3', 'agent_seed': 3}
    """
    attrs = ds.attrs
    label = label if label is not None else str(attrs.get("label", attrs.get("arch", "")))
    seed = int(attrs.get("agent_seed", -1))
    agent = agent if agent is not None else str(attrs.get("agent_id", "")) or (
        f"{label}-seed{seed}" if seed >= 0 else "")
    if not label or not agent:
        msg = (f"{name} does not say which network it came from (label {label!r}, agent_seed "
               f"{seed}, no agent_id); record it with label= and agent_seed= (or agent_id=), "
               f"or pass label= / agent= here. Its noise seed is not the network's seed.")
        raise ValueError(msg)
    return {"label": label, "agent": agent, "agent_seed": seed}


def make_trial_ids(trials: Mapping[str, np.ndarray], n_trials: int) -> np.ndarray:
    """Trial ids from the values that define each trial (`TRIAL_ID_VARIABLES`).

    ``id = hex(h)[:12] + "#k"``: ``h`` a 64-bit hash of the values rounded to 1e-4 (cm,
    deg/s, steps), mixed column by column with splitmix64 (vectorised over trials), ``k``
    counting earlier trials with the same values; ``"trial-<i>#0"`` when no defining
    value is recorded (trials are then told apart by position only).

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode.recording.identity import make_trial_ids
    >>> ids = make_trial_ids({"target_x": np.array([1.0, 2.0, 1.0]),
    ...                       "target_y": np.array([5.0, 5.0, 5.0])}, 3)
    >>> ids[0] == ids[2].replace("#1", "#0"), ids[0] != ids[1]
    (True, True)
    """
    keys = [k for k in TRIAL_ID_VARIABLES if k in trials]
    if not keys:
        return np.char.add(np.char.add("trial-", np.arange(n_trials).astype(str)), "#0")
    quantised = np.column_stack([np.rint(np.asarray(trials[k], dtype=float) * 1e4)
                                 for k in keys]).astype(np.int64).view(np.uint64)
    h = np.full(len(quantised), 0x243F6A8885A308D3, dtype=np.uint64)
    for j in range(quantised.shape[1]):  # over the few defining columns, not trials
        h = _splitmix(h ^ _splitmix(quantised[:, j] + np.uint64(j + 1)))
    digest = np.frombuffer(h.astype(">u8").tobytes().hex().encode(), dtype="S16").astype(
        "S12").astype(str)
    # k: how many earlier trials share the digest (a stable sort groups them in order)
    order = np.argsort(digest, kind="stable")
    sorted_digest = digest[order]
    starts = np.r_[True, sorted_digest[1:] != sorted_digest[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    repeat = np.empty(len(order), dtype=np.int64)
    repeat[order] = np.arange(len(order)) - first
    return np.char.add(np.char.add(digest, "#"), repeat.astype(str))


def positional(ids: np.ndarray) -> bool:
    """Whether trial ids are the positional ones `make_trial_ids` gives a recording with
    nothing that defines its trials (``"trial-<i>#0"``): trials then told apart by their
    position only, so two such recordings cannot be paired trial by trial.

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode.recording.identity import make_trial_ids, positional
    >>> positional(make_trial_ids({}, 3)), positional(make_trial_ids(
    ...     {"target_x": np.array([1.0, 2.0])}, 2))
    (True, False)
    """
    ids = np.asarray(ids).astype(str)
    return bool(len(ids)) and bool(np.all(ids == make_trial_ids({}, len(ids))))


def _splitmix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on uint64 arrays (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = (x + np.uint64(0x9E3779B97F4A7C15))
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def trial_ids(ds: xr.Dataset) -> np.ndarray:
    """A recording's trial ids: its ``trial_id`` coordinate, else made from its trials."""
    if "trial_id" in ds.coords or "trial_id" in ds:
        return np.asarray(ds["trial_id"].values).astype(str)
    trials = {k: ds[k].values for k in TRIAL_ID_VARIABLES if k in ds.coords or k in ds}
    return make_trial_ids(trials, ds.sizes["trial"])


def _duplicates(ids: np.ndarray) -> list[str]:
    values, counts = np.unique(ids, return_counts=True)
    return values[counts > 1].tolist()


def align_trials(recordings: Sequence[xr.Dataset], names: Sequence[str] | None = None
                 ) -> list[xr.Dataset]:
    """Put recordings of the same trials in one trial order (the first one's), or refuse.

    Parameters
    ----------
    recordings : sequence of xarray.Dataset
        Recordings that should hold the same trials, in any order.
    names : sequence of str or None, default=None
        How errors name them (``recordings[i]`` when None).

    Returns
    -------
    aligned : list of xarray.Dataset
        The recordings, each reordered to the first one's trial ids.

    Raises
    ------
    ValueError
        If a recording repeats a trial id, or the recordings do not hold the same trials
        (the message counts and shows the ids that differ).

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(4))
    >>> a, b = align_trials([ds, ds.isel(trial=[3, 2, 1, 0])])
    >>> bool((a["target_x"].values == b["target_x"].values).all())
    True
    """
    names = list(names) if names is not None else [
        f"recordings[{i}]" for i in range(len(recordings))]
    ids = [trial_ids(ds) for ds in recordings]
    for name, these in zip(names, ids, strict=True):
        dup = _duplicates(these)
        if dup:
            msg = (f"{name} holds {len(dup)} trial id(s) more than once (e.g. {dup[0]!r}): "
                   f"a recording concatenated with itself cannot be paired trial by trial")
            raise ValueError(msg)
    first = ids[0]
    order = {trial: i for i, trial in enumerate(first)}
    aligned = [recordings[0]]
    for name, ds, these in zip(names[1:], recordings[1:], ids[1:], strict=True):
        only_first = sorted(set(first) - set(these))
        only_this = sorted(set(these) - set(first))
        if only_first or only_this:
            msg = (f"{name} and {names[0]} do not record the same trials: {len(only_this)} "
                   f"trial id(s) only in {name}, {len(only_first)} only in {names[0]} "
                   f"({len(these)} and {len(first)} trials; e.g. "
                   f"{(only_this or only_first)[0]!r}); record both on the same targets "
                   f"(e.g. fixed_targets) or select the shared trials first")
            raise ValueError(msg)
        index = np.argsort([order[t] for t in these])
        aligned.append(ds if (index == np.arange(len(index))).all() else ds.isel(trial=index))
    return aligned


def fingerprint(ds: xr.Dataset) -> str:
    """A short hash of what makes a recording the one it is: the network and noise it was
    run with (`IDENTITY_ATTRS`), its trials (`trial_ids`) and its positions. Results
    computed from a recording carry it (``attrs["recording"]``), so an analysis that is
    handed a result and a recording can check they belong together.

    Examples
    --------
    >>> from navdecode import fixed_targets, load_pretrained, run_agent
    >>> from navdecode.recording.identity import fingerprint
    >>> agent = load_pretrained("modular", 0)
    >>> a, b = (run_agent(agent, fixed_targets(3), seed=s) for s in (0, 1))
    >>> fingerprint(a) == fingerprint(a.copy()), fingerprint(a) == fingerprint(b)
    (True, False)
    """
    import hashlib

    digest = hashlib.sha1(usedforsecurity=False)
    for key in IDENTITY_ATTRS:
        digest.update(f"{key}={ds.attrs.get(key, '')};".encode())
    digest.update("|".join(trial_ids(ds)).encode())
    for name in ("pos_x", "pos_y"):
        if name in ds.variables:
            digest.update(np.ascontiguousarray(ds[name].values, dtype=np.float64).tobytes())
    return digest.hexdigest()[:16]


def check_source(ds: xr.Dataset, result: object, name: str) -> None:
    """Refuse a result (its ``attrs["recording"]``, as `decode` sets it) that was not
    computed from `ds` (`fingerprint`), naming the argument `name`.

    Examples
    --------
    >>> from navdecode import decode, fixed_targets, load_pretrained, run_agent
    >>> from navdecode.recording.identity import check_source
    >>> ds = run_agent(load_pretrained("modular", 0), fixed_targets(20), seed=0)
    >>> check_source(ds, decode(ds, n_splits=4).error, "decoding_error")  # no error
    """
    source = getattr(result, "attrs", {}).get("recording")
    if source is None:
        msg = (f"{name} does not say which recording it was decoded from; pass the result of "
               f"decode(ds) on this recording (e.g. decode(ds).error)")
        raise ValueError(msg)
    if source != fingerprint(ds):
        msg = (f"{name} was decoded from another recording (another network, noise seed, "
               f"trials or positions than ds); decode this recording itself")
        raise ValueError(msg)
