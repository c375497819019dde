#!/usr/bin/env bash
# chartlint's redis.conf verdicts against the real servers on every generated value (the
# sample of `cargo test` is every ninth): Redis 7.0.15, Redis 8.2.3 and Valkey 9.1.2 each get
# every value in a config file; the agreement per server is printed, and any disagreement
# fails the run. See tests/differential.rs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-test-tools.sh
export PATH="$root/.tools/bin:$PATH"
DIFFERENTIAL_FULL=1 cargo test -q -p integration --test differential -- --nocapture
