#!/usr/bin/env bash
# Builds and runs synse-server with the repository's config.yaml: the HTTP API on :5000 with
# the emulator plugin embedded (try `curl localhost:5000/v3/scan`). Installs the Debian
# packages the build needs first (scripts/bootstrap.sh build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh build
exec swift run synse-server "$@"
