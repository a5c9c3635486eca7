#!/usr/bin/env bash
# Builds and runs the emulator plugin with its built-in config: 29 devices on TCP :5001.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift run synse-emulator-plugin "$@"
