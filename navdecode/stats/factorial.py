"""Two crossed factors (e.g. actor x critic architecture): main effects and interaction.

The paper's question of whether the actor's or the critic's architecture carries a benefit
is a two-way design: each network has an actor label and a critic label. One value per
network (seed) enters. Each effect is a hypothesis on the cell means, tested with a
heteroscedastic Wald statistic and its parametric bootstrap (cells may differ in size and
spread, as the bundle's architectures do); the classical type-II ANOVA F is given beside
it. The false-positive rates at the report's designs are measured by
`navdecode.stats.coverage.validate_factorial`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from navdecode._validation import check_int
from navdecode.stats.comparisons import seed_level

__all__ = ["compare_factorial", "factorial_f", "factorial_wald"]

NO_VARIATION = "no variation: every network has the same value"
NO_WITHIN = "no variation within cells: the cell means differ, but there is no spread to compare"


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
    A * B. Differences of RSS below the float rounding of ``sum y^2`` count as 0 (F is
    never negative); without residual spread (``RSS_full`` at rounding level) F is NaN.

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
    rounding = 1e-10 * np.maximum((y2**2).sum(axis=0), np.finfo(float).tiny)
    rss_full, rank_full = rss("ab*"), makers["ab*"][1]
    scale = np.where(rss_full > rounding, rss_full, np.nan) / max(n - rank_full, 1)
    out = {}
    for effect, reduced, with_effect in (("a", "b", "ab"), ("b", "a", "ab"),
                                         ("a:b", "ab", "ab*")):
        df = makers[with_effect][1] - makers[reduced][1]
        gain = rss(reduced) - rss(with_effect)
        num = np.where(gain > rounding, gain, 0.0) / max(df, 1)
        f = num / scale
        out[effect] = f if y.ndim == 2 else float(f[0])
    return out


def _contrasts(ka: int, kb: int) -> dict[str, np.ndarray]:
    """Each effect's hypothesis on the (ka x kb) cell means, row-major: A, the rows'
    unweighted means are equal; B, the columns'; A:B, every interaction contrast is 0."""
    pa = np.hstack([np.eye(ka - 1), -np.ones((ka - 1, 1))])
    pb = np.hstack([np.eye(kb - 1), -np.ones((kb - 1, 1))])
    return {"a": np.kron(pa, np.ones((1, kb)) / kb), "b": np.kron(np.ones((1, ka)) / ka, pb),
            "a:b": np.kron(pa, pb)}


def _wald(c: np.ndarray, means: np.ndarray, var: np.ndarray) -> np.ndarray:
    """``W = (C m)' (C diag(v) C')^-1 (C m)`` over the last axis (several at once)."""
    cm = means @ c.T
    cov = np.einsum("qk,...k,rk->...qr", c, var, c)
    return (cm * np.linalg.solve(cov, cm[..., None])[..., 0]).sum(axis=-1)


def factorial_wald(means: np.ndarray, variances: np.ndarray, counts: np.ndarray, ka: int,
                   kb: int, n_resamples: int = 5000, seed: int = 0) -> dict[str, tuple]:
    """Each effect's heteroscedastic Wald statistic on the cell means, and its parametric
    bootstrap p-value.

    With cell means ``m``, variances ``s2`` (ddof 1) and counts ``n`` (row-major over the
    ka x kb cells) and an effect's contrasts ``C`` (q rows): ``W = (C m)' (C D C')^-1 (C m)``,
    ``D = diag(s2 / n)``; the reported statistic is ``W / q``. Under the hypothesis ``C mu
    = 0`` with normal cells of any variances, the bootstrap draws ``m* ~ N(0, s2 / n)``
    and ``s2* ~ s2 chi2_{n-1} / (n - 1)`` per cell and computes ``W*`` with ``D* =
    diag(s2* / n)``; ``p = (1 + #{W* >= W}) / (1 + n_resamples)`` (Krishnamoorthy, Lu &
    Mathew 2007; Xu, Yang, Abula & Qin 2013 for two-way designs).

    Parameters
    ----------
    means, variances, counts : ndarray of shape (ka * kb,)
    ka, kb : int
        Levels of the two factors.
    n_resamples : int, default=5000
    seed : int, default=0

    Returns
    -------
    effects : dict
        ``"a"``, ``"b"``, ``"a:b"`` -> (``W / q``, p, q); NaN and NaN where ``C D C'`` is
        singular (the effect's cells have no spread).

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode.stats.factorial import factorial_wald
    >>> out = factorial_wald(np.array([0.0, 0.0, 1.0, 1.0]), np.ones(4), np.full(4, 8), 2, 2)
    >>> round(out["a"][0], 6)  # (m_row1 - m_row2)^2 / var = 1 / (4 x 1/8 / 4) = 8
    8.0
    """
    rng = np.random.default_rng(seed)
    var = variances / counts
    z = rng.standard_normal((n_resamples, len(means))) * np.sqrt(var)
    var_star = var * rng.chisquare(counts - 1, size=(n_resamples, len(means))) / (counts - 1)
    out = {}
    for effect, c in _contrasts(ka, kb).items():
        q = c.shape[0]
        if np.linalg.matrix_rank(c @ np.diag(var) @ c.T) < q:
            out[effect] = (np.nan, np.nan, q)
            continue
        w = float(_wald(c, means, var))
        with np.errstate(divide="ignore", invalid="ignore"):
            w_star = _wald(c, z, var_star)
        w_star = np.where(np.isfinite(w_star), w_star, np.inf)  # a draw without spread
        out[effect] = (w / q, float((1 + np.sum(w_star >= w * (1 - 1e-12)))
                                    / (1 + n_resamples)), q)
    return out


