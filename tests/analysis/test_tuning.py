import numpy as np
import pytest
import xarray as xr

from navdecode.analysis.tuning import tuning_maps, tuning_strength


def tiny():
    """2 trials x 3 steps, 2 units; the last step of trial 1 is not recorded."""
    nan = np.nan
    x = np.array([[0.0, 1.0, 3.0], [0.5, 3.5, nan]])
    y = np.array([[0.0, 0.0, 3.0], [0.5, 3.0, nan]])
    h = np.array([[[1.0, 0.0], [3.0, 0.0], [10.0, 1.0]],
                  [[2.0, 0.0], [20.0, 1.0], [nan, nan]]])
    return xr.Dataset({"pos_x": (("trial", "step"), x), "pos_y": (("trial", "step"), y),
                       "hidden": (("trial", "step", "unit"), h),
                       "valid": (("trial", "step"), np.isfinite(x))},
                      coords={"unit": [7, 8]})


def test_rates_are_bin_means_by_hand():
    ds = tiny()
    # edges 0-2-4 in x and y: bin (x0, y0) holds steps (0,0) (0,1) (1,0): h0 = 1, 3, 2
    # bin (x1, y1) holds (0,2) and (1,1): h0 = 10, 20
    maps = tuning_maps(ds, bins=([0, 2, 4], [0, 2, 4]), min_count=1)
    np.testing.assert_array_equal(maps["count"].values, [[3, 0], [0, 2]])
    np.testing.assert_allclose(maps["rate"].sel(unit=7).values, [[2.0, np.nan], [np.nan, 15.0]])
    np.testing.assert_allclose(maps["rate"].sel(unit=8).values, [[0.0, np.nan], [np.nan, 1.0]])
    np.testing.assert_array_equal(maps["x_bin"], [1.0, 3.0])
    assert maps.attrs["n_steps"] == 5
    # min_count=3 leaves only the first bin
    sparse_maps = tuning_maps(ds, bins=([0, 2, 4], [0, 2, 4]), min_count=3)
    assert np.isnan(sparse_maps["rate"].sel(unit=7).values[1, 1])
    # eta2 by hand, unit 7 over all 5 steps: mean 36/5 = 7.2;
    # total = 6.2^2 + 4.2^2 + 5.2^2 + 2.8^2 + 12.8^2 = 38.44 + 17.64 + 27.04 + 7.84 + 163.84
    #       = 254.8
    # between = 3 (2 - 7.2)^2 + 2 (15 - 7.2)^2 = 81.12 + 121.68 = 202.8
    eta2 = tuning_strength(maps)
    assert eta2.sel(unit=7) == pytest.approx(202.8 / 254.8)
    assert eta2.sel(unit=8) == pytest.approx(1.0)  # unit 8 is a function of the bin
    # with only the first bin: unit 7's steps 1, 3, 2 all in one bin, nothing explained
    assert tuning_strength(sparse_maps).sel(unit=7) == pytest.approx(0.0)
    assert np.isnan(tuning_strength(sparse_maps).sel(unit=8))  # constant there


def test_equal_bins_span_the_recorded_range_and_bad_input_is_refused():
    ds = tiny()
    maps = tuning_maps(ds, bins=2, min_count=1)
    np.testing.assert_allclose(maps.attrs["x_edges"], [0.0, 1.75, 3.5])
    assert maps["count"].values.sum() == 5  # the largest x closes the last bin
    with pytest.raises(ValueError, match="increasing"):
        tuning_maps(ds, bins=([0, 2, 1], [0, 4]))
    with pytest.raises(ValueError, match="bins"):
        tuning_maps(ds, bins=0)
    with pytest.raises(ValueError, match="pos_z"):
        tuning_maps(ds, x="pos_z")
    with pytest.raises(ValueError, match="dims"):
        tuning_maps(ds, x="hidden")
    with pytest.raises(TypeError, match="maps"):
        tuning_strength(ds)
    # rows binned in chunks give the same maps as one chunk
    import navdecode.analysis.tuning as tuning

    saved, tuning._CHUNK = tuning._CHUNK, 2
    try:
        chunked = tuning_maps(ds, bins=2, min_count=1)
    finally:
        tuning._CHUNK = saved
    xr.testing.assert_allclose(chunked, maps)
