#!/usr/bin/env bash
# Installs what a fresh Debian machine of this kind lacks for one README command:
#   scripts/bootstrap.sh build   Debian packages to build (scripts/run.sh)
#   scripts/bootstrap.sh test    those, the test packages and the pinned Python packages in .venv
# The packages come from scripts/apt-packages.txt; only missing ones are installed, and named.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-test}"
case "$mode" in build|test) ;; *) echo "usage: $0 build|test" >&2; exit 2 ;; esac

wanted=()
while read -r package role _; do
  case "$package" in ""|"#"*) continue ;; esac
  if [ "$role" = build ] || [ "$mode" = test ]; then wanted+=("$package"); fi
done < scripts/apt-packages.txt
if [ "$mode" = test ]; then python3 -m venv --help >/dev/null 2>&1 || wanted+=(python3-venv); fi

missing=()
for package in "${wanted[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap ($mode): installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "bootstrap ($mode): Debian packages present: ${wanted[*]}" >&2
fi

if [ "$mode" = test ]; then
  if [ ! -x .venv/bin/python ] || ! cmp -s Tests/Interop/requirements.txt .venv/requirements.txt; then
    echo "bootstrap (test): installing the pinned Python packages of Tests/Interop/requirements.txt in .venv" >&2
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt
    cp Tests/Interop/requirements.txt .venv/requirements.txt
  fi
fi
