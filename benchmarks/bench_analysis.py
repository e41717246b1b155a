"""Decoding beside its arithmetic floor and beside the previous implementation, one run.

Usage: ``.venv/bin/python benchmarks/bench_analysis.py [--previous REV] [--trials 1000]``.
One thread; min of 5 runs per path. The floor is one Gram matrix of all decoded rows plus
one eigendecomposition (what any ridge path needs at least once). The previous
implementation is `GroupedRidgeCV` as of git revision REV (default: the last commit
before the sufficient statistics), loaded from git into a scratch module, run on the same
rows with the same folds.
"""

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import navdecode as nd
from navdecode.analysis import decoding

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--previous", default="ecbda45")
parser.add_argument("--trials", type=int, default=1000)
args = parser.parse_args()


def best_of(fn, n=5):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def previous_estimator(rev):
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(["git", "show", f"{rev}:navdecode/analysis/estimators.py"],
                            cwd=root, capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / "previous_estimators.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("previous_estimators", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["previous_estimators"] = module
    spec.loader.exec_module(module)
    return module.GroupedRidgeCV


with threadpool_limits(1):
    import torch

    torch.set_num_threads(1)
    ds = nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(args.trials))
    valid = ds.valid.values
    x = ds.hidden.values[valid].astype(float)
    previous = previous_estimator(args.previous)

    def floor():
        z = x - x.mean(axis=0)
        np.linalg.eigh(z.T @ z)

    def decode_with(estimator_class):
        original = decoding.GroupedRidgeCV
        decoding.GroupedRidgeCV = estimator_class  # what default_decoder builds
        try:
            return nd.decode(ds)
        finally:
            decoding.GroupedRidgeCV = original

    new_result, old_result = decode_with(decoding.GroupedRidgeCV), decode_with(previous)
    t_floor = best_of(floor)
    t_new = best_of(lambda: decode_with(decoding.GroupedRidgeCV))
    t_old = best_of(lambda: decode_with(previous))
    same = float(np.nanmax(np.abs(new_result.error.values - old_result.error.values)))
    print(f"decode, grouped CV, {len(x):,} rows x {x.shape[1]} units, 1 thread")
    print(f"  {'floor (one Gram + eigh)':<28} {1e3 * t_floor:8.1f} ms")
    for name, t in ((f"previous ({args.previous})", t_old), ("sufficient statistics", t_new)):
        print(f"  {name:<28} {1e3 * t:8.1f} ms   {t / t_floor:5.1f}x floor")
    print(f"  speed-up {t_old / t_new:.2f}x; largest difference in per-step error "
          f"{same:.2e} cm")
