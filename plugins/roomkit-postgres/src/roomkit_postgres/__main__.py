"""``python -m roomkit_postgres migrate --dsn ...``."""

import sys

from roomkit_postgres.cli import main

sys.exit(main())
