"""Coverage, false-positive rate and power of navdecode's statistics at 5 and 8 seeds.

Runs `navdecode.stats.coverage.validate_statistics` and prints one table (markdown); with
``--out DIR`` also writes ``DIR/validate_statistics.csv`` and ``DIR/README.md``.

Run: ``.venv/bin/python benchmarks/validate_statistics.py [--n-sims 1000] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from navdecode._io import atomic_write_text
from navdecode.stats.coverage import validate_statistics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 8])
    parser.add_argument("--n-sims", type=int, default=1000)
    parser.add_argument("--n-sims-mixed", type=int, default=1000)
    parser.add_argument("--effect", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    start = time.perf_counter()
    table = validate_statistics(sizes=args.sizes, n_sims=args.n_sims,
                                n_sims_mixed=args.n_sims_mixed, effect=args.effect,
                                seed=args.seed)
    elapsed = time.perf_counter() - start
    shown = table.assign(nominal=table["nominal"].map(lambda v: "" if v != v else f"{v:.2f}"),
                         observed=table["observed"].map("{:.3f}".format))
    text = "\n".join(["| " + " | ".join(shown.columns) + " |",
                      "|" + "---|" * len(shown.columns),
                      *("| " + " | ".join(map(str, row)) + " |"
                        for row in shown.itertuples(index=False))])
    command = ("python benchmarks/validate_statistics.py --sizes "
               f"{' '.join(map(str, args.sizes))} --n-sims {args.n_sims} --n-sims-mixed "
               f"{args.n_sims_mixed} --effect {args.effect:g} --seed {args.seed}")
    footer = (f"{command}: {elapsed:.0f} s on {platform.machine()} "
              f"({platform.python_version()})")
    print(text)
    print(footer)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "validate_statistics.csv", index=False)
        atomic_write_text(args.out / "README.md",
                          f"# Statistics validated by simulation\n\n{text}\n\n{footer}\n")


if __name__ == "__main__":
    main()
