#!/usr/bin/env bash
# Runs the sandbox suites as the unprivileged user nl2code-ci (made by test-setup.sh) from a copy of
# the checkout that user can read: the checkout and its venv may sit under /root (mode 700).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    echo "test-unprivileged: not root, so the main test run was already unprivileged"
    exit 0
fi
COPY=$(mktemp -d /tmp/nl2code-unprivileged.XXXXXX)
trap 'rm -rf "$COPY"' EXIT
cp -r src tests pyproject.toml "$COPY"/
find "$COPY" -name __pycache__ -prune -exec rm -rf {} +
chown -R nl2code-ci: "$COPY"
chmod 755 "$COPY"
su nl2code-ci -s /bin/sh -c "cd '$COPY' && PYTHONPATH=src PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/test_sandbox_layers.py tests/test_sandbox_hostile.py tests/test_languages.py tests/test_sandbox_hostile_languages.py ${PYTEST_ARGS:-}"
