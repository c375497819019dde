#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs every test tool that is missing (Debian
# packages, Helm 3.17 and 4.1, kubernetes-validate), checks that generated output is fresh,
# then runs formatting, clippy and every test of the workspace against the real tools.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

command -v cargo >/dev/null 2>&1 || { echo "test.sh: cargo (Rust 1.85+) is required" >&2; exit 2; }
bash scripts/install-test-tools.sh
export PATH="$root/.tools/bin:$PATH"

echo "== chartgen --check (generated-charts/ and schemas/ are fresh)"
cargo run -q -p chartgen -- --check
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy -q --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace
