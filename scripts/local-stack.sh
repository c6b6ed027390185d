#!/usr/bin/env bash
# The whole gateway flow on this machine, no AWS account needed: installs what it needs (the install part of
# scripts/test.sh), builds the gateway, starts the local OIDC issuer, STS (moto) behind a counting proxy, Redis,
# the Bedrock stand-in and the gateway, runs a short boto3 session, and stops everything it started.
#
#   scripts/local-stack.sh            the scripted session, then stop
#   scripts/local-stack.sh --serve    the session, then keep serving (prints how to point boto3 / the AWS CLI at it)
#   SKIP_INSTALL=1 scripts/local-stack.sh ...   reuse what is installed
#
# Needs a Swift 6 toolchain on PATH (it cannot be installed from Debian's packages). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
    scripts/test.sh --install-only --no-checkov
fi
if ! command -v swift >/dev/null; then
    echo "error: no Swift toolchain on PATH; install Swift 6.1 or later (swift.org) and run this again" >&2
    exit 1
fi

printf '\n==> Build the gateway (debug)\n'
swift build --product gateway
GATEWAY_BIN="$(swift build --show-bin-path)/gateway"

printf '\n==> Local stack\n'
# exec, not a child plus a trap: the driver then receives Ctrl-C, SIGTERM and SIGHUP itself (its handlers stop
# every component it started, each a process group of its own), and no shell is left between the signal and it.
exec .venv/bin/python scripts/local_stack.py --gateway-bin "$GATEWAY_BIN" "$@"
