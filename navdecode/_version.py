"""The installed version of navdecode (one home, read by the package and by recordings)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("navdecode")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"
