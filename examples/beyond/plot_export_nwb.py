"""
# Export a recording to NWB and pynapple

Labs keep their recordings in NWB files and analyse them with tools such as pynapple.
`nd.to_nwb` writes a recording as an NWB file and `nd.to_pynapple` turns it into pynapple
objects (needs `pip install 'navdecode[nwb,pynapple]'`).

The trials of a closed-loop rollout share no clock: each starts at its own step 0. Both
exports lay them on one timeline, one slot of (steps + 1) steps per trial, so step s of
trial k is at t = (k (S + 1) + s) dt (here S = 35 steps of dt = 0.1 s: a 3.6 s slot per
trial). Only the trials' valid steps are exported.
"""

# %%
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pynwb

import navdecode as nd

ds = nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(30), seed=0)
path = nd.to_nwb(ds, Path(tempfile.mkdtemp()) / "modular-seed0.nwb",
                 session_start_time=datetime(2026, 1, 1, tzinfo=UTC))
print("pynwb.validate:", pynwb.validate(path=str(path)) or "no errors")

# %%
# The file read back with pynwb alone: a trials table with every per-trial coordinate,
# the behaviour in one processing module and the network's units in another. Lengths
# are stored in cm with NWB's SI factor (unit "m", conversion 0.01).
with pynwb.NWBHDF5IO(str(path), "r") as io:
    nwb = io.read()
    trials = nwb.trials.to_dataframe()
    pos_x = nwb.processing["behavior"]["pos_x"]
    print(f"pos_x: unit {pos_x.unit!r}, conversion {pos_x.conversion}")
    hidden = nwb.processing["network"]["hidden"]
    units, times = hidden.data[:], hidden.timestamps[:]
print(trials[["start_time", "stop_time", "n_steps", "target_x", "target_y"]].head(4))

# %%
# The same recording as pynapple objects: restricting to one trial's interval gives
# that trial's steps, equal to the recording's.
objects = nd.to_pynapple(ds)
trial = 4
one = objects["hidden"].restrict(objects["trials"][trial])
valid = ds["valid"].values[trial]
print("trial", trial, "equal to the recording:",
      np.array_equal(one.values, ds.hidden.values[trial][valid]))

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
for start, stop in trials[["start_time", "stop_time"]].to_numpy()[:8]:
    inside = (times >= start) & (times < stop)  # one trial's steps, drawn apart
    for unit in range(5):
        ax1.plot(times[inside], units[inside, unit], lw=0.8, color=f"C{unit}")
    ax1.axvspan(start, stop, color="0.92", zorder=0)
ax1.set(xlim=(0, 8 * 3.6), xlabel="export time (s)", ylabel="hidden state",
        title="five units, first 8 trials (shaded)")
x, y = objects["pos_x"].restrict(objects["trials"]), objects["pos_y"]
ax2.plot(x.values, y.values, ".", ms=2, color="0.4")
ax2.set(xlabel="x (cm)", ylabel="y (cm)", title="positions from pynapple", aspect="equal")
