#!/usr/bin/env bash
# Benchmark (not a test): podsim's live monitoring scenario (`podsim monitoring`) on every
# server, as one Markdown table of alert latencies (from the cause: Prometheus's activeAt,
# then the alert seen firing, then seen resolved after the recovery), and a PNG of every
# dashboard panel's series from the first server's run. Needs root and the test tools
# (scripts/install-test-tools.sh).
#
# Usage: benchmarks/podsim-monitoring.sh [--readme] [--png FILE] [--out FILE] [CHART [VALUES...]]
#   CHART    default generated-charts/redis-1g; VALUES default crates/podsim/tests/values/
#            fast.yaml and monitoring.yaml (1 s scrapes and evaluations, short for:)
#   --readme rewrite the table between the monitoring markers of README.md
#   --png    write the first server's plot to FILE (the README's is docs/dashboard-podsim.png)
#   --out    also write the table to FILE; the raw JSON reports go to FILE.jsonl
# Env: SERVERS (default "redis8 redis7 valkey9"), CARGO_TARGET_DIR (default target).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
png=""
out=""
readme=false
while [ $# -gt 0 ]; do
  case "$1" in
    --readme) readme=true; shift ;;
    --png) png=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) break ;;
  esac
done
chart=${1:-$repo/generated-charts/redis-1g}
[ $# -gt 0 ] && shift
values=("$@")
[ ${#values[@]} -eq 0 ] && values=("$repo/crates/podsim/tests/values/fast.yaml" "$repo/crates/podsim/tests/values/monitoring.yaml")
servers=${SERVERS:-redis8 redis7 valkey9}
target=${CARGO_TARGET_DIR:-$repo/target}

echo "building podsim (release)..." >&2
(cd "$repo" && CARGO_TARGET_DIR=$target cargo build --release -q -p chartgen --bin podsim)
podsim=$target/release/podsim

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jsonl=$work/reports.jsonl
vargs=()
for v in "${values[@]}"; do vargs+=(-f "$v"); done

first=true
for server in $servers; do
  echo "== monitoring on $server" >&2
  pargs=()
  if $first && [ -n "$png" ]; then pargs=(--png "$png"); fi
  first=false
  # Exit 1 = a promise broken (still a report); 2 = the run itself failed.
  if report=$(cd "$repo" && "$podsim" monitoring "$chart" "${vargs[@]}" --server "$server" --release rel --json "${pargs[@]}"); then :; fi
  if [ -n "$report" ]; then
    echo "$report" >>"$jsonl"
  else
    printf '{"server":"%s","error":true}\n' "$server" >>"$jsonl"
  fi
done

table=$work/table.md
python3 - "$jsonl" >"$table" <<'PY'
import json, sys
reports = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| server | phase | alert (`for:`) | active after | firing after (bound) | resolved after recovery |")
print("|---|---|---|---|---|---|")
for r in reports:
    server = r.get("server")
    if r.get("error"):
        print(f"| {server} | the run failed | | | | |")
        continue
    name = f"{server} {r['server_version']}"
    for a in r["alerts"]:
        ms = lambda v: "–" if v is None else f"{v / 1000:.1f} s"
        print(f"| {name} | {a['phase']} | `{a['alert'].split('/')[0]}` ({a['for_ms'] / 1000:g} s) "
              f"| {ms(a['active_after_ms'])} | {ms(a['fired_after_ms'])} ({a['bound_ms'] / 1000:g} s) "
              f"| {ms(a['resolved_after_ms'])} |")
print()
for r in reports:
    if r.get("error"):
        continue
    o = r.get("master_loss") or {}
    state = "passed" if r["passed"] else "FAILED: " + "; ".join(r["failures"])
    print(f"- {r['server']} {r['server_version']} under Prometheus {r['prometheus_version']}: {state}; "
          f"healthy {r['healthy_window_ms'] / 1000:g} s with no alert; "
          f"{sum(len(p['series']) for p in r['panels'])} panel queries with data in {len(r['panels'])} panels; "
          f"master loss: {o.get('unavailable_ms')} ms unavailable, "
          f"{o.get('replicated_writes_lost')} of {o.get('writes_replicated')} confirmed writes lost; "
          f"also fired: {', '.join(sorted({k.split('/')[0] for _, k in r['fired']}))}")
PY
cat "$table"
if [ -n "$out" ]; then
  cp "$table" "$out"
  cp "$jsonl" "$out.jsonl"
fi
if $readme; then
  python3 - "$repo/README.md" "$table" <<'PY'
import sys
readme, table = sys.argv[1], open(sys.argv[2]).read().strip()
text = open(readme).read()
begin, end = "<!-- monitoring:begin -->", "<!-- monitoring:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(head + begin + "\n" + table + "\n" + end + tail)
PY
fi
