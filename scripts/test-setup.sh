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
