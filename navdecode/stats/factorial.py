"""Two crossed factors (e.g. actor x critic architecture): main effects and interaction.

The paper's question of whether the actor's or the critic's architecture carries a benefit
is a two-way design: each network has an actor label and a critic label. One value per
network (seed) enters; effects are tested by permutation (Freedman-Lane), and their
false-positive rates at 5 and 8 seeds per cell are measured by
`navdecode.stats.coverage.validate_factorial`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from navdecode._validation import check_int
from navdecode.stats.comparisons import seed_level

__all__ = ["compare_factorial", "factorial_f"]


def _design(codes_a: np.ndarray, codes_b: np.ndarray, terms: str) -> np.ndarray:
    """Treatment-coded design matrix: intercept, A, B and (for "ab") A:B columns."""
    n = len(codes_a)
    cols = [np.ones(n)]
    dummies_a = [(codes_a == k).astype(float) for k in range(1, codes_a.max() + 1)]
    dummies_b = [(codes_b == k).astype(float) for k in range(1, codes_b.max() + 1)]
    if "a" in terms:
        cols += dummies_a
    if "b" in terms:
        cols += dummies_b
    if terms == "ab*":
        cols += [da * db for da in dummies_a for db in dummies_b]
    return np.column_stack(cols)


def _residual_maker(x: np.ndarray) -> tuple[np.ndarray, int]:
    """I - H for the design x, and its rank."""
    pinv = np.linalg.pinv(x)
    hat = x @ pinv
    return np.eye(len(x)) - hat, int(np.linalg.matrix_rank(x))


def factorial_f(y: np.ndarray, codes_a: np.ndarray, codes_b: np.ndarray) -> dict[str, float]:
    """Two-way ANOVA F of A and B (type II: each adjusted for the other) and of A:B.

    ``F_E = [(RSS_reduced - RSS_with_E) / (df_reduced - df_with_E)] / [RSS_full / (n - p_full)]``
    with the reduced model B (for A), A (for B) or A + B (for A:B), and the full model
    A * B.

    Parameters
    ----------
    y : ndarray of shape (n,) or (n, R)
        One value per network (columns: several outcome vectors at once).
    codes_a, codes_b : ndarray of int of shape (n,)
        Level codes 0..k-1 of the two factors.

    Returns
    -------
    f : dict
        ``"a"``, ``"b"``, ``"a:b"``: F values (arrays when `y` has columns).

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode.stats.factorial import factorial_f
    >>> a, b = np.array([0, 0, 1, 1] * 2), np.array([0, 1, 0, 1] * 2)
    >>> y = np.array([1.0, 1.1, 3.0, 3.1, 0.9, 1.0, 2.9, 3.0])
    >>> f = factorial_f(y, a, b)
    >>> bool(f["a"] > 100 and f["a:b"] < 1)
    True
    """
    y = np.asarray(y, dtype=float)
    y2 = y[:, None] if y.ndim == 1 else y
    makers = {t: _residual_maker(_design(codes_a, codes_b, t)) for t in ("a", "b", "ab", "ab*")}

    def rss(terms: str) -> np.ndarray:
        resid = makers[terms][0] @ y2
        return (resid**2).sum(axis=0)

    n = len(y2)
    rss_full, rank_full = rss("ab*"), makers["ab*"][1]
    scale = rss_full / max(n - rank_full, 1)
    out = {}
    for effect, reduced, with_effect in (("a", "b", "ab"), ("b", "a", "ab"),
                                         ("a:b", "ab", "ab*")):
        df = makers[with_effect][1] - makers[reduced][1]
        num = (rss(reduced) - rss(with_effect)) / max(df, 1)
        f = np.divide(num, scale, out=np.full_like(num, np.inf), where=scale > 0)
        out[effect] = f if y.ndim == 2 else float(f[0])
    return out


def compare_factorial(df: pd.DataFrame, value: str, factors: Sequence[str],
                      unit: str = "seed", n_resamples: int = 5000,
                      seed: int = 0) -> pd.DataFrame:
    """Main effects and interaction of two crossed factors, by permutation.

    Rows are first averaged to one value per network (`seed_level` over the two factors
    and `unit`). Each effect's F (`factorial_f`) is referred to its Freedman-Lane
    permutation distribution: the residuals of the model without the effect are permuted
    and added back to its fitted values, ``p = (1 + #{F* >= F}) / (1 + n_resamples)``.
    The parametric F-test p is given beside it.

    Parameters
    ----------
    df : pandas.DataFrame
        One or more rows per network, with the two `factors`, `unit` and `value`.
    value : str
        The metric.
    factors : sequence of two str
        Columns naming each network's levels (e.g. ``("actor", "critic")``).
    unit : str, default="seed"
        The network within a cell.
    n_resamples : int, default=5000
    seed : int, default=0

    Returns
    -------
    table : pandas.DataFrame
        One row per effect (the first factor, the second, their interaction):
        ``effect``, ``df``, ``df_resid``, ``f``, ``permutation_p``, ``f_test_p``,
        ``n_networks``; cell means in ``.attrs["cell_means"]``.

    Raises
    ------
    ValueError
        If `factors` is not two columns, a cell of the design is empty or has fewer than
        2 networks.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from navdecode import compare_factorial
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"actor": np.repeat(["A1", "A3"], 10),
    ...                    "critic": np.tile(np.repeat(["C1", "C5"], 5), 2),
    ...                    "seed": np.tile(range(5), 4)})
    >>> df["score"] = (df["actor"] == "A3") * 2.0 + rng.normal(size=20)
    >>> table = compare_factorial(df, "score", ("actor", "critic"))
    >>> table["effect"].tolist()
    ['actor', 'critic', 'actor:critic']
    >>> bool(table.loc[0, "permutation_p"] < 0.01)
    True
    """
    factors = list(factors)
    if len(factors) != 2 or factors[0] == factors[1]:
        msg = f"factors must name two different columns, got {factors!r}"
        raise ValueError(msg)
    n_resamples = check_int(n_resamples, "n_resamples", minimum=1)
    for column in (*factors, unit):
        if column not in df.columns:
            msg = f"df has no column {column!r}; it has {list(df.columns)}"
            raise ValueError(msg)
    pairs = list(zip(df[factors[0]].astype(str), df[factors[1]].astype(str), strict=True))
    cells, levels = pd.factorize(pd.Series(pairs, index=df.index))
    table = seed_level(df.assign(_cell=cells), [value], by="_cell", unit=unit)
    table[factors[0]] = [levels[c][0] for c in table["_cell"]]
    table[factors[1]] = [levels[c][1] for c in table["_cell"]]
    counts = pd.crosstab(table[factors[0]], table[factors[1]])
    if (counts < 2).to_numpy().any():
        msg = (f"every {factors[0]} x {factors[1]} cell needs at least 2 {unit}s, got\n"
               f"{counts.to_string()}")
        raise ValueError(msg)
    y = table[value].to_numpy(dtype=float)
    codes_a = pd.factorize(table[factors[0]], sort=True)[0]
    codes_b = pd.factorize(table[factors[1]], sort=True)[0]
    observed = factorial_f(y, codes_a, codes_b)
    rng = np.random.default_rng(seed)
    n = len(y)
    rank_full = _residual_maker(_design(codes_a, codes_b, "ab*"))[1]
    rows = []
    for effect, reduced in (("a", "b"), ("b", "a"), ("a:b", "ab")):
        resid_maker, _ = _residual_maker(_design(codes_a, codes_b, reduced))
        resid = resid_maker @ y
        fitted = y - resid
        perms = rng.permuted(np.tile(np.arange(n), (n_resamples, 1)), axis=1)
        y_star = fitted[:, None] + resid[perms].T
        f_star = factorial_f(y_star, codes_a, codes_b)[effect]
        df_effect = {"a": codes_a.max(), "b": codes_b.max(),
                     "a:b": codes_a.max() * codes_b.max()}[effect]
        name = {"a": factors[0], "b": factors[1], "a:b": f"{factors[0]}:{factors[1]}"}[effect]
        rows.append({
            "effect": name, "df": int(df_effect), "df_resid": int(n - rank_full),
            "f": observed[effect],
            "permutation_p": float((1 + np.sum(f_star >= observed[effect] * (1 - 1e-12)))
                                   / (1 + n_resamples)),
            "f_test_p": float(sps.f.sf(observed[effect], df_effect, n - rank_full)),
            "n_networks": n})
    out = pd.DataFrame(rows)
    out.attrs["cell_means"] = table.pivot_table(index=factors[0], columns=factors[1],
                                                values=value, aggfunc="mean").to_dict()
    return out
