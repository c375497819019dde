#!/bin/sh
# preStop hook of the redis container: when this pod's redis is the master, hand the master
# role to a replica before the pod goes away, without losing acknowledged writes:
#   1. pause writes here (CLIENT PAUSE ... WRITE) and wait for the replicas to acknowledge
#      what was already written, so nothing is acknowledged here that the new master lacks;
#   2. ask another pod's sentinel to fail over (Kubernetes stops all containers of a pod at
#      once, so the local sentinel is going away too; it is only the last resort);
#   3. as soon as the sentinels name the new master, make this redis its replica and drop its
#      clients, which reconnect (through HAProxy) to the new master.
# Upstream used bash-only `[[ ]]` (silently a no-op under dash), asked only the local sentinel
# (stopping at the same time), and the redis container had no SENTINELAUTH, so the request
# failed with sentinel.auth; this is POSIX sh and the container gets SENTINELAUTH.
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

# Writes resume by themselves when the pause ends, so a failed hand-over costs no more than
# FAILOVER_TIMEOUT seconds of blocked writes. Redis < 6.2 has no WRITE mode: no pause then.
pause="$(redis_cli "${LOCAL_HOST}" CLIENT PAUSE "$((FAILOVER_TIMEOUT * 1000))" WRITE 2>&1 | tr -d '\r')" || true
if [ "${pause}" = "OK" ]; then
    replica_count=$((REPLICAS - 1))
    acked="$(redis_cli "${LOCAL_HOST}" WAIT "${replica_count}" 2000 2>&1 | tr -d '\r')" || true
    log "preStop: writes paused; ${acked:-no} of ${replica_count} replica(s) acknowledged every write"
else
    log "preStop: writes not paused (${pause:-no reply}); writes accepted during the hand-over may be lost"
fi

unpause() {
    redis_cli "${LOCAL_HOST}" CLIENT UNPAUSE >/dev/null 2>&1 || true
}

# The other pods' sentinels first (by their announce addresses): the local sentinel is being
# stopped together with this container and may die in the middle of the failover it started
# (podsim saw the hand-over stall until the write pause ran out). The local one is the last
# resort, for a group whose other pods are unreachable.
candidates=""
my_index="$(pod_index)" || my_index=""
i=0
while [ "${i}" -lt "${REPLICAS}" ]; do
    if [ "${i}" != "${my_index}" ]; then
        address="$(announce_address "${i}")"
        if [ -n "${address}" ]; then
            candidates="${candidates} ${address}"
        fi
    fi
    i=$((i + 1))
done
candidates="${candidates} ${LOCAL_HOST}"

requested=""
for host in ${candidates}; do
    reply="$(sentinel_cli "${host}" SENTINEL FAILOVER "${MASTER_GROUP}" 2>&1 | tr -d '\r')" || true
    if [ "${reply}" = "OK" ]; then
        log "preStop: sentinel at ${host} started a failover of ${MASTER_GROUP}"
        requested="${host}"
        break
    fi
    log "preStop: sentinel at ${host} did not fail over: ${reply:-no reply}"
done
if [ -z "${requested}" ]; then
    unpause
    log "preStop: no sentinel accepted the failover; writes resumed"
    exit 1
fi

# Wait for the sentinels to name the new master, then demote this redis at once (Sentinel
# would only convert it 8 s later) and drop its client connections: paused writes were never
# executed here, and the clients reconnect through HAProxy to the new master.
my_address="$(announce_address "${my_index}")"
polls=$((FAILOVER_TIMEOUT * 5))
while [ "${polls}" -gt 0 ]; do
    master="$(sentinel_cli "${requested}" SENTINEL get-master-addr-by-name "${MASTER_GROUP}" 2>/dev/null | tr -d '\r')" || true
    new_host="$(echo "${master}" | sed -n 1p)"
    new_port="$(echo "${master}" | sed -n 2p)"
    # Sentinel names the chosen replica before it is promoted; replicating it before it is a
    # master would chain this redis behind a replica and can force a full resync.
    if [ -n "${new_host}" ] && [ -n "${new_port}" ] && [ "${new_host}" != "${my_address}" ] \
        && [ "$(redis_role "${new_host}")" = "master" ]; then
        redis_cli "${LOCAL_HOST}" REPLICAOF "${new_host}" "${new_port}" >/dev/null 2>&1 || true
        redis_cli "${LOCAL_HOST}" CLIENT KILL TYPE normal >/dev/null 2>&1 || true
        unpause
        log "preStop: ${new_host}:${new_port} is the new master; this redis now replicates it"
        exit 0
    fi
    role="$(redis_role)"
    if [ "${role}" != "master" ]; then
        unpause
        log "preStop: failover done (local role now '${role:-unknown}')"
        exit 0
    fi
    # Fractional sleep where supported (GNU coreutils, BusyBox), else whole seconds.
    sleep 0.2 2>/dev/null || sleep 1
    polls=$((polls - 1))
done
unpause
log "preStop: still master after ${FAILOVER_TIMEOUT}s; writes resumed"
exit 1
