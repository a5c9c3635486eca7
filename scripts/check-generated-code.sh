#!/usr/bin/env bash
# Regenerates the protobuf/gRPC code and fails if it differs from what is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/generate-protos.sh
git diff --exit-code -- Sources/SynseProtocol/Generated
