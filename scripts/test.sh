#!/usr/bin/env bash
# Runs every test of the project. On a fresh Debian machine it first installs what the tests need:
# Debian packages (hiredis, Redis, nginx, wrk, openssl, gcc) and pinned Python tools in .venv and .venv-checkov.
#
#   scripts/test.sh            everything (what CI runs)
#   SKIP_INSTALL=1 scripts/test.sh   reuse what is installed
#   scripts/test.sh --install-only [--no-checkov]   only install (scripts/local-stack.sh uses this)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

INSTALL_ONLY=0 WITH_CHECKOV=1
for arg in "$@"; do
    case "$arg" in
        --install-only) INSTALL_ONLY=1 ;;
        --no-checkov) WITH_CHECKOV=0 ;;
        *) echo "usage: scripts/test.sh [--install-only [--no-checkov]]" >&2; exit 2 ;;
    esac
done

step() { printf '\n==> %s\n' "$*"; }

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
    step "Debian packages"
    packages=(libhiredis-dev pkg-config redis-server redis-tools openssl nginx libnginx-mod-http-echo wrk curl gcc libc6-dev)
    missing=()
    for package in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    # The Debian nginx package starts a server on port 80; the tests start their own on free ports.
    (command -v systemctl >/dev/null && systemctl stop nginx redis-server 2>/dev/null) || true

    step "Python tools (pinned)"
    install_venv() { # venv requirements
        local venv=$1 requirements=$2 stamp="$1/.requirements.sha256"
        local want; want=$(sha256sum "$requirements" | cut -d' ' -f1)
        if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
        echo "$want" > "$stamp"
    }
    install_venv .venv scripts/requirements-test.txt
    if [ "$WITH_CHECKOV" = 1 ]; then install_venv .venv-checkov scripts/requirements-checkov.txt; fi
fi
if [ "$INSTALL_ONLY" = 1 ]; then exit 0; fi
export PATH="$ROOT/.venv/bin:$PATH"
export PYTHON="$ROOT/.venv/bin/python"
export CHECKOV="$ROOT/.venv-checkov/bin/checkov"

# build_without_warnings ARGS...: swift build ARGS; a warning in the project's own code fails it.
build_without_warnings() {
    swift build "$@" 2>&1 | tee .build-test.log
    if grep -E "^$ROOT/(Sources|Tests|Benchmarks)/.*: warning:" .build-test.log; then
        echo "error: the build has warnings in the project's code (listed above)" >&2
        exit 1
    fi
    rm -f .build-test.log
}

step "Build (warnings in the project's own code fail the build)"
build_without_warnings --build-tests

step "Generated IAM is up to date with policies/catalog.yaml"
"$(swift build --show-bin-path)/gen-iam" check

step "Swift tests"
swift test --skip-build

step "The package-benchmark suite builds (only with GATEWAY_BENCHMARKS set; bench/package-benchmark.sh runs it)"
GATEWAY_BENCHMARKS=1 build_without_warnings --product GatewayBenchmarks

step "Python tests: independent IAM check, CLI, Terraform, end to end with boto3"
python -m pytest -q Tests/python Tests/integration
