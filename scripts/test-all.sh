#!/usr/bin/env bash
# Every check and test, in the order a reviewer would run them. `.ci/run` calls this (npm test).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s ==\n' "$1"; }

# First: the local stack's Python (moto), set up in .local-stack/venv on first use; a clear sentence if not.
step "local stack";  LOCAL_STACK_PYTHON="$(node scripts/local-python.mjs)"; export LOCAL_STACK_PYTHON
step "type-check";  npx tsc --noEmit -p tsconfig.json
step "lint";        npx eslint .
step "format";      npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
step "docs";        node scripts/docs.mjs --check
step "check-dist";  node scripts/check-dist.mjs
step "tests (unit + e2e through dist/ on the local stack)"
node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"
