"""Compare two report folders: every CSV as a table, and report.md line by line.

    python benchmarks/report_diff.py OLD_REPORT NEW_REPORT [--rtol 0]

A CSV is equal when both files hold the same bytes, or the same columns (in any order) and
the same rows (sorted by every column, compared within `--rtol`); the text is diffed line
by line. Exit 1 when a CSV differs or is missing from one side.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def _table(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    frame = frame[sorted(frame.columns)]
    return frame.sort_values(list(frame.columns), ignore_index=True, na_position="last")


def _equal(a: pd.DataFrame, b: pd.DataFrame, rtol: float) -> str | None:
    if list(a.columns) != list(b.columns):
        return (f"columns differ: only old {sorted(set(a.columns) - set(b.columns))}, only new "
                f"{sorted(set(b.columns) - set(a.columns))}")
    if len(a) != len(b):
        return f"{len(a)} rows against {len(b)}"
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            same = np.isclose(x.to_numpy(float), y.to_numpy(float), rtol=rtol, atol=0,
                              equal_nan=True)
        else:
            same = (x.astype(str) == y.astype(str)).to_numpy()
        if not same.all():
            k = int(np.flatnonzero(~same)[0])
            return f"column {column!r} differs in {int((~same).sum())} rows (first: {x[k]!r} " \
                   f"against {y[k]!r})"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--rtol", type=float, default=0.0)
    args = parser.parse_args(argv)
    names = sorted({p.name for p in (*args.old.glob("*.csv"), *args.new.glob("*.csv"))})
    failed = 0
    for name in names:
        old, new = args.old / name, args.new / name
        if not (old.exists() and new.exists()):
            print(f"{name}: only in {'old' if old.exists() else 'new'}")
            failed += 1
            continue
        why = None if old.read_bytes() == new.read_bytes() else _equal(
            _table(old), _table(new), args.rtol)
        print(f"{name}: {'equal' if why is None else why}")
        failed += why is not None
    text = difflib.unified_diff((args.old / "report.md").read_text().splitlines(),
                                (args.new / "report.md").read_text().splitlines(),
                                "old/report.md", "new/report.md", n=0, lineterm="")
    print("\n".join(text))
    print(f"{len(names) - failed} of {len(names)} tables equal")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
