#!/usr/bin/env bash
# Runs every test: the Swift suites, then the interoperability tests that drive our
# plugin with the original's Python gRPC API (synse-grpc) and client (synse), then a few
# seconds of fuzzing per parser.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
swift build
swift test
SYNSETEST_FRESH_CLONE=1 .venv/bin/python -m pytest -q Tests/Interop
# A short libFuzzer run of every parser target (docs/fuzzing.md); longer: scripts/fuzz.sh 600.
if [ "${SYNSETEST_FUZZ_SECONDS:-5}" != 0 ]; then scripts/fuzz.sh "${SYNSETEST_FUZZ_SECONDS:-5}"; fi
