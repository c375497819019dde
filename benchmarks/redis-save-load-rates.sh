#!/usr/bin/env bash
# Benchmark (not a test): how fast each server of the test tools saves an RDB (SAVE), loads it
# at start, and serves a full sync to a replica (diskless, until the replica's link is up),
# on a dataset of SIZE_MB MiB of incompressible 1 KiB values. The figures feed
# crates/model/src/timing.rs (startup-probe budget, terminationGracePeriodSeconds,
# repl-backlog-size of the sized variants).
#
# Usage: benchmarks/redis-save-load-rates.sh      (prints a Markdown table)
# Env: SIZE_MB (default 512), SERVERS (default "redis7 redis8 valkey9"), RUNS (default 3;
#      the median of each rate is reported).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${SIZE_MB:-512}
servers=${SERVERS:-redis7 redis8 valkey9}
runs=${RUNS:-3}
cli=/usr/bin/redis-cli
port=17379

binary() {
  case "$1" in
    redis7) echo /usr/bin/redis-server ;;
    redis8) echo "$repo/.tools/servers/redis8/redis-server" ;;
    valkey9) echo "$repo/.tools/servers/valkey9/valkey-server" ;;
  esac
}

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server; sets $started to its pid. Args: binary dir port [extra args...]
start() {
  local bin=$1 dir=$2 p=$3
  shift 3
  mkdir -p "$dir"
  "$bin" --port "$p" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
    --protected-mode no --logfile "$dir/server.log" "$@" &
  started=$!
  pids+=("$started")
  for _ in $(seq 1 600); do
    if [ "$($cli -p "$p" PING 2>/dev/null)" = "PONG" ]; then return 0; fi
    sleep 0.1
  done
  echo "server on port $p did not answer PING within 60 s" >&2
  return 1
}

stop() {
  $cli -p "$1" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  wait "$2" 2>/dev/null || true
}

now() { date +%s.%N; }

echo "generating ${size_mb} MiB of 1 KiB random values..." >&2
python3 - "$work/data.resp" "$size_mb" <<'PY'
import base64, os, sys
path, mb = sys.argv[1], int(sys.argv[2])
n = mb * 1024
with open(path, "wb") as f:
    for i in range(n):
        key = b"rate:%d" % i
        value = base64.b64encode(os.urandom(768))  # 1024 bytes, incompressible for LZF
        f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
PY

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "Machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), data directory on $(df -T "$work" | awk 'NR == 2 { print $2 }'); dataset ${size_mb} MiB of 1 KiB random values; median of ${runs} runs."
echo
echo "| server | used_memory MiB | RDB MiB | save MiB/s | load MiB/s | full sync MiB/s |"
echo "|---|---|---|---|---|---|"
for s in $servers; do
  bin=$(binary "$s")
  version=$("$bin" --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')
  saves=() loads=() syncs=()
  for r in $(seq 1 "$runs"); do
    echo "$s run $r..." >&2
    m=$work/$s-$r-master
    start "$bin" "$m" $port
    mpid=$started
    $cli -p $port --pipe <"$work/data.resp" >/dev/null
    used=$($cli -p $port INFO memory | tr -d '\r' | sed -n 's/^used_memory://p')
    t0=$(now); $cli -p $port SAVE >/dev/null; t1=$(now)
    rdb=$(stat -c %s "$m/dump.rdb")
    saves+=("$(echo "$rdb $t0 $t1" | awk '{ printf "%.1f", $1 / 1048576 / ($3 - $2) }')")
    stop $port "$mpid"
    # Load: the server's own figure ("DB loaded from disk: X seconds").
    start "$bin" "$m" $port
    mpid=$started
    for _ in $(seq 1 600); do
      grep -q "DB loaded from disk" "$m/server.log" && break
      sleep 0.1
    done
    secs=$(sed -n 's/.*DB loaded from disk: \([0-9.]*\) seconds.*/\1/p' "$m/server.log" | tail -n 1)
    loads+=("$(echo "$rdb $secs" | awk '{ printf "%.1f", $1 / 1048576 / $2 }')")
    # Full sync: diskless, no delay, until the replica's link is up (transfer and load).
    $cli -p $port CONFIG SET repl-diskless-sync yes >/dev/null
    $cli -p $port CONFIG SET repl-diskless-sync-delay 0 >/dev/null
    t0=$(now)
    start "$bin" "$work/$s-$r-replica" $((port + 1)) --replicaof 127.0.0.1 $port
    rpid=$started
    for _ in $(seq 1 6000); do
      $cli -p $((port + 1)) INFO replication | tr -d '\r' | grep -q '^master_link_status:up' && break
      sleep 0.05
    done
    t1=$(now)
    syncs+=("$(echo "$rdb $t0 $t1" | awk '{ printf "%.1f", $1 / 1048576 / ($3 - $2) }')")
    stop $((port + 1)) "$rpid"
    stop $port "$mpid"
    rm -rf "$m" "$work/$s-$r-replica"
  done
  save=$(printf '%s\n' "${saves[@]}" | median)
  load=$(printf '%s\n' "${loads[@]}" | median)
  sync=$(printf '%s\n' "${syncs[@]}" | median)
  echo "| $s $version | $((used / 1048576)) | $((rdb / 1048576)) | $save | $load | $sync |"
done
