"""Error rates and coverage of the k-group statistics (`compare` with three or more groups).

Usage: ``.venv/bin/python benchmarks/validate_groups.py --n-sims 600 --out
benchmarks/results/k-groups/validate_groups.csv``; the statistics guide quotes the tables
(the factorial test has its own script, ``benchmarks/validate_factorial.py``).
"""

import argparse

from navdecode.stats.coverage import validate_groups

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--n-sims", type=int, default=300)
parser.add_argument("--out", default=None)
args = parser.parse_args()
table = validate_groups(n_sims=args.n_sims, seeds=(5, 8), groups=(3, 8, 15), progress=True)
if args.out:
    table.to_csv(args.out, index=False)
print(table.to_string(index=False, float_format="{:.3f}".format))
