"""``python -m strikemap.cli``: the ``strikemap`` command."""

import sys

from strikemap.cli.main import main

sys.exit(main())
