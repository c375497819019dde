#!/usr/bin/env bash
# Benchmark (not a test): lint N generated values files against one chart with
# `chartlint --each` (one process) and compare with a loop of `helm lint -f`.
# helm is slow, so `helm lint` runs on a sample of SAMPLE files, each timed on its own, and
# the median file is extrapolated to N.
#
# Usage: benchmarks/chartlint-vs-helm.sh [CHART_DIR] [N] [SAMPLE]
# Env: HELM (default .tools/bin/helm4), CARGO_TARGET_DIR (default target), RUNS (chartlint
# timings, median reported; default 5).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
chart=${1:-$repo/generated-charts/redis-ha}
n=${2:-1000}
sample=${3:-20}
helm=${HELM:-$repo/.tools/bin/helm4}
target=${CARGO_TARGET_DIR:-$repo/target}

echo "building chartlint (release)..." >&2
(cd "$repo" && CARGO_TARGET_DIR=$target cargo build --release -q -p chartgen --bin chartlint)
chartlint=$target/release/chartlint

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/values"

# Realistic, varied values files: replicas, memory sizing, HAProxy, auth, persistence,
# redis.config and sentinel.config, and now and then a typo or an unquoted yes.
for i in $(seq 1 "$n"); do
  replicas=$((3 + i % 3))
  mem=$((1 + i % 16))
  haproxy=$([ $((i % 2)) -eq 0 ] && echo true || echo false)
  typo=$([ $((i % 10)) -eq 0 ] && echo "  enabel: true" || echo "  replicas: 3")
  appendonly=$([ $((i % 7)) -eq 0 ] && echo "yes" || echo '"yes"')
  cat > "$work/values/instance-$i.yaml" <<YAML
# instance $i
replicas: $replicas
image:
  repository: redis
  tag: 7.2.4-alpine
auth: true
redisPassword: "s3cret-$i"
haproxy:
  enabled: $haproxy
$typo
  resources:
    requests:
      memory: 128Mi
      cpu: 100m
redis:
  config:
    maxmemory: "${mem}gb"
    maxmemory-policy: allkeys-lru
    appendonly: $appendonly
    min-replicas-to-write: 1
  resources:
    requests:
      memory: $((mem * 1536))Mi
      cpu: 500m
    limits:
      memory: $((mem * 1536))Mi
sentinel:
  quorum: 2
  config:
    down-after-milliseconds: 10000
    failover-timeout: 180000
persistentVolume:
  enabled: true
  size: $((mem * 4))Gi
labels:
  team: cache-$((i % 20))
YAML
done

# bash `time` gives wall (%R) and CPU (%U user + %S system) seconds; on a busy machine the CPU
# figures are the steadier comparison.
TIMEFORMAT='%R %U %S'

# One chartlint run takes a tenth of a second, so a single timing is mostly the noise of a
# shared machine: time RUNS runs and report the median one (by wall time).
runs=${RUNS:-5}
: > "$work/chartlint.times"
for _ in $(seq 1 "$runs"); do
  set +e
  { time "$chartlint" "$chart" --each "$work/values" --format json > "$work/chartlint.json"; } 2> "$work/chartlint.time"
  rc=$?
  set -e
  if [ "$rc" -ge 2 ]; then
    echo "chartlint failed with exit code $rc" >&2
    exit 1
  fi
  tail -n 1 "$work/chartlint.time" >> "$work/chartlint.times"
done
# Medians, each over its own column: the machine's speed varies from run to run.
median() { sort -n | sed -n "$(( ($(wc -l < "$1") + 1) / 2 ))p"; }
cl_wall=$(awk '{ print $1 }' "$work/chartlint.times" | median "$work/chartlint.times")
cl_cpu=$(awk '{ print $2 + $3 }' "$work/chartlint.times" | median "$work/chartlint.times")
cl_files=$(grep -o '"files": [0-9]*' "$work/chartlint.json" | grep -o '[0-9]*$')

# helm: each sampled file timed on its own; the median file, times N, is the loop's estimate.
: > "$work/helm.times"
for i in $(seq 1 "$sample"); do
  { time "$helm" lint "$chart" -f "$work/values/instance-$i.yaml" > /dev/null 2>&1 || true; } 2> "$work/helm.time"
  tail -n 1 "$work/helm.time" >> "$work/helm.times"
done
h_wall=$(awk '{ print $1 }' "$work/helm.times" | median "$work/helm.times")
h_cpu=$(awk '{ print $2 + $3 }' "$work/helm.times" | median "$work/helm.times")

printf 'files:                        %d (chartlint summary: %s); helm: %d files timed one by one\n' "$n" "$cl_files" "$sample"
printf 'chartlint --each (1 process): wall %.3f s (%.0f files/s), CPU %.3f s (medians of %d runs)\n' "$cl_wall" "$(echo "$n / $cl_wall" | bc -l)" "$cl_cpu" "$runs"
printf 'helm lint -f loop:            wall %.3f s per file -> %.1f s for %d (%.1f files/s), CPU %.3f s per file -> %.1f s (medians)\n' \
  "$h_wall" "$(echo "$h_wall * $n" | bc -l)" "$n" "$(echo "1 / $h_wall" | bc -l)" "$h_cpu" "$(echo "$h_cpu * $n" | bc -l)"
printf 'speed-up:                     wall %.0fx, CPU %.0fx\n' "$(echo "$h_wall * $n / $cl_wall" | bc -l)" "$(echo "$h_cpu * $n / $cl_cpu" | bc -l)"
