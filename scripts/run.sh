#!/usr/bin/env bash
# Builds and runs synse-server with the repository's config.yaml: the HTTP API on :5000 with
# the emulator plugin embedded (try `curl localhost:5000/v3/scan`).
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift run synse-server "$@"
