#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs every test tool that is missing (Debian
# packages, Helm 3.17 and 4.1, kubernetes-validate, Redis 8 and Valkey servers, ...), checks that
# generated output is fresh, then runs formatting, clippy and every test of the workspace against
# the real tools. Prints the wall time of each phase, and a summary at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
command -v cargo >/dev/null 2>&1 || { echo "test.sh: cargo (Rust $msrv or newer) is required" >&2; exit 2; }

timings=()
phase() { # name command...
  local name=$1 start elapsed status=0
  shift
  echo "== $name"
  start=${EPOCHREALTIME/./}
  "$@" || status=$?
  elapsed=$(( (${EPOCHREALTIME/./} - start) / 100000 )) # tenths of a second
  timings+=("$(printf '%-52s %6d.%d s' "$name" $((elapsed / 10)) $((elapsed % 10)))")
  echo "== $name: $((elapsed / 10)).$((elapsed % 10)) s"
  return "$status"
}

phase "install test tools" bash scripts/install-test-tools.sh
export PATH="$root/.tools/bin:$PATH"

phase "chartgen --check (generated output is fresh)" cargo run -q -p chartgen -- --check
phase "cargo fmt --check" cargo fmt --all -- --check
phase "cargo clippy -D warnings" cargo clippy -q --workspace --all-targets -- -D warnings
# Libraries: no external tool, seconds to run once built.
phase "unit tests (helm-values, model, chartlint, generator, testkit)" \
  cargo test -p helm-values -p model -p chartlint -p generator -p testkit
# The binaries and everything that runs a real tool: helm, kubernetes-validate, shellcheck,
# redis/valkey, Sentinel, haproxy, promtool, Sarif.Multitool; podsim's scenarios need root.
phase "build the integration and podsim tests" cargo test -q --no-run -p chartgen -p podsim
# podsim's scenarios mostly wait (Sentinel's down-after, elections, syncs) while the integration
# tests mostly compute, so the two run side by side: together they take about as long as the
# scenarios alone, which keeps the whole suite well under CI's 30 minutes. The scenarios print
# into a log that is shown when they end; a failing integration phase still waits for them, so
# every server they started is stopped by podsim itself.
podsim_log=$(mktemp)
echo "== podsim scenarios (real servers in namespaces): started, alongside the integration tests"
podsim_start=${EPOCHREALTIME/./}
# --no-fail-fast: one failing test file must not hide the others' results.
cargo test --no-fail-fast -p podsim >"$podsim_log" 2>&1 &
podsim_pid=$!
integration=0
phase "integration tests (binaries and real tools)" cargo test --no-fail-fast -p chartgen || integration=$?
podsim=0
wait "$podsim_pid" || podsim=$?
elapsed=$(( (${EPOCHREALTIME/./} - podsim_start) / 100000 ))
cat "$podsim_log"
rm -f "$podsim_log"
name="podsim scenarios (alongside the integration tests)"
timings+=("$(printf '%-52s %6d.%d s' "$name" $((elapsed / 10)) $((elapsed % 10)))")
echo "== $name: $((elapsed / 10)).$((elapsed % 10)) s"
if [ "$integration" -ne 0 ] || [ "$podsim" -ne 0 ]; then
  echo "test.sh: integration tests exit $integration, podsim scenarios exit $podsim" >&2
  exit 1
fi

echo
echo "test.sh: every phase passed"
printf '  %s\n' "${timings[@]}"
