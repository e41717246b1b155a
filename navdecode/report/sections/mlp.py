"""Position decoded from each MLP layer of actors that have one."""

from __future__ import annotations

from navdecode.analysis.decoding import decode
from navdecode.report.declared import Analysis, Column, Needs, Recipe
from navdecode.report.session import Session

__all__ = ["ANALYSIS", "PATTERN", "column", "layer_of"]

PATTERN = r"decoding_error_mlp\d+_cm"
"""The columns' names (one per layer)."""


def column(k: int) -> str:
    """The ``sessions`` column of MLP layer `k`."""
    return f"decoding_error_mlp{k}_cm"


def layer_of(name: str) -> str:
    """The layer number in a column's name."""
    return name.removeprefix("decoding_error_mlp").removesuffix("_cm")


def _session(s: Session) -> None:
    """``decoding_error_mlp<k>_cm``: position decoded (grouped CV) from each MLP layer of the
    agent's actor, after its ReLU (`mlp_units`); nothing for an actor without an MLP (the
    holistic one) or one that is not navdecode's."""
    from navdecode.agents.networks import RecurrentActor
    from navdecode.recording.rerun import mlp_units, with_units

    actor = getattr(s.net.agent, "actor", None)
    if s.grouped() is None or not isinstance(actor, RecurrentActor) or \
            "actor_input" not in s.ds.variables:
        return
    s.row |= {column(k): decode(with_units(s.ds, mlp_units(actor, s.ds, k),
                                           f"actor MLP layer {k}"), refit=False).mean_error
              for k in range(1, len(actor.linears()))}


ANALYSIS = Analysis(
    name="mlp", title="The actor's MLP layers", needs=Needs(variables=("actor_input",),
                                                            agent=True),
    recipes=(Recipe("navdecode", "grouped-CV position decoding from each MLP layer after its "
                    "ReLU, rerun on the recorded inputs", related_figure="1l, S1f",
                    differs="the paper fits its 70/30 RidgeCV decoder"),),
    columns={"sessions": tuple(Column(column(k), "cm", f"grouped-CV error from MLP layer {k}")
                               for k in (1, 2))},
    session=_session)
