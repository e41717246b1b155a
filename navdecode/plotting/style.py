"""One palette for any number of agent labels, shades for conditions, and new axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

__all__ = ['ARCH_COLORS', 'arch_palette', 'new_axes', 'shade']

# Okabe-Ito: distinguishable under the common colour-vision deficiencies
ARCH_COLORS = {"modular": "#009E73", "holistic": "#D55E00"}


_OTHER_COLORS = ("#0072B2", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")


def arch_palette(labels: object) -> dict[str, str]:
    """One colour per agent label: modular and holistic keep theirs, others get the next.

    Examples
    --------
    >>> from navdecode.plotting.style import arch_palette
    >>> arch_palette(["modular", "my GRU"])
    {'modular': '#009E73', 'my GRU': '#0072B2'}
    """
    names = list(dict.fromkeys(str(v) for v in labels))
    others = iter(_OTHER_COLORS * (1 + len(names) // len(_OTHER_COLORS)))
    return {n: ARCH_COLORS[n] if n in ARCH_COLORS else next(others) for n in names}


def new_axes(ax: Axes | None, size: tuple[float, float] = (4.5, 4.0)) -> Axes:
    """`ax` itself (checked to be an Axes), or a new figure's Axes of `size` (inches)."""
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    elif not isinstance(ax, Axes):
        msg = f"ax must be a matplotlib Axes or None, got {type(ax).__name__}"
        raise TypeError(msg)
    return ax


def shade(color: str, level: int, levels: int) -> tuple[float, float, float]:
    """The architecture's colour, lighter for later gains (gain by lightness, not hue)."""
    from matplotlib.colors import to_rgb

    mix = 0.55 * level / max(levels - 1, 1)
    return tuple(c + (1 - c) * mix for c in to_rgb(color))
