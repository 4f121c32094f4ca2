"""``python -m exports``: see ``exports.cli``."""

import sys

from .cli import main

sys.exit(main())
