"""CKA and the Procrustes shape distance against hand computations."""

import numpy as np
import pytest
from conftest import synthetic_dataset

from navdecode.analysis.similarity import (
    CKAColumns,
    cka,
    procrustes_distance,
    similarity_matrix,
    within_between,
)
from navdecode.analysis.units import Units


def with_units(hidden, seed=0, arch="a"):
    n_trials, n_steps = hidden.shape[:2]
    t = np.arange(n_steps) * 10.0
    ds = synthetic_dataset(np.zeros((n_trials, n_steps)), np.tile(t, (n_trials, 1)),
                           hidden=hidden)
    return ds.assign_attrs(arch=arch, label=arch, agent_seed=seed)


def test_cka_and_procrustes_are_invariant_to_rotation_and_scale():
    rng = np.random.default_rng(0)
    h = rng.normal(size=(30, 8, 5))
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    a, b = with_units(h), with_units(3.0 * h @ q)
    assert cka(a, b) == pytest.approx(1.0)
    assert procrustes_distance(a, b) == pytest.approx(0.0, abs=1e-6)


def test_cka_by_hand_and_different_widths():
    rng = np.random.default_rng(1)
    h1, h2 = rng.normal(size=(20, 6, 4)), rng.normal(size=(20, 6, 7))
    x = h1.reshape(-1, 4) - h1.reshape(-1, 4).mean(0)
    y = h2.reshape(-1, 7) - h2.reshape(-1, 7).mean(0)
    want = np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y))
    assert cka(with_units(h1), with_units(h2)) == pytest.approx(want)
    xn, yn = x / np.linalg.norm(x), y / np.linalg.norm(y)
    nuclear = np.linalg.svd(np.pad(xn, [(0, 0), (0, 3)]).T @ yn, compute_uv=False).sum()
    assert procrustes_distance(with_units(h1), with_units(h2)) == pytest.approx(
        np.arccos(nuclear))


def test_matrix_and_within_between():
    rng = np.random.default_rng(2)
    base = rng.normal(size=(15, 5, 6))
    recs = [with_units(base + 0.1 * rng.normal(size=base.shape), seed=s, arch="m")
            for s in range(3)]
    recs += [with_units(rng.normal(size=base.shape), seed=s, arch="h") for s in range(2)]
    m = similarity_matrix(recs)
    assert m.shape == (5, 5)
    np.testing.assert_allclose(np.diag(m), 1.0)
    table = within_between(m)
    modular = table[table["arch"] == "m"]
    assert (modular["within"] > modular["between"]).all()
    with pytest.raises(ValueError, match="distinct"):
        similarity_matrix([recs[0], recs[0]])
    with pytest.raises(ValueError, match="same trials"):
        cka(recs[0], recs[0].isel(trial=slice(0, 5)))


def test_cka_of_independent_random_units_is_near_zero():
    rng = np.random.default_rng(4)
    a = with_units(rng.normal(size=(400, 10, 5)))
    b = with_units(rng.normal(size=(400, 10, 5)))
    assert cka(a, b) < 0.01
    assert procrustes_distance(a, b) > 1.4  # nearly orthogonal shapes: close to pi/2


def test_cka_from_gram_matrices_equals_the_direct_formula_on_ragged_trials():
    """Trials of different lengths in each recording: the Gram-matrix path (every
    finite recording) equals the centred formula on the samples valid in both."""
    rng = np.random.default_rng(7)
    recs, raw = [], []
    for k in range(3):
        h = rng.normal(size=(25, 9, 4 + k)) + 3.0
        valid = np.arange(9)[None, :] < rng.integers(3, 10, size=25)[:, None]
        ds = with_units(np.where(valid[..., None], h, np.nan), seed=k)
        ds["valid"] = (("trial", "step"), valid)
        recs.append(ds)
        raw.append((h, valid))
    m = similarity_matrix(recs)
    for i in range(3):
        for j in range(i + 1, 3):
            both = raw[i][1] & raw[j][1]
            x, y = raw[i][0][both], raw[j][0][both]
            x, y = x - x.mean(0), y - y.mean(0)
            want = np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) *
                                                   np.linalg.norm(y.T @ y))
            assert m.iloc[i, j] == pytest.approx(want, rel=1e-10)
    recs[1]["hidden"][0, 0, 0] = np.nan  # a non-finite valid sample: the direct path
    assert np.isfinite(similarity_matrix(recs).to_numpy()).all()


def test_cka_columns_added_one_at_a_time_equal_the_matrix_and_refuse_non_finite():
    """The report adds recordings as its workers finish them: the same values, bit for
    bit, as `similarity_matrix`; a recording with a non-finite valid sample is not added."""
    rng = np.random.default_rng(3)
    recs = []
    for k in range(4):
        valid = np.arange(8)[None, :] < rng.integers(3, 9, size=20)[:, None]
        h = np.where(valid[..., None], rng.normal(size=(20, 8, 5)) + k, np.nan)
        ds = with_units(h, seed=k, arch="ab"[k % 2])
        ds["valid"] = (("trial", "step"), valid)
        recs.append(ds)
    columns = CKAColumns()
    assert all(columns.add(Units.of(ds)) for ds in recs)
    labels = [("ab"[k % 2], k) for k in range(4)]
    assert columns.frame(labels).equals(similarity_matrix(recs, labels=labels))
    bad = recs[0].copy(deep=True)
    bad["hidden"][0, 0, 0] = np.nan
    assert columns.add(Units.of(bad)) is False
    assert len(columns) == 4
    with pytest.raises(ValueError, match="one \\(arch, seed\\) per recording"):
        columns.frame(labels[:3])


def test_steps_are_paired_by_their_index_and_trials_need_an_identity():
    """A recording sliced to drop its first 5 steps against a full one once gave CKA 0.486
    instead of 0.934 (steps paired by position); recordings of a task without targets were
    paired by position too. Both are now refused, saying what differs."""
    import navdecode as nd

    targets = nd.fixed_targets(20)
    a = nd.run_agent(nd.load_pretrained("modular", 0), targets, seed=0)
    b = nd.run_agent(nd.load_pretrained("modular", 1), targets, seed=0)
    assert 0 < nd.cka(a, b) <= 1
    with pytest.raises(ValueError, match="do not cover the same steps"):
        nd.cka(a.isel(step=slice(5, None)), b)
    with pytest.raises(ValueError, match="do not cover the same steps"):
        nd.similarity_matrix([a.isel(step=slice(5, None)), b, a], labels=[
            ("x", 0), ("y", 0), ("x", 1)])
    anonymous = [ds.drop_vars(["target_x", "target_y", "gain", "trial_id"]).assign_coords(
        trial_id=("trial", [f"trial-{i}#0" for i in range(20)])) for ds in (a, b)]
    with pytest.raises(ValueError, match="no trial identity"):
        nd.cka(*anonymous)
    keyed = [ds.assign_coords(trial_id=("trial", [f"seed0-trial{i}" for i in range(20)]))
             for ds in anonymous]
    assert nd.cka(*keyed) == pytest.approx(nd.cka(a, b))
