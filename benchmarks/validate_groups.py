"""Error rates and coverage of the k-group statistics (`compare` with three or more groups).

Usage: ``.venv/bin/python benchmarks/validate_groups.py --n-sims 600 --out
benchmarks/results/k-groups/validate_groups.csv`` (``--skip-factorial`` leaves the
factorial table as it is); the statistics guide quotes the tables.
"""

import argparse

from navdecode.stats.coverage import validate_groups

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--n-sims", type=int, default=300)
parser.add_argument("--out", default=None)
parser.add_argument("--skip-factorial", action="store_true")
args = parser.parse_args()
table = validate_groups(n_sims=args.n_sims, seeds=(5, 8), groups=(3, 8, 15), progress=True)
if args.out:
    table.to_csv(args.out, index=False)
print(table.to_string(index=False, float_format="{:.3f}".format))

if args.out and not args.skip_factorial:
    from navdecode.stats.coverage import validate_factorial

    factorial = validate_factorial(n_sims=args.n_sims, progress=True)
    factorial.to_csv(args.out.replace(".csv", "-factorial.csv"), index=False)
    print(factorial.to_string(index=False, float_format="{:.3f}".format))
