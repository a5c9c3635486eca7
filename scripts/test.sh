#!/usr/bin/env bash
# Runs every test: the Swift suites, then the interoperability tests that drive our
# plugin with the original's Python gRPC API (synse-grpc) and client (synse).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
swift build
swift test
SYNSE_TEST_FRESH_CLONE=1 .venv/bin/python -m pytest -q Tests/Interop
