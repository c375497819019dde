#!/usr/bin/env bash
# Benchmark (not a test): how long a full regeneration takes (`chartgen`, every chart and the
# schema, writing into a scratch copy of the repository) next to one `helm template` of the
# generated redis-ha chart, which is what a user runs for every install. Prints medians.
# Usage: benchmarks/chartgen-vs-helm-template.sh [runs]   (needs scripts/install-test-tools.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20}
helm="$root/.tools/bin/helm4"
[ -x "$helm" ] || { echo "run scripts/install-test-tools.sh first" >&2; exit 2; }
cd "$root"
cargo build -q --release -p chartgen
bin="$root/target/release/chartgen"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r chart-src README.md "$scratch/"

median_ms() { # command...
  local i t0 t1 times=()
  "$@" >/dev/null 2>&1 # warm-up
  for i in $(seq "$runs"); do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'
}

files=$("$bin" --root "$scratch" 2>&1 | sed -n 's/.*wrote \([0-9]*\) files.*/\1/p')
gen=$(median_ms "$bin" --root "$scratch")
check=$(median_ms "$bin" --root "$scratch" --check)
tpl=$(median_ms "$helm" template rel generated-charts/redis-ha)
tpl1g=$(median_ms "$helm" template rel generated-charts/redis-1g)
echo "runs per command: $runs (median wall time)"
echo "chartgen (release), regenerate all ($files files, 7 charts): ${gen} ms"
echo "chartgen --check:                                   ${check} ms"
echo "helm template generated-charts/redis-ha (helm 4.1): ${tpl} ms"
echo "helm template generated-charts/redis-1g (helm 4.1): ${tpl1g} ms"
