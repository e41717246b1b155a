"""Analysis paths beside their arithmetic floor and beside the previous implementation.

Usage::

    .venv/bin/python benchmarks/bench_analysis.py [--trials 1000] [--report]
        [--report-large 10000 (0: none)] [--previous 263ca88] [--previous-decode ecbda45]

One thread throughout (``OMP_NUM_THREADS=1``, ``torch.set_num_threads(1)``); each timing
is the minimum of 5-7 runs, current, previous and floor taking turns in this one run.

- decode (grouped CV, a bundled modular agent's units): the floor is one Gram matrix of
  all decoded rows plus one eigendecomposition (what any ridge path needs at least once);
  the previous decode is `decode` and `GroupedRidgeCV` as of ``--previous-decode``,
  loaded from git into scratch modules.
- run_agent: the floor is the actor alone on the rows the rollout must compute (every
  trial at every step for a fresh agent, which never stops; for a trained one, the
  trials still running at each step, as the recording counts them), computed in chunks
  of at most 1,024 rows as the rollout computes them, and the "whole batch" the actor
  on every trial at every step the rollout ran (the floor as the issue defined it
  before rollouts dropped finished trials), both timed taking turns with
  run_agent in one process; the previous run_agent is the package as of
  ``--previous``, run from a `git archive` in a subprocess of its own (and so is the
  current one), and the speed-up is the ratio of their ratios to their floors, which
  the machine's load changes least. The fixed cost is a rollout of 10 trials less its
  floor (everything but the actor's arithmetic).
- The previous report needs seaborn (it drew with it); without seaborn installed that
  row says so and is skipped.
- ``--report``: ``navdecode report`` on the bundled modular and holistic agents (the 16
  the previous report had) at ``--trials`` (current and previous, and current with
  ``--jobs 2``), on every agent bundled now (with and without ``--jobs 2``), and on the
  16 at ``--report-large`` trials (current),
  wall time and peak resident memory (of the largest process) from ``/usr/bin/time -v``.
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np
import torch
from threadpoolctl import threadpool_limits

import navdecode as nd

ROOT = Path(__file__).resolve().parents[1]

ROLLOUTS = """
import time, numpy as np, torch, navdecode as nd
torch.set_num_threads(1)

CHUNK = 1024  # rows per actor call, as navdecode.recording.adapters.CHUNK

def floor_of(agent, live):
    actor = agent.actor.eval()
    x = torch.zeros(1, int(live.max()), 6)
    state = tuple(torch.zeros(actor.num_layers, x.shape[1], actor.hidden_size)
                  for _ in range(2))
    def run():
        with torch.inference_mode():
            for k in live:
                for a in range(0, k, CHUNK):
                    b = min(k, a + CHUNK)
                    actor(x[:, a:b], tuple(s[:, a:b] for s in state))
    return run

def whole_batch(agent, live):  # the issue's floor: every trial at every step run
    return floor_of(agent, np.full(len(live), live.max()))

def turns(fns, rounds):
    times = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            s = time.perf_counter(); fn(); times[i].append(time.perf_counter() - s)
    return [min(t) for t in times]

fresh = nd.make_agent("modular", seed=0)
paths = [("fresh_modular_1k", fresh, 1000, 5)]
for arch in ("modular", "holistic"):
    agent = nd.load_pretrained(arch, 0)
    paths += [(f"trained_{arch}_1k", agent, 1000, 9), (f"trained_{arch}_10k", agent, 10000, 5)]
for name, agent, n, rounds in paths:
    targets = nd.fixed_targets(n)
    live = nd.run_agent(agent, targets).valid.values.sum(axis=0)
    live = live[live > 0]
    floor, whole, run = turns([floor_of(agent, live), whole_batch(agent, live),
                               lambda: nd.run_agent(agent, targets)], rounds)
    print(name, floor, whole, run)
small = nd.fixed_targets(10)
agent = nd.load_pretrained("modular", 0)
live = nd.run_agent(agent, small).valid.values.sum(axis=0)
live = live[live > 0]
floor, run = turns([floor_of(agent, live), lambda: nd.run_agent(agent, small)], 30)
print("trained_modular_10", floor, floor, run)
"""


def interleaved(fns: dict, rounds: int = 7) -> dict[str, float]:
    """Min time of each function over `rounds`, the functions taking turns in every round
    (so that a change in the machine's load falls on all of them alike)."""
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}


