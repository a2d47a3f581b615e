#!/usr/bin/env bash
# Command 2: lint, type-check and run the test suite (sets up .venv first if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
# PostgreSQL and Redis on loopback and Debian's Chromium: the store tests run against SQLite and PostgreSQL,
# the stream adapter against a real Redis, the browser test in Chromium. Without them those tests skip
# (and fail when CI is set).
if services=$(bash scripts/services.sh); then eval "$services"; else echo "test: servers not started; their tests skip" >&2; fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy dispatch_core retrieval simulator
.venv/bin/python -m pytest "$@"
