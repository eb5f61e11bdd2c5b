#!/usr/bin/env bash
# Run the whole test suite: lint and type checks, then unit, integration and end-to-end
# tests.
#
# Creates .venv and installs the project on first use. PostgreSQL tests run when
# PLANLEDGER_TEST_POSTGRES_URL names a server (for example
# postgresql://postgres@127.0.0.1:5432/test); each test uses a schema of its own.
# Under CI=true they must run. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(project_root)"
ensure_venv

# The browser tests (tests/browser) drive the system's Chromium through Playwright (installed
# with the test extra; its own browser download is not used): Debian's package.
if [ -z "${PLANLEDGER_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium for the browser tests" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "the browser tests need Chromium: apt-get install chromium, or set PLANLEDGER_CHROMIUM" >&2
  fi
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet .

echo "== mypy"
.venv/bin/mypy --strict domain projections adapters

echo "== pytest"
if [ -z "${PLANLEDGER_TEST_POSTGRES_URL:-}" ]; then
  echo "(PLANLEDGER_TEST_POSTGRES_URL is not set: the PostgreSQL runs of the tests are skipped)"
else
  allow_local_replication "$PLANLEDGER_TEST_POSTGRES_URL"
fi
.venv/bin/python -m pytest "$@"