def archive(rev: str) -> Path:
    """The package as of `rev`, extracted into a scratch folder (its path for PYTHONPATH)."""
    data = subprocess.run(["git", "archive", rev, "navdecode"], cwd=ROOT,
                          capture_output=True, check=True).stdout
    folder = Path(tempfile.mkdtemp(prefix=f"navdecode-{rev}-"))
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def rollout_times(pythonpath: Path | None) -> dict[str, tuple[float, float, float]]:
    """Path -> (floor, whole-batch floor, run_agent) seconds, measured taking turns in
    one process."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    out = subprocess.run([sys.executable, "-c", ROLLOUTS], env=env, capture_output=True,
                         text=True, check=True, cwd=tempfile.gettempdir()).stdout
    return {k: (float(f), float(w), float(v))
            for k, f, w, v in (line.split() for line in out.splitlines())}


def previous_decode(rev: str):
    """`decode` as of `rev`, with that revision's `GroupedRidgeCV`, as scratch modules."""
    folder = Path(tempfile.mkdtemp())
    for name in ("estimators", "decoding"):
        source = subprocess.run(["git", "show", f"{rev}:navdecode/analysis/{name}.py"],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout
        source = source.replace("from navdecode.analysis.estimators import",
                                "from previous_estimators import")
        (folder / f"previous_{name}.py").write_text(source)
    modules = {}
    for name in ("estimators", "decoding"):
        spec = importlib.util.spec_from_file_location(f"previous_{name}",
                                                      folder / f"previous_{name}.py")
        modules[name] = importlib.util.module_from_spec(spec)
        sys.modules[f"previous_{name}"] = modules[name]
        spec.loader.exec_module(modules[name])
    return modules["decoding"].decode


def needs(pythonpath: Path | None) -> str | None:
    """A package that the tree at `pythonpath` imports and this environment lacks
    (earlier versions drew with seaborn), or None."""
    if pythonpath is None:
        return None
    for package in ("seaborn",):
        used = any(f"import {package}" in f.read_text()
                   for f in (pythonpath / "navdecode").rglob("*.py"))
        if used and importlib.util.find_spec(package) is None:
            return package
    return None


def report(pythonpath: Path | None, n_trials: int, jobs: int = 1,
           archs: tuple[str, ...] = ()) -> tuple[float, float]:
    """Wall seconds and peak resident GB of ``navdecode report`` on the bundled agents (of
    `archs` only, when given)."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    out = Path(tempfile.mkdtemp()) / "report"
    cmd = ["/usr/bin/time", "-v", sys.executable, "-c",
           "import sys; from navdecode.cli import main; sys.exit(main())", "report",
           "--out", str(out), "--n-trials", str(n_trials), "--quiet", "--threads", "1",
           *(["--jobs", str(jobs)] if jobs > 1 else []), *(["--archs", *archs] if archs else [])]
    err = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True,
                         cwd=tempfile.gettempdir()).stderr
    fields = dict(line.strip().rsplit(": ", 1) for line in err.splitlines() if ": " in line)
    clock = fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")
    seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(clock)))
    return seconds, int(fields["Maximum resident set size (kbytes)"]) / 1024 ** 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--previous", default="263ca88")
    parser.add_argument("--previous-decode", default="ecbda45")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--report-large", type=int, default=10000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    old_tree = archive(args.previous)

    with threadpool_limits(1):
        ds = nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(args.trials))
        x = ds.hidden.values[ds.valid.values].astype(float)
        old_decode = previous_decode(args.previous_decode)
        from navdecode.analysis.observer import ideal_observer

        belief = ideal_observer(ds)
        both = ds.assign(belief_x=belief["belief_x"], belief_y=belief["belief_y"])
        pairs = [("pos_x", "pos_y"), ("belief_x", "belief_y")]

        def floor():
            z = x - x.mean(axis=0)
            np.linalg.eigh(z.T @ z)

        t = interleaved({"floor": floor, "new": lambda: nd.decode(ds),
                         "old": lambda: old_decode(ds),
                         "two": lambda: nd.decode_each(both, pairs)})
        t_floor, t_new, t_old, t_two = t["floor"], t["new"], t["old"], t["two"]
        same = float(np.nanmax(np.abs(nd.decode(ds).error.values - old_decode(ds).error.values)))
        print(f"decode, grouped CV, {len(x):,} rows x {x.shape[1]} units ({args.trials:,} "
              "trials), 1 thread")
        print(f"  {'floor (one Gram + eigh)':<34} {1e3 * t_floor:8.1f} ms")
        for name, t in ((f"previous ({args.previous_decode})", t_old),
                        ("sufficient statistics", t_new),
                        ("position + belief together", t_two)):
            print(f"  {name:<34} {1e3 * t:8.1f} ms   {t / t_floor:5.1f}x floor")
        print(f"  speed-up {t_old / t_new:.2f}x; a second target set costs "
              f"+{100 * (t_two / t_new - 1):.0f}%; largest difference in per-step error "
              f"{same:.1e} cm")

    now, before = rollout_times(None), rollout_times(old_tree)
    print("\nrun_agent, 1 thread; floor: the actor alone on the rows that must be computed; "
          "whole batch: the actor on every trial at every step run (the issue's floor); "
          "both measured taking turns with run_agent in the same process")
    print(f"  {'path':<22} {'floor':>7} {'whole':>7} {'now':>7} {'now/floor':>9} "
          f"{'now/whole':>9} {'previous/floor':>14} {'speed-up':>8}")
    for key, (floor_s, whole_s, run_s) in now.items():
        if key == "trained_modular_10":
            continue
        was = before[key][2] / before[key][0]
        print(f"  {key:<22} {1e3 * floor_s:5.0f}ms {1e3 * whole_s:5.0f}ms {1e3 * run_s:5.0f}ms "
              f"{run_s / floor_s:8.2f}x {run_s / whole_s:8.2f}x {was:13.2f}x "
              f"{was / (run_s / floor_s):7.2f}x")
    for arch in ("modular", "holistic"):
        grow = (now[f"trained_{arch}_10k"][2] / 10) / now[f"trained_{arch}_1k"][2]
        was = (before[f"trained_{arch}_10k"][2] / 10) / before[f"trained_{arch}_1k"][2]
        print(f"  {arch}: time per trial at 10,000 / at 1,000 trials: {grow:.2f}x "
              f"(previous {was:.2f}x)")
    (floor10, _, run10), (floor10_was, _, run10_was) = (now["trained_modular_10"],
                                                         before["trained_modular_10"])
    print(f"  10 trials: {1e3 * run10:.0f} ms (previous {1e3 * run10_was:.0f} ms, each in its "
          f"own process); fixed cost above the actor's {1e3 * floor10:.0f} ms: "
          f"{1e3 * (run10 - floor10):.0f} ms (previous {1e3 * (run10_was - floor10_was):.0f} ms, "
          f"{(run10 - floor10) / (run10_was - floor10_was):.2f}x)")

    if args.report:
        print("\nnavdecode report, 1 thread (/usr/bin/time -v); 'previous' runs the bundle "
              f"of {args.previous} (modular and holistic, 8 + 8), 'now' the same 16 agents "
              "(--archs modular holistic) and 'all' every agent bundled now")
        two = ("modular", "holistic")
        bundled = len(nd.list_pretrained())
        runs = [("previous", old_tree, args.trials, 1, ()), ("now", None, args.trials, 1, two),
                ("--jobs 2", None, args.trials, 2, two),
                (f"all ({bundled})", None, args.trials, 1, ()),
                ("all, -j 2", None, args.trials, 2, ())]
        runs += [("now", None, args.report_large, 1, two)] if args.report_large else []
        for name, tree, n, jobs, archs in runs:
            missing = needs(tree)
            if missing:
                print(f"  {name:<9} {n:>6,} trials  not run: it imports {missing}, which is not "
                      f"installed (pip install {missing})")
                continue
            seconds, gb = report(tree, n, jobs, archs)
            print(f"  {name:<9} {n:>6,} trials  {seconds:7.0f} s  peak {gb:5.2f} GB")


if __name__ == "__main__":
    main()
