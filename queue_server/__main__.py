"""``python -m queue_server``: the ``motcua`` command without its console script."""

import sys

from .cli import main

sys.exit(main())
