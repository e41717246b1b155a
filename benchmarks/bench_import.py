"""``import navdecode`` of two commits side by side (python -X importtime, alternating).

Usage: ``.venv/bin/python benchmarks/bench_import.py OLD NEW [--repeats 8]``. Each commit's
``navdecode`` is extracted with ``git archive`` and imported in a fresh interpreter with it
first on ``PYTHONPATH``; the two alternate so that machine load hits both alike. Prints the
minimum and median of the cumulative import time and of navdecode's own modules.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)")


def extract(commit: str, dest: Path) -> Path:
    archive = subprocess.run(["git", "archive", commit, "navdecode"], check=True,
                             capture_output=True).stdout
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def measure(src: Path) -> tuple[float, float]:
    code = ("import navdecode; "
            f"assert navdecode.__file__.startswith({str(src)!r}), navdecode.__file__")
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                         capture_output=True, text=True, env={"PYTHONPATH": str(src)}, cwd=src)
    if out.returncode:
        sys.exit(out.stderr[-2000:])
    own = total = 0
    for match in LINE.finditer(out.stderr):
        self_us, cumulative_us, name = int(match[1]), int(match[2]), match[3]
        own += self_us if name.startswith("navdecode") else 0
        total = cumulative_us if name == "navdecode" else total
    return total / 1e3, own / 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--repeats", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {c: extract(c, Path(tmp) / str(i)) for i, c in enumerate((args.old, args.new))}
        times: dict[str, list[tuple[float, float]]] = {c: [] for c in trees}
        for _ in range(args.repeats):
            for commit, src in trees.items():
                times[commit].append(measure(src))
    for commit, values in times.items():
        total, own = zip(*values, strict=True)
        print(f"{commit}: import navdecode min {min(total):.0f} ms, median "
              f"{statistics.median(total):.0f} ms; navdecode's own modules min {min(own):.1f} "
              f"ms, median {statistics.median(own):.1f} ms")


if __name__ == "__main__":
    main()
