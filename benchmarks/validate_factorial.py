"""False-positive rates of `compare_factorial` at the designs of the actor x critic view.

Usage: ``.venv/bin/python benchmarks/validate_factorial.py --n-sims 1000 --out
benchmarks/results/factorial/validate_factorial.csv``; the statistics guide quotes the table
(one row per design, one column per effect and test).
"""

import argparse

from navdecode.stats.coverage import validate_factorial

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--n-sims", type=int, default=1000)
parser.add_argument("--out", default=None)
args = parser.parse_args()
table = validate_factorial(n_sims=args.n_sims, progress=True)
if args.out:
    table.to_csv(args.out, index=False)
wide = table.pivot_table(index="design", columns=["test", "effect"], values="observed",
                         sort=False)
print(wide.to_markdown(floatfmt=".3f"))
