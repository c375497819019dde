#!/bin/sh
# preStop hook of the redis container: when this pod's redis is the master, ask the local
# sentinel to fail over and wait (up to REDIS_HA_FAILOVER_TIMEOUT seconds, default 30) until
# this redis is no longer master, so clients move before the pod goes away.
# Upstream used bash-only `[[ ]]` (silently a no-op under dash) and the redis container had no
# SENTINELAUTH, so the request failed with sentinel.auth; this is POSIX sh and the container
# now gets SENTINELAUTH.
# Exit status: 0 when not master or the failover completed, 1 otherwise (logged).
set -eu

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/vars.sh"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/lib.sh"

FAILOVER_TIMEOUT="${REDIS_HA_FAILOVER_TIMEOUT:-30}"

role="$(redis_role)"
if [ "${role}" != "master" ]; then
    log "preStop: local redis role is '${role:-unknown}', no failover needed"
    exit 0
fi

log "preStop: this pod is master; asking the local sentinel to fail over ${MASTER_GROUP}"
reply="$(sentinel_cli "${LOCAL_HOST}" SENTINEL FAILOVER "${MASTER_GROUP}" 2>&1 | tr -d '\r')" || true
if [ "${reply}" != "OK" ]; then
    log "preStop: failover refused: ${reply:-no reply}"
    exit 1
fi

waited=0
while [ "${waited}" -lt "${FAILOVER_TIMEOUT}" ]; do
    sleep 1
    waited=$((waited + 1))
    role="$(redis_role)"
    if [ "${role}" != "master" ]; then
        log "preStop: failover done after ${waited}s (local role now '${role:-unknown}')"
        exit 0
    fi
done
log "preStop: still master after ${FAILOVER_TIMEOUT}s"
exit 1
