"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode.pretrained import bundle as bundle
from navdecode.pretrained.bundle import BUNDLE_FILES as BUNDLE_FILES
from navdecode.pretrained.bundle import PRETRAINED_DIR as PRETRAINED_DIR
from navdecode.pretrained.bundle import bundle_path as bundle_path
from navdecode.pretrained.bundle import export_pretrained as export_pretrained
from navdecode.pretrained.bundle import list_pretrained as list_pretrained
from navdecode.pretrained.bundle import load_pretrained as load_pretrained
from navdecode.pretrained.bundle import pretrained_curve as pretrained_curve

__all__ = [
    "BUNDLE_FILES",
    "PRETRAINED_DIR",
    "bundle_path",
    "export_pretrained",
    "list_pretrained",
    "load_pretrained",
    "pretrained_curve",
]
