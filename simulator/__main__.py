"""`python -m simulator --config FILE --out DIR` (the same options as `rih simulate`)."""

from __future__ import annotations

import sys

from simulator.cli import main

sys.exit(main())
