#!/usr/bin/env bash
# Installs what the test suite needs beyond the Python packages (system packages, browsers, users).
# Idempotent: quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# apt_install PKG...: installs Debian packages, running `apt-get update` at most once per call of this script.
APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# Headless Chromium for the site's browser tests (Debian's package, driven by Playwright; no browser download).
if [ ! -x /usr/bin/chromium ]; then apt_install chromium fonts-dejavu-core; fi

# The kernel's syscall numbers, against which the seccomp tables are checked.
if [ ! -f /usr/include/asm-generic/unistd.h ] && [ "$(id -u)" -eq 0 ]; then apt_install linux-libc-dev; fi

# The sandbox suites also run as an unprivileged user (scripts/test-unprivileged.sh), with Debian's
# Python (readable by everyone, unlike an interpreter under /root) and Debian's pytest.
if [ "$(id -u)" -eq 0 ]; then
    id nl2code-ci >/dev/null 2>&1 || useradd --create-home --shell /bin/sh nl2code-ci
    if ! /usr/bin/python3 -c 'import pytest, pytest_timeout, click' 2>/dev/null; then
        apt_install python3-pytest python3-pytest-timeout python3-click
    fi
fi

# The compilers and runtimes of every language the executor runs (issue 10), with nl2code's own
# command (the README's `make toolchains`); quick when they are all present.
if [ "$(id -u)" -eq 0 ]; then "${NL2CODE_PYTHON:-.venv/bin/python}" -m nl2code toolchains install; fi

# PostgreSQL for the store suite: the tests start a throwaway server of their own (tests/pg_server.py,
# own data directory and port on 127.0.0.1) from Debian's binaries; the cluster the package sets up
# is not used or started.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then apt_install postgresql; fi
