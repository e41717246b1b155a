"""Violins drawn with matplotlib alone: no seaborn needed."""

import subprocess
import sys

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from navdecode.plotting.violins import dodged, draw_dots, draw_violins


def test_a_violin_spans_its_data_and_is_widest_at_the_mode():
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"v": rng.normal(5.0, 1.0, 4000), "g": "a", "h": "m"})
    ax = Figure().subplots()
    draw_violins(ax, data, "v", "g", "h", ["m"], {"m": "#009E73"}, legend=False)
    outline = ax.lines[0].get_xydata()
    assert outline[:, 1].min() == data["v"].min()
    assert outline[:, 1].max() == data["v"].max()
    widest = outline[np.argmax(outline[:, 0]), 1]
    assert abs(widest - 5.0) < 0.3


def test_hues_sit_side_by_side_and_dots_on_their_violins():
    data = pd.DataFrame({"v": np.r_[np.arange(10.0), np.arange(10.0) + 3],
                         "g": "1x", "h": ["m"] * 10 + ["k"] * 10})
    ax = Figure().subplots()
    cats = draw_violins(ax, data, "v", "g", "h", ["m", "k"], {"m": "g", "k": "r"})
    assert cats == ["1x"]
    assert dodged(0, 0, 2) == -0.2
    assert dodged(0, 1, 2) == 0.2
    centres = [line.get_xydata()[:, 0].mean() for line in ax.lines]
    np.testing.assert_allclose(centres, [-0.2, 0.2], atol=1e-9)
    draw_dots(ax, data.groupby(["g", "h"], as_index=False)["v"].mean(), "v", "g", "h", cats,
              ["m", "k"], {"m": "g", "k": "r"})
    xs = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections[-2:]])
    assert np.all(np.abs(np.abs(xs) - 0.2) <= 0.05)


def test_the_report_figures_draw_without_seaborn():
    code = ("import sys; sys.modules['seaborn'] = None\n"
            "import numpy as np, pandas as pd, navdecode as nd\n"
            "t = pd.DataFrame({'arch': ['modular', 'holistic'] * 20, 'seed': [0, 1] * 20,\n"
            "                  'gain': 1.0, 'decoding_error_cm': np.linspace(1, 30, 40),\n"
            "                  'curvature': np.linspace(0.001, 0.02, 40)})\n"
            "nd.plot_decoding_error(t); nd.plot_curvature(t)\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
