#!/usr/bin/env bash
# Benchmark (not a test): a fleet of 1,000 instances (10 namespaces, every chart size and
# Redis memory sizes, per-instance values), then
#   - chartgen fleet (resolve, lint every instance, write 1,000 values files + helmfile.yaml +
#     ApplicationSet), and the same with --no-lint;
#   - chartlint --fleet;
#   - chartgen plan of a change to every instance (a size step up or a setting), human and JSON;
#   - helmfile's own `helmfile template` of the generated helmfile.yaml (Helm 3.17).
# Target: each of our commands under one second on a 2-core machine. Prints the median wall
# and CPU (user + sys) time of each (release builds), and the load average: on a shared
# machine other jobs stretch wall times.
# Usage: benchmarks/fleet-1000.sh [runs] [instances]   (needs scripts/install-test-tools.sh;
# SKIP_HELMFILE=1 leaves out helmfile, which takes minutes)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
count=${2:-1000}
helm="$root/.tools/bin/helm3"
helmfile="$root/.tools/bin/helmfile"
for t in "$helm" "$helmfile"; do
  [ -x "$t" ] || { echo "run scripts/install-test-tools.sh first ($t missing)" >&2; exit 2; }
done
cd "$root"
cargo build -q --release -p chartgen
chartgen="$root/target/release/chartgen"
chartlint="$root/target/release/chartlint"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
ln -s "$root/generated-charts" "$scratch/generated-charts"

# fleet.yaml and a changed copy: instance i gets size sizes[i % 9] (the new fleet one step up
# for the chart sizes, a policy change for the memory sizes).
sizes=(redis-512m redis-1g redis-2g redis-4g 768mb 1536mb 3gb redis-8g 6gb)
bigger=(redis-1g redis-2g redis-4g redis-8g 768mb 1536mb 3gb redis-16g 6gb)
write_fleet() { # file new(0|1)
  {
    echo "charts:"
    echo "  repository: ../generated-charts"
    echo "argocd:"
    echo "  repoURL: https://git.example.com/platform/deploy.git"
    echo "  path: deploy"
    echo "defaults:"
    echo "  values:"
    echo "    extraLabels:"
    echo "      team: platform"
    echo "instances:"
    for i in $(seq 0 $((count - 1))); do
      local k=$((i % 9)) size
      if [ "$2" = 1 ]; then size=${bigger[$k]}; else size=${sizes[$k]}; fi
      echo "  - name: redis-$i"
      echo "    namespace: team-$((i % 10))"
      echo "    size: $size"
      echo "    values:"
      echo "      redis:"
      echo "        config:"
      if [ "$2" = 1 ] && [ "${sizes[$k]}" = "$size" ]; then
        echo "          maxmemory-policy: noeviction"
      else
        echo "          maxmemory-policy: allkeys-lru"
      fi
      echo "          hz: $((10 + i % 3))"
    done
  } >"$1"
}
write_fleet "$scratch/fleet.yaml" 0
write_fleet "$scratch/fleet-new.yaml" 1

# Median wall time and median CPU time (user + sys) of a command, in ms: "wall cpu". The CPU
# time shows the work done when other jobs share the machine's cores and stretch wall times.
median_ms() { # command...
  local i t walls=() cpus=()
  "$@" >/dev/null 2>&1 || true # warm-up (plan and lint may exit 1 on findings)
  for i in $(seq "$runs"); do
    t=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1 || true; } 2>&1 )
    walls+=("$(awk '{printf "%d", $1 * 1000}' <<<"$t")")
    cpus+=("$(awk '{printf "%d", ($2 + $3) * 1000}' <<<"$t")")
  done
  # shellcheck disable=SC2016 # an awk program
  local med='{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f", m}'
  printf '%s %s' "$(printf '%s\n' "${walls[@]}" | sort -n | awk "$med")" \
    "$(printf '%s\n' "${cpus[@]}" | sort -n | awk "$med")"
}
row() { # label "wall cpu"
  local wall=${2% *} cpu=${2#* }
  printf '%-42s %6s ms wall %6s ms CPU\n' "$1" "$wall" "$cpu"
}

cd "$scratch"
"$chartgen" --root "$root" fleet fleet.yaml --out deploy
"$chartgen" --root "$root" plan fleet.yaml fleet-new.yaml --format json >plan.json
planned=$(grep -c '"kind"' plan.json)
files=$(find deploy -type f | wc -l)
bytes=$(wc -c <fleet.yaml)

# The file system's floor for writing the output: creating as many files with the shell.
create_files() { local d i; d=$(mktemp -d "$scratch/floor.XXXX"); for i in $(seq "$files"); do : >"$d/$i"; done; rm -rf "$d"; }
floor=$(median_ms create_files)
gen=$(median_ms "$chartgen" --root "$root" fleet fleet.yaml --out deploy)
gen_nolint=$(median_ms "$chartgen" --root "$root" fleet fleet.yaml --out deploy --no-lint)
check=$(median_ms "$chartgen" --root "$root" fleet fleet.yaml --out deploy --check)
lint=$(median_ms "$chartlint" --root "$root" --fleet fleet.yaml)
plan=$(median_ms "$chartgen" --root "$root" plan fleet.yaml fleet-new.yaml)
plan_json=$(median_ms "$chartgen" --root "$root" plan fleet.yaml fleet-new.yaml --format json)

if [ -n "${SKIP_HELMFILE:-}" ]; then helmfile_ms="(skipped)"; statefulsets=0; else
t0=$(date +%s%N)
(cd deploy && "$helmfile" --helm-binary "$helm" template --skip-deps >"$scratch/helmfile.out" 2>"$scratch/helmfile.err")
t1=$(date +%s%N)
helmfile_ms=$(( (t1 - t0) / 1000000 ))
statefulsets=$(grep -c '^kind: StatefulSet' "$scratch/helmfile.out" || true)
fi

echo "fleet: $count instances in 10 namespaces, $bytes bytes; output $files files; plan: $planned consequences"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $runs runs per command (medians, release build)"
row "creating $files empty files (shell; the floor):" "$floor"
row "chartgen fleet (resolve + lint + write):" "$gen"
row "chartgen fleet --no-lint:" "$gen_nolint"
row "chartgen fleet --check:" "$check"
row "chartlint --fleet:" "$lint"
row "chartgen plan (human):" "$plan"
row "chartgen plan --format json:" "$plan_json"
echo "helmfile template (helm 3.17, once):       ${helmfile_ms} ms wall  ($statefulsets StatefulSets rendered)"
