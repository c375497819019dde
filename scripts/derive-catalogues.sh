#!/usr/bin/env bash
# Re-derive the directive catalogues in crates/model/data/directives.
#   scripts/derive-catalogues.sh REDIS_CLONE VALKEY_CLONE
# REDIS_CLONE and VALKEY_CLONE are git clones of github.com/redis/redis and
# github.com/valkey-io/valkey. The versions without an installed binary come from config.c at
# their tags; the installed servers (Redis 7.0.15, 8.2.3, Valkey 9.1.2) are then probed by
# tests/catalogue_drift.rs, which rewrites their files; 8.4+ is copied from 8.2.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
redis=${1:?usage: $0 REDIS_CLONE VALKEY_CLONE}
valkey=${2:?usage: $0 REDIS_CLONE VALKEY_CLONE}
out="$root/crates/model/data/directives"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
from_source() { # server version tag clone url-base file
    git -C "$4" show "$3:src/config.c" > "$tmp/config.c"
    python3 "$root/scripts/catalogue-from-source.py" "$1" "$2" "$3" "$tmp/config.c" \
        "$5/blob/$3/src/config.c" > "$tmp/$6.json"
    mv "$tmp/$6.json" "$out/$6.json"
}
from_source redis 7.2 7.2.6 "$redis" https://github.com/redis/redis redis-7.2
from_source redis 7.4 7.4.1 "$redis" https://github.com/redis/redis redis-7.4
from_source redis 8.0 30eb6c3210fc10d3cc337dddbba2b4757b08bf60 "$redis" https://github.com/redis/redis redis-8.0
from_source valkey 8 8.0.1 "$valkey" https://github.com/valkey-io/valkey valkey-8
cd "$root"
export PATH="$root/.tools/bin:$PATH"
CATALOGUE_UPDATE=1 cargo test -q -p integration --test catalogue_drift
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
d = json.load(open(f"{out}/redis-8.2.json"))
d.update(version="8.4+", basis="assumed",
         release="8.4 and later (no release of it within reach of this project)",
         derived_from="assumed equal to redis-8.2.json (redis-server 8.2.3, probed by tests/catalogue_drift.rs)")
with open(f"{out}/redis-8.4.json", "w") as f:
    json.dump(d, f, indent=2)
    f.write("\n")
d = json.load(open(f"{out}/redis-8.0.json"))
d["release"] = "8.0 branch at 30eb6c3 (2024-09-26, before 8.0.0)"
with open(f"{out}/redis-8.0.json", "w") as f:
    json.dump(d, f, indent=2)
    f.write("\n")
PY
