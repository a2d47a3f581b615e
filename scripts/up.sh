#!/usr/bin/env bash
# Command 1: set up, build the default catalog if missing, and serve on 127.0.0.1:8000 (embedded defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/rih serve "$@"
