#!/bin/sh
# Command of the redis container: checks this pod's role, then runs the server ("$@", e.g.
# `redis-server /data/conf/redis.conf`). kubelet restarts a crashed or OOM-killed container
# without its init containers, so the role decided at pod start may be stale: a master that
# is back before Sentinel's down-after would otherwise serve its last snapshot as master and
# its replicas would resync from it, flushing every write since that snapshot. The first
# start after config-init (or a split-brain reinit) uses the configuration just written.
set -eu

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/vars.sh"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/lib.sh"

if [ -f "${INIT_DONE_MARKER}" ]; then
    rm -f "${INIT_DONE_MARKER}"
    log "redis start: configuration from config-init"
else
    log "redis start: the container restarted; checking this pod's role"
    sh "${SCRIPT_DIR}/init.sh" start
fi
exec "$@"
