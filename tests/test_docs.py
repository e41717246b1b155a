"""Every public name is documented; docstring examples run."""

import doctest
import importlib
import inspect
import pkgutil
import tempfile

import pytest

import navdecode

PUBLIC = [n for n in navdecode.__all__ if n not in ("__version__", "ARCHITECTURES", "ENV_ID")]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_has_a_numpy_docstring(name):
    obj = getattr(navdecode, name)
    doc = inspect.getdoc(obj)
    assert doc, f"{name} has no docstring"
    assert "Examples\n--------" in doc, f"{name} has no Examples section"
    if hasattr(obj, "__dataclass_fields__"):
        return  # config dataclasses document each field with the docstring under it
    if inspect.isfunction(obj) or inspect.isclass(obj):
        target = obj.__init__ if inspect.isclass(obj) else obj
        params = [] if target is object.__init__ else [
            p for p in inspect.signature(target).parameters if p != "self"]
        if params:
            assert "Parameters\n----------" in doc, f"{name} lacks a Parameters section"


# every public module, found on disk so that a new one cannot be left out
MODULES = sorted(m.name.removeprefix("navdecode.")
                 for m in pkgutil.walk_packages(navdecode.__path__, "navdecode.")
                 if not m.name.rsplit(".", 1)[-1].startswith("_"))


@pytest.mark.parametrize("module", MODULES)
def test_doctests(module, tmp_path, monkeypatch):
    # the examples write into tempfile.mkdtemp() folders: keep them under pytest's tmp_path
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    mod = importlib.import_module(f"navdecode.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
