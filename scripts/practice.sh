#!/usr/bin/env bash
# One command from a fresh clone to a practice session: set up, then `voiceprep practice`.
# Arguments go to `voiceprep practice` (e.g. --section Beginner --count 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/voiceprep practice "$@"
