"""Every figure returns its Axes, refuses bad input and draws what it says."""

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from navdecode import fixed_targets, make_agent, plotting, run_agent
from navdecode.analysis.decoding import decode
from navdecode.analysis.metrics import trial_metrics


@pytest.fixture(scope="module")
def recording():
    from conftest import SteeringActor

    return run_agent(SteeringActor(), fixed_targets(60), seed=0)


@pytest.fixture(scope="module")
def sessions():
    return pd.DataFrame({"arch": ["modular", "modular", "holistic", "holistic"] * 2,
                         "seed": [0, 1, 0, 1] * 2, "gain": [1.0] * 4 + [2.0] * 4,
                         "reward_fraction": [0.9, 0.95, 0.85, 0.8, 0.6, 0.7, 0.1, 0.2],
                         "time_spent_h": [0.4, 0.41, 0.45, 0.44, 0.3, 0.3, 0.35, 0.36],
                         "decoding_error_cm": [10, 11, 12, 13, 20, 21, 40, 45.0]})


def test_every_figure_returns_its_axes(recording, sessions):
    table = trial_metrics(recording).assign(arch="modular", gain=1.0)
    curves = pd.DataFrame({"arch": ["modular"] * 4, "seed": [0, 0, 1, 1],
                           "episode": [500, 1000] * 2, "task": ["gain1x"] * 4,
                           "reward_fraction": [0.2, 0.8, 0.3, 0.9]})
    by_step = decode(recording, n_splits=3).error_by_step()
    calls = [
        lambda ax: plotting.plot_trial(recording, 3, ax=ax),
        lambda ax: plotting.plot_trajectories(recording, ax=ax),
        lambda ax: plotting.plot_reward_fraction(sessions, ax=ax),
        lambda ax: plotting.plot_time_spent(sessions, ax=ax),
        lambda ax: plotting.plot_training_curves(curves, ax=ax),
        lambda ax: plotting.plot_traveled_vs_target(table, ax=ax),
        lambda ax: plotting.plot_decoding_error(sessions, ax=ax),
        lambda ax: plotting.plot_decoding_over_time(by_step, ax=ax),
        lambda ax: plotting.plot_curvature(table, ax=ax),
    ]
    for call in calls:
        fig, ax = plt.subplots()
        assert call(ax) is ax
        assert ax.has_data()
        plt.close(fig)
    ax = plotting.plot_trial(recording)  # ax=None makes a figure
    assert isinstance(ax, Axes)
    plt.close("all")


def test_training_curve_shows_mean_of_seeds_only_where_every_seed_has_data():
    curves = pd.DataFrame({"arch": ["modular"] * 5, "seed": [0, 0, 1, 1, 1],
                           "episode": [500, 1000, 500, 1000, 1500], "task": ["gain1x"] * 5,
                           "reward_fraction": [0.2, 0.8, 0.4, 1.0, 1.0]})
    ax = plotting.plot_training_curves(curves)
    seed_lines, mean_line = ax.lines[:2], ax.lines[2]
    assert [len(line.get_xdata()) for line in seed_lines] == [2, 3]
    np.testing.assert_allclose(mean_line.get_xdata(), [500, 1000])
    np.testing.assert_allclose(mean_line.get_ydata(), [0.3, 0.9])
    plt.close("all")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [(lambda: plotting.plot_trial("ds"), TypeError, "ds"),
     (lambda: plotting.plot_reward_fraction(pd.DataFrame({"arch": []})), ValueError, "seed"),
     (lambda: plotting.plot_trial(run_agent(make_agent("modular", 0), fixed_targets(2)), 5),
      ValueError, "trial"),
     (lambda: plotting.plot_trajectories(run_agent(make_agent("modular", 0), fixed_targets(2)),
                                         ax="left"), TypeError, "ax")],
)
def test_plot_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
    plt.close("all")