def compare_factorial(df: pd.DataFrame, value: str, factors: Sequence[str],
                      unit: str = "seed", n_resamples: int = 5000,
                      seed: int = 0) -> pd.DataFrame:
    """Main effects and interaction of two crossed factors, for cells of any size and spread.

    Rows are first averaged to one value per network (`seed_level` over the two factors
    and `unit`). Each effect is a hypothesis on the cell means (A: the rows' unweighted
    means are equal; B: the columns'; A:B: no interaction), tested with the heteroscedastic
    Wald statistic of `factorial_wald` (``f`` = W / df) and its parametric bootstrap p
    (``bootstrap_p``), which hold their false-positive rate when cells differ in size and
    spread (simulated in `navdecode.stats.coverage.validate_factorial` and the statistics
    guide). The classical type-II ANOVA F (`factorial_f`, equal to statsmodels'
    ``anova_lm(typ=2)``) and its F-test p are given beside it; they assume one spread.

    A metric without variation gets no statistic: ``f`` NaN, ``bootstrap_p`` 1 and a
    ``note`` when every network has the same value; ``f`` and ``bootstrap_p`` NaN when the
    cells differ but have no spread within.

    Parameters
    ----------
    df : pandas.DataFrame
        One or more rows per network, with the two `factors`, `unit` and `value`.
    value : str
        The metric (finite numbers).
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
        ``effect``, ``df``, ``f``, ``bootstrap_p``, ``anova_f``, ``df_resid``, ``f_test_p``,
        ``n_networks``, ``note``; cell means in ``.attrs["cell_means"]``.

    Raises
    ------
    ValueError
        If `factors` is not two columns, a column is missing, `value` holds a non-finite
        number (the rows are named), or a cell of the design is empty or has fewer than
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
    >>> bool(table.loc[0, "bootstrap_p"] < 0.01)
    True
    """
    factors = list(factors)
    if len(factors) != 2 or factors[0] == factors[1]:
        msg = f"factors must name two different columns, got {factors!r}"
        raise ValueError(msg)
    n_resamples = check_int(n_resamples, "n_resamples", minimum=1)
    for column in (*factors, unit, value):
        if column not in df.columns:
            msg = f"df has no column {column!r}; it has {list(df.columns)}"
            raise ValueError(msg)
    values = pd.to_numeric(df[value], errors="coerce").to_numpy(dtype=float)
    bad = df.index[~np.isfinite(values)]
    if len(bad):
        msg = (f"df[{value!r}] must be finite numbers; rows {bad.tolist()[:10]} hold "
               f"{df.loc[bad[:10], value].tolist()} (drop or fill them first)")
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
    ka, kb = codes_a.max() + 1, codes_b.max() + 1
    cell = codes_a * kb + codes_b
    n_cell = np.bincount(cell, minlength=ka * kb).astype(float)
    means = np.bincount(cell, weights=y, minlength=ka * kb) / n_cell
    spread = np.bincount(cell, weights=(y - means[cell]) ** 2, minlength=ka * kb)
    rounding = 1e-10 * max(float((y**2).sum()), np.finfo(float).tiny)
    spread = np.where(spread > rounding, spread, 0.0) / (n_cell - 1)
    anova = factorial_f(y, codes_a, codes_b)
    n, rank_full = len(y), ka * kb
    note = ""
    if np.ptp(y) == 0:
        tests = {e: (np.nan, 1.0, 0) for e in ("a", "b", "a:b")}
        note = NO_VARIATION
    elif not spread.any():
        tests = {e: (np.nan, np.nan, 0) for e in ("a", "b", "a:b")}
        note = NO_WITHIN
    else:
        tests = factorial_wald(means, spread, n_cell, ka, kb, n_resamples, seed)
        flat = [f"{factors[0]} {table[factors[0]].iloc[np.flatnonzero(cell == k)[0]]} x "
                f"{factors[1]} {table[factors[1]].iloc[np.flatnonzero(cell == k)[0]]}"
                for k in np.flatnonzero(spread == 0)]
        if flat:
            note = f"no variation within {', '.join(flat)}"
        if n_cell.min() == 2:
            note = "; ".join(filter(None, [note, (
                "a cell of 2 networks: its spread rests on one degree of freedom, and where "
                "it varies most the test rejects up to 11% under the null (statistics "
                "guide)")]))
    rows = []
    for effect in ("a", "b", "a:b"):
        df_effect = {"a": ka - 1, "b": kb - 1, "a:b": (ka - 1) * (kb - 1)}[effect]
        f_anova = anova[effect]
        rows.append({
            "effect": {"a": factors[0], "b": factors[1],
                       "a:b": f"{factors[0]}:{factors[1]}"}[effect],
            "df": int(df_effect), "f": tests[effect][0], "bootstrap_p": tests[effect][1],
            "anova_f": f_anova, "df_resid": int(n - rank_full),
            "f_test_p": float(sps.f.sf(f_anova, df_effect, n - rank_full))
            if np.isfinite(f_anova) else tests[effect][1],
            "n_networks": n, "note": note})
    out = pd.DataFrame(rows)
    out.attrs["cell_means"] = table.pivot_table(index=factors[0], columns=factors[1],
                                                values=value, aggfunc="mean").to_dict()
    return out
