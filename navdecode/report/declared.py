"""What a report analysis declares: its needs, its recipe, its columns, its text and figures.

One `Analysis` per report section (`navdecode.report.sections`). The report computes,
writes, lists and documents the analyses by looping over `navdecode.report.ANALYSES`, so
what an analysis says about itself (the recipe it runs, the paper figure it reproduces or
only resembles, the columns and units it writes) is the one place the report's labels come
from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Analysis", "Column", "FigureSpec", "Needs", "Recipe"]


@dataclass(frozen=True)
class Column:
    """One declared output column.

    Attributes
    ----------
    name : str
        The column's name in the report's tables (internal ``_cm`` spelling for lengths;
        the written tables carry the recordings' length unit).
    unit : str
        ``"cm"``, ``"s"``, ``"1/s"``, ``"deg"``, ``"1"`` (dimensionless) ...
    description : str
        One line: what the number is.
    """

    name: str
    unit: str
    description: str


@dataclass(frozen=True)
class Recipe:
    """How an analysis computes its numbers.

    Attributes
    ----------
    name : str
        ``"navdecode"`` (the library's default) or the convention's name (``"paper"``,
        ``"tutorial"``).
    description : str
        One line: the computation.
    paper_figure : str or None
        The paper figure this recipe reproduces (set only when the paper's own recipe
        computes it, e.g. ``"1f"``).
    related_figure : str or None
        A paper figure that shows a related quantity computed differently.
    differs : str or None
        How this recipe differs from `related_figure`'s (required with it).
    """

    name: str
    description: str
    paper_figure: str | None = None
    related_figure: str | None = None
    differs: str | None = None

    def __post_init__(self) -> None:
        if self.paper_figure is not None and self.name != "paper" and not \
                self.name.startswith("paper"):
            msg = (f"recipe {self.name!r} names the paper's figure {self.paper_figure}; only "
                   "the paper's recipe may (use related_figure and differs)")
            raise ValueError(msg)
        if (self.related_figure is None) != (self.differs is None):
            msg = f"recipe {self.name!r}: related_figure and differs go together"
            raise ValueError(msg)

    def label(self) -> str:
        """The recipe as the report names it: the paper's figure only where its recipe
        computed the number, else navdecode's recipe and how it differs."""
        if self.paper_figure is not None:
            return f"the paper's figure {self.paper_figure}, the paper's recipe"
        if self.related_figure is not None:
            return (f"navdecode's recipe; the paper's figure {self.related_figure} shows a "
                    f"related quantity ({self.differs})")
        return f"{self.name}'s recipe" if self.name != "navdecode" else "navdecode's recipe"


@dataclass(frozen=True)
class Needs:
    """What an analysis needs from a recording and the run.

    Attributes
    ----------
    variables : tuple of str
        Recording variables (beyond ``valid``).
    firefly : bool
        The firefly task (its ``task_*`` attributes).
    agent : bool
        An agent to rerun (not only recordings).
    extra : str or None
        An optional dependency (``pip install 'navdecode[<extra>]'``).
    """

    variables: tuple[str, ...] = ()
    firefly: bool = False
    agent: bool = False
    extra: str | None = None


@dataclass(frozen=True)
class FigureSpec:
    """One figure: ``navdecode.plotting.<plot>(*args, ax=ax, **kwargs)`` saved as
    ``<name>.png`` with `title` (None: the plot's own)."""

    name: str
    plot: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    title: str | None = None


@dataclass(frozen=True)
class Analysis:
    """One report analysis.

    Attributes
    ----------
    name : str
        Its name (``navdecode report --analyses NAME`` for the optional ones).
    title : str
        The report section's title.
    option : str or None
        The ``analyses=`` name (``navdecode report --analyses NAME``) that turns it on;
        None: it always runs. Analyses of one option run together.
    default : bool
        Whether its option is on unless chosen otherwise.
    needs : Needs
    recipes : tuple of Recipe
        What it computes and how.
    columns : dict of str to tuple of Column
        The `ReportTables` frame each column lands in (``"sessions"``, ``"perturbation"``
        ...) -> its declared columns (a session writes those its recording supports).
    family : dict of str to str
        Session metrics compared across labels as one Holm family of their own (metric ->
        title), named after the analysis in ``comparisons``.
    family_of : callable or None
        ``family_of(sessions) -> dict``: the family's metrics when they depend on what was
        asked for (the variables a user names).
    session : callable or None
        ``session(s: Session) -> None``: one recording's part (adds to ``s.row``,
        ``s.part``, or tells ``s.skip`` why not).
    joint_targets : callable or None
        ``joint_targets(s: Session) -> (targets, extra variables) or None``: target sets
        decoded together with the position (grouped CV, shared folds and Gram matrices).
    collect : callable or None
        ``collect(part: Part, context: Combine) -> None``: what it keeps of each network's
        part as the parts come in.
    combine : callable or None
        ``combine(tables: ReportTables, context: Combine) -> callable or None``: its tables
        across networks; a returned callable finishes work left running in the workers
        after every other analysis has combined.
    text : callable or None
        ``text(tables: ReportTables) -> list of str``: its section of ``report.md``.
    figures : callable or None
        ``figures(tables: ReportTables) -> list of FigureSpec``.
    """

    name: str
    title: str
    option: str | None = None
    default: bool = True
    needs: Needs = field(default_factory=Needs)
    recipes: tuple[Recipe, ...] = ()
    columns: dict[str, tuple[Column, ...]] = field(default_factory=dict)
    family: dict[str, str] = field(default_factory=dict)
    family_of: Callable | None = None
    session: Callable | None = None
    joint_targets: Callable | None = None
    collect: Callable | None = None
    combine: Callable | None = None
    text: Callable | None = None
    figures: Callable | None = None

    def families(self, sessions: object) -> dict[str, str]:
        """The metrics of its Holm family on these sessions (`family`, `family_of`)."""
        return dict(self.family) | (self.family_of(sessions) if self.family_of else {})

    def column_names(self, frame: str = "sessions") -> tuple[str, ...]:
        """The declared columns of `frame`, in order."""
        return tuple(c.name for c in self.columns.get(frame, ()))

    def recipe(self, name: str = "navdecode") -> Recipe:
        """The recipe called `name`."""
        for recipe in self.recipes:
            if recipe.name == name:
                return recipe
        msg = f"analysis {self.name!r} has no recipe {name!r}: {[r.name for r in self.recipes]}"
        raise ValueError(msg)
