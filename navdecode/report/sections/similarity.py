"""Representational similarity: linear CKA between the units of every pair of networks on
the same trials, and whether networks of one label resemble each other more than others."""

from __future__ import annotations

import pandas as pd

from navdecode.analysis.similarity import CKAColumns
from navdecode.analysis.units import Units
from navdecode.report.declared import Analysis, FigureSpec, Needs, Recipe
from navdecode.report.session import Session
from navdecode.report.text import fmt

__all__ = ["ANALYSIS", "matrix_test", "test_row", "within_between_rows"]


def _session(s: Session) -> None:
    if not s.at_first_gain or "hidden" not in s.ds.variables:
        return
    arch, seed = s.key["arch"], s.key["seed"]
    name = f"{arch} seed {seed}"
    file = s.scratch / f"hidden-{arch}-{seed}.npy"
    s.part.similar[(arch, seed, s.gain)] = Units.on_disk(s.ds, file, name=name) \
        if not s.given or s.to_disk else Units.of(s.ds, name=name)


def _collect(part: object, context: object) -> None:
    """The first gain's units, and the CKA matrix's columns as the networks come in."""
    state = context.state.setdefault(ANALYSIS.name, {"units": {}, "columns": CKAColumns()})
    state["units"] |= part.similar
    columns = state["columns"]
    for key, unit in part.similar.items():
        if columns is not None and key[2] == context.gains[0]:
            try:
                columns = columns if columns.add(unit) else None
            except ValueError:
                columns = None
    state["columns"] = columns


def _combine(tables: object, context: object) -> None:
    from navdecode.analysis.similarity import similarity_matrix

    state = context.state.pop(ANALYSIS.name, {"units": {}, "columns": None})
    recordings, columns, gain = state["units"], state["columns"], context.gains[0]
    keys = [k for k in recordings if k[2] == gain]
    if len(keys) < 3 or len({k[0] for k in keys}) < 2:
        context.skip_all("similarity (CKA)",
                         "needs hidden units of 3+ networks of 2+ labels at one condition")
    elif len({frozenset(recordings[k].ids.tolist()) for k in keys}) > 1:
        context.skip_all("similarity (CKA)",
                         "needs recordings of the same trials (their trial_id differ)")
    else:
        labels = [(k[0], k[1]) for k in keys]
        tables.cka = columns.frame(labels) if columns is not None and len(columns) == len(
            keys) else similarity_matrix([recordings[k] for k in keys], labels=labels)
        tables.similarity_tests = test_row(tables.similarity_tests, "CKA", tables.cka)
    recordings.clear()


def test_row(tests: pd.DataFrame, measure: str, matrix: pd.DataFrame) -> pd.DataFrame:
    """`tests` with `within_between_test` of `matrix` added as `measure`'s row, when a
    label has two or more networks."""
    from navdecode.stats.matrices import within_between_test

    if matrix.empty or matrix.index.get_level_values(0).value_counts().max() < 2:
        return tests
    row = pd.DataFrame([{"measure": measure, **within_between_test(matrix)}])
    return row if tests.empty else pd.concat([tests, row], ignore_index=True)


def within_between_rows(matrix: pd.DataFrame, digits: int = 3) -> list[str]:
    """Per arch: its networks, and the mean over them of `within_between`'s columns."""
    from navdecode.analysis.similarity import within_between

    table = within_between(matrix).groupby("arch")[["within", "between"]].agg(
        ["mean", "count"])
    return [f"| {arch} | {int(r[('within', 'count')])} | {fmt(r[('within', 'mean')], digits)}"
            f" | {fmt(r[('between', 'mean')], digits)} |" for arch, r in table.iterrows()]


def matrix_test(tables: object, measure: str) -> list[str]:
    """The label-permutation test of one matrix (`within_between_test`), as a sentence."""
    tests = tables.similarity_tests
    if tests.empty or measure not in set(tests["measure"]):
        return []
    r = tests.set_index("measure").loc[measure]
    return [f"Networks as the unit (labels permuted over the {int(r['n_networks'])} networks, "
            f"9,999 relabellings; false-positive rate in the statistics guide): mean "
            f"between-label minus within-label pair {measure} {fmt(r['difference'], 4)} "
            f"(within {fmt(r['within'], 4)}, between {fmt(r['between'], 4)}), permutation "
            f"p {fmt(r['permutation_p'])}.", ""]


def _text(tables: object) -> list[str]:
    if tables.cka.empty:
        return []
    lines = ["## Representational similarity", "",
             f"Linear CKA between the LSTM units of every pair of networks on the same "
             f"{tables.gains[0]:g}x trials (`cka.csv`). Per network, the mean CKA with the "
             "other networks of its architecture (within) and with the other architecture's "
             "(between), averaged over networks (the pairs share networks: the test below "
             "takes the network as its unit).", "", "| arch | networks | within | between |",
             "|---|---|---|---|"]
    return [*lines, *within_between_rows(tables.cka), "", *matrix_test(tables, "CKA")]


def _figures(tables: object) -> list[FigureSpec]:
    if tables.cka.empty:
        return []
    return [FigureSpec("cka", "plot_similarity_matrix", (tables.cka,))]


ANALYSIS = Analysis(
    name="similarity", title="Representational similarity", option="similarity",
    needs=Needs(variables=("hidden",)),
    recipes=(Recipe("navdecode", "linear CKA of the LSTM units over the shared valid steps "
                    "of the same trials; label-permutation test with networks as the unit "
                    "(`within_between_test`)"),),
    session=_session, collect=_collect, combine=_combine, text=_text, figures=_figures)
