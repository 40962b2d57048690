#!/usr/bin/env bash
# The whole test run: installs the test tools and builds the test images (both cached and
# idempotent), checks types, lint and formatting, then runs every vitest project.
# Called by `npm test` after scripts/bootstrap.mjs; CI runs exactly `npm test` (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
export BERTH_CACHE=${BERTH_CACHE:-$HOME/.cache/berth}

echo "== installing test tools"
bash scripts/install-test-tools.sh
echo "== building test images"
bash scripts/build-test-images.sh

echo "== typecheck, lint, format"
npx tsc -p tsconfig.json --noEmit
npx eslint .
npx prettier --check . > /dev/null || { npx prettier --check .; exit 1; }

echo "== tests"
mkdir -p build
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=build/vitest.json "$@" || status=$?

node scripts/test-summary.mjs build/vitest.json || status=1
echo "== total time $(( $(date +%s) - started ))s"
exit "$status"