def test_decoding_violins_take_steps_and_dot_the_seed_means():
    from matplotlib.collections import PathCollection

    rng = np.random.default_rng(0)
    rows = [{"arch": arch, "seed": seed, "gain": gain,
             "decoding_error_cm": rng.gamma(2.0, 5.0 * gain) + 10 * seed}
            for arch in ("modular", "holistic") for seed in (0, 1) for gain in (1.0, 2.0)
            for _ in range(200)]
    steps = pd.DataFrame(rows)
    ax = plotting.plot_decoding_error(steps)
    dots = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections
                           if isinstance(c, PathCollection)])
    means = steps.groupby(["arch", "gain", "seed"])["decoding_error_cm"].mean()
    np.testing.assert_allclose(np.sort(dots), np.sort(means.to_numpy()))
    plt.close("all")




def test_trajectories_of_a_recording_without_gain_in_metres():
    ds = run_agent(make_agent("modular", seed=0), fixed_targets(4))
    ds = ds.drop_vars("gain")
    for name in ("pos_x", "pos_y"):
        ds[name].attrs["units"] = "m"
    ds.attrs = {"label": "my task"}
    ax = plotting.plot_trajectories(ds)
    assert ax.get_xlabel() == "x (m)"
    assert ax.get_title().startswith("my task:")
    plt.close("all")


def test_the_similarity_matrix_figure_carries_its_label_and_scale():
    import pandas as pd

    from navdecode.plotting import plot_similarity_matrix

    idx = pd.MultiIndex.from_tuples([("modular", 0), ("holistic", 0)], names=["arch", "seed"])
    distance = pd.DataFrame([[0, 0.2], [0.2, 0]], index=idx, columns=idx)
    ax = plot_similarity_matrix(distance, label="DSA distance", vmax=None)
    bar = ax.figure.axes[-1]
    assert bar.get_ylabel() == "DSA distance"
    assert ax.images[0].get_clim() == (0.0, 0.2)
    ax = plot_similarity_matrix(distance.rsub(1))
    assert ax.figure.axes[-1].get_ylabel() == "linear CKA"
    assert ax.images[0].get_clim() == (0.0, 1.0)


