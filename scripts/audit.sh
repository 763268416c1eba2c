#!/usr/bin/env bash
# `npm audit --omit=dev` with high/critical findings failing the build. Where the registry's audit
# endpoint is unreachable (this project's CI network answers 405 to the bulk advisory POST), the step
# says so plainly instead of pretending to have checked.
set -uo pipefail
cd "$(dirname "$0")/.."
output=$(npm audit --omit=dev --audit-level=high 2>&1)
status=$?
if [ $status -eq 0 ]; then
  echo "npm audit: no high or critical findings in production dependencies"
  exit 0
fi
if grep -q "audit endpoint returned an error\|ENOAUDIT\|E405\|EAI_AGAIN" <<<"$output"; then
  echo "npm audit: SKIPPED — the registry's audit endpoint is not reachable from this network"
  exit 0
fi
echo "$output"
exit $status
