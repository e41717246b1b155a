"""Lazy public names of a package folder (SPEC 1, scientific-python's lazy loading).

Each folder's ``__init__.py`` declares, in one table, which of its modules defines which of
its public names (each module's ``__all__``; a test holds the two equal). `attach` turns
the table into the folder's ``__getattr__``, ``__dir__`` and ``__all__``, so ``from
navdecode.analysis import decode`` works while ``import navdecode.analysis`` imports none of
the folder's modules. The package's top level picks its names from these tables.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

__all__ = ["attach", "where"]


def where(exports: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Each public name -> the module (relative to its folder) that defines it; a name
    exported twice is refused."""
    found: dict[str, str] = {}
    for module, names in exports.items():
        for name in names:
            if name in found:
                msg = f"{name!r} is exported by both {found[name]!r} and {module!r}"
                raise ValueError(msg)
            found[name] = module
    return found


def attach(package: str, exports: dict[str, tuple[str, ...]]
           ) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for the folder `package` whose modules define
    the names of `exports` (module -> names): a name imports its module on first use, a
    module name imports the module."""
    table = where(exports)

    def __getattr__(name: str) -> object:
        if name in table:
            return getattr(importlib.import_module(f"{package}.{table[name]}"), name)
        if name in exports:
            return importlib.import_module(f"{package}.{name}")
        msg = f"module {package!r} has no attribute {name!r}"
        raise AttributeError(msg)

    def __dir__() -> list[str]:
        return sorted(set(table) | set(exports))

    return __getattr__, __dir__, sorted(table)
