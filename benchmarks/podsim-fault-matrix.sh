#!/usr/bin/env bash
# Benchmark (not a test): every podsim fault scenario on every server, on real processes, as
# one Markdown table (scenario x server: unavailable ms, acknowledged and replicated writes
# lost, full syncs, promises kept). Needs root and the test tools (scripts/install-test-tools.sh).
#
# Usage: benchmarks/podsim-fault-matrix.sh [--readme] [--out FILE] [CHART [VALUES...]]
#   CHART    default generated-charts/redis-ha; VALUES default crates/podsim/tests/values/fast.yaml
#   --readme rewrite the table between the fault-matrix markers of README.md
#   --out    also write the table to FILE; the raw JSON reports go to FILE.jsonl
# Env: SERVERS (default "redis7 redis8 valkey9"), SCENARIOS (default: all),
#      CARGO_TARGET_DIR (default target).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
readme=false
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --readme) readme=true; shift ;;
    --out) out=$2; shift 2 ;;
    *) break ;;
  esac
done
chart=${1:-$repo/generated-charts/redis-ha}
[ $# -gt 0 ] && shift
values=("$@")
[ ${#values[@]} -eq 0 ] && values=("$repo/crates/podsim/tests/values/fast.yaml")
servers=${SERVERS:-redis7 redis8 valkey9}
scenarios=${SCENARIOS:-failover container-restart full-outage full-outage-empty-volume partition slow-sync rolling-restart lagging-replica}
target=${CARGO_TARGET_DIR:-$repo/target}

echo "building podsim (release)..." >&2
(cd "$repo" && CARGO_TARGET_DIR=$target cargo build --release -q -p podsim)
podsim=$target/release/podsim

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jsonl=$work/reports.jsonl
vargs=()
for v in "${values[@]}"; do vargs+=(-f "$v"); done

started=$(date -u +%Y-%m-%dT%H:%MZ)
for scenario in $scenarios; do
  for server in $servers; do
    echo "== $scenario on $server" >&2
    # Exit 1 = a promise broken (still a report); 2 = the run itself failed.
    if report=$(cd "$repo" && "$podsim" run "$scenario" "$chart" "${vargs[@]}" --server "$server" --json); then :; fi
    if [ -n "$report" ]; then
      echo "$report" >>"$jsonl"
    else
      printf '{"scenario":"%s","server":"%s","error":true}\n' "$scenario" "$server" >>"$jsonl"
    fi
  done
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
machine="$(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
table=$work/table.md
python3 - "$jsonl" "$chart" "${values[*]}" "$machine" "$started" >"$table" <<'PY'
import json, os, sys
jsonl, chart, values, machine, started = sys.argv[1:6]
rows = [json.loads(l) for l in open(jsonl) if l.strip()]
servers = []
for r in rows:
    if r["server"] not in servers:
        servers.append(r["server"])
scenarios = []
for r in rows:
    if r["scenario"] not in scenarios:
        scenarios.append(r["scenario"])
by = {(r["scenario"], r["server"]): r for r in rows}
def rel(p):
    return os.path.relpath(p) if os.path.isabs(p) else p
print(f"Chart `{rel(chart)}` with `{' '.join(rel(v) for v in values.split())}`; one run per cell, "
      f"{started}; {machine}.")
print()
print("Each cell: unavailable ms / acknowledged writes lost / replicated writes lost (confirmed "
      "by `WAIT 1`) / full syncs, then whether every promise of the scenario held.")
print()
versions = {}
for r in rows:
    if "server_version" in r:
        versions[r["server"]] = r["server_version"]
print("| scenario | " + " | ".join(f"{s} {versions.get(s, '')}".strip() for s in servers) + " |")
print("|---|" + "---|" * len(servers))
for sc in scenarios:
    cells = []
    for s in servers:
        r = by.get((sc, s))
        if r is None:
            cells.append("–")
        elif r.get("error"):
            cells.append("run failed")
        else:
            mark = "ok" if r["passed"] else "**FAILED**"
            cells.append(f"{r['unavailable_ms']} / {r['acked_writes_lost']} / "
                         f"{r['replicated_writes_lost']} / {r['full_syncs']} {mark}")
    print(f"| `{sc}` | " + " | ".join(cells) + " |")
broken = [r for r in rows if not r.get("error") and not r["passed"]]
if broken:
    print()
    for r in broken:
        print(f"- `{r['scenario']}` on {r['server']}: " + "; ".join(r["failures"]))
PY

cat "$table"
if [ -n "$out" ]; then
  cp "$table" "$out"
  cp "$jsonl" "$out.jsonl"
fi
if $readme; then
  python3 - "$repo/README.md" "$table" <<'PY'
import sys
readme, table = sys.argv[1:3]
text = open(readme).read()
begin, end = "<!-- fault-matrix:begin -->", "<!-- fault-matrix:end -->"
if begin not in text or end not in text:
    sys.exit("README.md has no fault-matrix markers")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme + ".tmp", "w").write(head + begin + "\n" + open(table).read() + end + tail)
PY
  mv "$repo/README.md.tmp" "$repo/README.md"
  echo "README.md updated" >&2
fi
