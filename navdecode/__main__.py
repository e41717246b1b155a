"""``python -m navdecode``: the ``navdecode`` command."""

import sys

from navdecode.cli import main

if __name__ == "__main__":
    sys.exit(main())
