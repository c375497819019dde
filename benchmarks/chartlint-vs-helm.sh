#!/usr/bin/env bash
# Benchmark (not a test): lint N generated values files against one chart with
# `chartlint --each` (one process) and compare with a loop of `helm lint -f`.
# helm is slow, so the helm loop runs on a sample of SAMPLE files and is extrapolated to N.
#
# Usage: benchmarks/chartlint-vs-helm.sh [CHART_DIR] [N] [SAMPLE]
# Env: HELM (default .tools/bin/helm4), CARGO_TARGET_DIR (default target).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
chart=${1:-$repo/generated-charts/redis-ha}
n=${2:-1000}
sample=${3:-20}
helm=${HELM:-$repo/.tools/bin/helm4}
target=${CARGO_TARGET_DIR:-$repo/target}

echo "building chartlint (release)..." >&2
(cd "$repo" && CARGO_TARGET_DIR=$target cargo build --release -q -p chartlint)
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

now() { date +%s.%N; }

start=$(now)
set +e
"$chartlint" "$chart" --each "$work/values" --format json > "$work/chartlint.json"
rc=$?
set -e
end=$(now)
if [ "$rc" -ge 2 ]; then
  echo "chartlint failed with exit code $rc" >&2
  exit 1
fi
cl_secs=$(echo "$end - $start" | bc -l)
cl_files=$(grep -o '"files": [0-9]*' "$work/chartlint.json" | grep -o '[0-9]*$')

start=$(now)
for i in $(seq 1 "$sample"); do
  "$helm" lint "$chart" -f "$work/values/instance-$i.yaml" > /dev/null 2>&1 || true
done
end=$(now)
helm_sample_secs=$(echo "$end - $start" | bc -l)
helm_secs=$(echo "$helm_sample_secs * $n / $sample" | bc -l)

printf 'files:                        %d (chartlint summary: %s)\n' "$n" "$cl_files"
printf 'chartlint --each (1 process): %.3f s, %.0f files/s\n' "$cl_secs" "$(echo "$n / $cl_secs" | bc -l)"
printf 'helm lint -f loop:            %.3f s for %d files, extrapolated %.1f s for %d files (%.1f files/s)\n' \
  "$helm_sample_secs" "$sample" "$helm_secs" "$n" "$(echo "$sample / $helm_sample_secs" | bc -l)"
printf 'speed-up:                     %.0fx\n' "$(echo "$helm_secs / $cl_secs" | bc -l)"
