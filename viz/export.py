"""``python -m viz.export``, the command's old name, kept so that older notes still work: see ``exports.cli``."""

import sys

from exports.cli import main

if __name__ == "__main__":
    sys.exit(main())
