"""`python -m evals`: the same as `rih eval`."""

from evals.cli import main

raise SystemExit(main())
