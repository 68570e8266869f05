#!/usr/bin/env bash
# Installs what the test suite needs beyond the Python packages (system packages, browsers, users).
# Idempotent: quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
