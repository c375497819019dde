#!/bin/sh
# Copies the RDB of another redis (`redis-cli --rdb`) into /data/dump.rdb before redis first
# starts (init container `restore-redis`, the redis image). Only ordinal 0 restores, and only
# when it has no dump yet: the other pods then sync from it. A failed copy is not fatal (the
# group starts empty rather than not at all), and says so.
# Environment: RESTORE_SOURCE (redis://[user[:password]@]host[:port][/db]), RESTORE_TIMEOUT
# (seconds), RESTORE_POD (the hostname of ordinal 0: <fullname>-server-0).
# Exit status: 0.
set -u
# The hostname of the real ordinal 0 (the public chart matched a fixed name instead, so a
# release with another fullname never restored).
if [ "$(cat /proc/sys/kernel/hostname)" != "$RESTORE_POD" ]; then
  echo "restore-redis: only ordinal 0 restores; skipping" >&2
  exit 0
fi
if [ -s /data/dump.rdb ]; then
  echo "restore-redis: /data/dump.rdb exists; skipping" >&2
  exit 0
fi
cli=$(command -v redis-cli || command -v valkey-cli)
if ! timeout "$RESTORE_TIMEOUT" "$cli" -u "$RESTORE_SOURCE" --rdb /data/dump.rdb_; then
  echo "restore-redis: copying the RDB failed; starting without it" >&2
  rm -f /data/dump.rdb_
  exit 0
fi
if [ -s /data/dump.rdb_ ]; then
  mv /data/dump.rdb_ /data/dump.rdb
  echo "restore-redis: /data/dump.rdb restored" >&2
fi
