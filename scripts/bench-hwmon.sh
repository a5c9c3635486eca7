#!/usr/bin/env bash
# Benchmark (not a test): full read passes of the hwmon plugin's sensors over the server/
# fixture tree (12 chips, 64 channels), release build. hwmon.md's reference: node_exporter's
# hwmon collector takes a median of 9.6 ms per scrape of the same tree on this kind of machine.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product hwmon-read-bench
"$(swift build -c release --show-bin-path)/hwmon-read-bench" Tests/Fixtures/sysfs/server "${PASSES:-2000}"
