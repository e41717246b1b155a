"""The bundled agents: their data files sit in this folder beside the code that reads them.

Module: `bundle` (`list_pretrained`, `load_pretrained`, `export_pretrained`, the bundle's
file names).
"""

from __future__ import annotations

from navdecode._exports import attach

_EXPORTS = {
    "bundle": (
        "BUNDLE_FILES", "PRETRAINED_DIR", "bundle_path", "export_pretrained",
        "list_pretrained", "load_pretrained", "pretrained_curve"),
}
"""Each module of this folder and the public names it defines (its ``__all__``)."""

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