def test_decoded_variables_draw_a_dot_per_network_and_a_bar_at_each_mean():
    s = pd.DataFrame({"arch": ["modular", "modular", "holistic", "holistic", "modular"],
                      "seed": [0, 1, 0, 1, 0], "gain": [1.0, 1.0, 1.0, 1.0, 2.0],
                      "decoding_r_vel_lin": [0.9, 0.8, 0.7, 0.6, 0.1],
                      "decoding_r_target_angle": [0.95, 0.85, 0.75, 0.65, 0.2]})
    ax = plotting.plot_decoded_variables(s)  # the smallest gain: 1x
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == [0.65, 0.7, 0.85, 0.9]  # the means over each arch's two seeds
    dots = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections])
    np.testing.assert_allclose(sorted(dots), [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
    with pytest.raises(ValueError, match="decoding_r_"):
        plotting.plot_decoded_variables(s[["arch", "seed", "gain"]])
    with pytest.raises(ValueError, match="gain=3"):
        plotting.plot_decoded_variables(s, gain=3.0)
    plt.close("all")


def test_a_tuning_map_draws_the_rates_with_blank_sparse_bins(recording):
    from navdecode.analysis.tuning import tuning_maps

    maps = tuning_maps(recording, bins=6, min_count=3)
    unit = maps["unit"].values[1].item()
    ax = plotting.plot_tuning_map(maps, unit)
    mesh = ax.collections[0]
    drawn = np.ma.masked_invalid(maps["rate"].sel(unit=unit).values)
    np.testing.assert_array_equal(np.ma.getmaskarray(mesh.get_array()).ravel(),
                                  drawn.mask.ravel())
    np.testing.assert_allclose(mesh.get_array().compressed(), drawn.compressed())
    assert ax.get_xlabel() == "pos_x (cm)"
    assert ax.get_title() == f"unit {unit}"
    with pytest.raises(ValueError, match="not among"):
        plotting.plot_tuning_map(maps, unit=10_000)
    with pytest.raises(TypeError, match="tuning_maps"):
        plotting.plot_tuning_map(recording, unit=0)
    plt.close("all")


def test_compensation_kernels_draw_the_seed_mean_per_group():
    rows = [{"arch": arch, "seed": s, "component": c, "group": g, "lag_step": k,
             "time_s": k / 10, "kernel": (s + 1) * k * (1 if g in ("forward", "congruent")
                                                        else -1)}
            for arch in ("modular", "holistic") for s in (0, 1)
            for c, groups in (("linear", ("forward", "backward")),
                              ("angular", ("congruent", "incongruent")))
            for g in groups for k in range(4)]
    ax = plotting.plot_compensation_kernels(pd.DataFrame(rows), "angular")
    first = ax.lines[0]
    assert first.get_label() == "modular, congruent (2 seeds)"
    assert first.get_linestyle() == "-"
    assert ax.lines[1].get_linestyle() == "--"
    np.testing.assert_allclose(first.get_ydata(), [0.0, 1.5, 3.0, 4.5])  # seeds 1x, 2x
    assert ax.get_ylabel() == "angular compensation (deg/s)"
    with pytest.raises(ValueError, match="seed"):
        plotting.plot_compensation_kernels(pd.DataFrame(rows).drop(columns="seed"))
    with pytest.raises(ValueError, match="component"):
        plotting.plot_compensation_kernels(pd.DataFrame(rows), "radial")
    plt.close("all")


def test_critic_values_are_drawn_aligned_to_the_trials_end():
    import xarray as xr

    q = np.array([[8.0, 9.0, 10.0, np.nan], [7.0, 8.0, 9.0, 10.0], [1.0, 1.0, np.nan, np.nan]])
    reward = np.where(np.isfinite(q), 0.0, np.nan)
    reward[0, 2], reward[1, 3] = 10.0, 10.0
    values = xr.Dataset({"q_value": (("trial", "step"), q),
                         "reward": (("trial", "step"), reward)}, attrs={"gamma": 0.5})
    ax = plotting.plot_critic_values(values, [True, True, False], max_lag=2)
    rewarded, unrewarded, ideal = ax.lines[:3]
    np.testing.assert_allclose(rewarded.get_xdata(), [0, -1, -2])
    np.testing.assert_allclose(rewarded.get_ydata(), [10.0, 9.0, 8.0])  # both end at 10
    np.testing.assert_allclose(unrewarded.get_ydata()[:2], [1.0, 1.0])
    np.testing.assert_allclose(ideal.get_ydata(), [10.0, 5.0, 2.5])  # gamma^k R
    with pytest.raises(ValueError, match="one value per trial"):
        plotting.plot_critic_values(values, [True])
    with pytest.raises(TypeError, match="critic_values"):
        plotting.plot_critic_values(q, [True, True, False])
    plt.close("all")


def test_training_curves_plot_any_curve_column_and_leave_out_nan_rows():
    curves = pd.DataFrame({"arch": ["modular"] * 4, "seed": [0, 0, 1, 1],
                           "episode": [500, 1000, 500, 1000], "task": ["gain1x"] * 4,
                           "reward_fraction": [0.2, 0.8, 0.3, 0.9],
                           "td_error_abs": [0.5, 0.1, np.nan, 0.3]})
    ax = plotting.plot_training_curves(curves, value="td_error_abs")
    mean_line = ax.lines[2]
    np.testing.assert_allclose(mean_line.get_xdata(), [1000])  # both seeds only at 1000
    np.testing.assert_allclose(mean_line.get_ydata(), [0.2])
    assert ax.get_ylabel() == "td error abs"
    with pytest.raises(ValueError, match="value_est"):
        plotting.plot_training_curves(curves, value="value_est")
    plt.close("all")
