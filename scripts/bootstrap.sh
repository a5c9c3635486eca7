#!/usr/bin/env bash
# Installs what a fresh Debian machine of this kind lacks for building and testing:
# Debian packages (only those missing) and the pinned Python packages in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

# protoc: the wire-compatibility test compares our .proto with the original's descriptors;
# libsystemd-dev: the CSystemd target links it; systemd: systemd-socket-activate for tests;
# prometheus: promtool and a real Prometheus for the metrics tests.
apt_packages=(protobuf-compiler libsystemd-dev systemd pkg-config prometheus)
python3 -m venv --help >/dev/null 2>&1 || apt_packages+=(python3-venv)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ] || ! cmp -s scripts/requirements.txt .venv/requirements.txt; then
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements.txt
  cp scripts/requirements.txt .venv/requirements.txt
fi
