#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine (root, Node 20): installs what it needs
# (Debian packages, npm packages), checks format, lint and types, builds, starts the libvirt
# sandbox, and runs every test against it. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "Debian packages"
bash scripts/install-deps.sh

step "npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

step "format, lint"
npx prettier --check .
npx eslint .

step "build (tsc type check + bundle)"
npm run build --silent

step "libvirt sandbox"
bash scripts/sandbox.sh start

results=$(mktemp -d)
jest() { node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"; }

status=0
step "unit tests"
jest --selectProjects unit --json --outputFile="$results/unit.json" || status=1
step "integration tests (real libvirtd, QEMU, libvirt-dbus, system D-Bus)"
jest --selectProjects integration --runInBand --json --outputFile="$results/integration.json" || status=1

for extra in scripts/conformance-import.mjs; do
  if [ -f "$extra" ]; then
    step "$extra"
    node "$extra" || status=1
  fi
done

step "benchmarks (informational: speed is judged by the figures, not by a failing test)"
node bench/run.mjs || echo "bench: start-up ratio above target"
for bench in bench/define.mjs bench/import.mjs; do
  if [ -f "$bench" ]; then node "$bench" || echo "bench: $bench missed its target"; fi
done

# One plain closing line for any reader: "N passed, N failed".
node -e '
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    try { const r = require(f); passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites; }
    catch { failed += 1; }
  }
  console.log(`\n${passed} passed, ${failed} failed`);
' "$results/unit.json" "$results/integration.json"
exit $status
