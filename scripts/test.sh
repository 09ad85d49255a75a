#!/usr/bin/env bash
# `npm test`: type check, then every test file (contract, runtime, domains, services, systems)
# against the real NATS and MariaDB on this machine and SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p .
mapfile -t tests < <(find scripts mesh services -name '*.test.ts' | sort)
exec node --import tsx --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=test-results.tap "${tests[@]}" "$@"
