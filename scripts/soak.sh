#!/usr/bin/env bash
# Soak and fault run (issue 22): 30 minutes (or $1 seconds) of mixed load on loopback against
# the real server and two emulator plugins, killing one plugin and stopping the other as it
# goes; see scripts/soak.py for what is checked. Writes soak-report.json (or $2); further
# arguments go to scripts/soak.py (--warmup, --journal-size, --transaction-ttl, …; --help).
#
#   scripts/soak.sh [SECONDS] [REPORT] [SOAK.PY OPTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
swift build --product synse-server
swift build --product synse-emulator-plugin
exec .venv/bin/python scripts/soak.py --duration "${1:-1800}" --report "${2:-soak-report.json}" "${@:3}"
