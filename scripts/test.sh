#!/usr/bin/env bash
# Command 2: lint, type-check and run the test suite (sets up .venv first if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy dispatch_core retrieval simulator
.venv/bin/python -m pytest "$@"
