#!/usr/bin/env bash
# What the hub on one machine needs from the system, installed only when missing (Debian or
# Ubuntu, as root): PostgreSQL, configurable-http-proxy (npm; Node from the distribution when
# there is none), and a Python 3.11+ with venv that every user can run, for the users'
# environment. Called by `make hub`; .ci/run installs the same for the hub tests.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 \
  || need+=(postgresql)
proxy=configurable-http-proxy
command -v "$proxy" >/dev/null 2>&1 || command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
/usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3 python3-venv)

if [ ${#need[@]} -eq 0 ] && command -v "$proxy" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing: ${need[*]} $proxy; run as root (the hub creates system users anyway)" >&2
  exit 1
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
if ! command -v "$proxy" >/dev/null 2>&1; then
  # 5.1 runs on Debian 12's Node 18; later releases need Node 20 or newer
  echo "installing: $proxy (npm)"
  npm install --global --no-fund --no-audit "$proxy@5.1.0"
fi
