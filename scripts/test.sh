#!/usr/bin/env bash
# One command from a fresh clone to the whole test suite: set up (with test extras), then pytest.
# Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
