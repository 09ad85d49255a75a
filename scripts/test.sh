#!/usr/bin/env bash
# `npm test`: type check, then every test file (contract, runtime, domains, services, systems)
# against the real NATS and MariaDB on this machine and SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p .
mapfile -t tests < <(find scripts mesh services -name '*.test.ts' | sort)
status=0
rm -f test-results.tap
node --import tsx --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=test-results.tap "$@" "${tests[@]}" || status=$?
# One closing line any reader can count on.
passed=$(grep -E '^# pass [0-9]+$' test-results.tap | awk '{print $3}')
failed=$(grep -E '^# fail [0-9]+$' test-results.tap | awk '{print $3}')
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
