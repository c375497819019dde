#!/bin/sh
# preStop hook of the redis container: when this pod's redis is the master, hand the master
# role to a replica before the pod goes away, without losing acknowledged writes:
#   1. pause writes here (CLIENT PAUSE ... WRITE) and wait until every replica has applied
#      everything written before the pause, so nothing acknowledged here is missing on the
#      new master (read from the replicas themselves: WAIT relies on replica ACKs, which a
#      paused master stops requesting, so it waited up to a second);
#   2. ask another pod's sentinel to fail over (Kubernetes stops all containers of a pod at
#      once, so the local sentinel is going away too; it is only the last resort);
#   3. as soon as a replica reports role master, make the other replicas and this redis its
#      replicas and drop this redis's clients, which reconnect (through HAProxy) to the new
#      master. Sentinel would reconfigure the replicas only after its next INFO poll of the
#      promoted replica (about a second), and under min-replicas-to-write the new master
#      refuses writes until a replica is attached.
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

# Fractional sleep where supported (GNU coreutils, BusyBox), else whole seconds.
nap() {
    sleep "${1}" 2>/dev/null || sleep 1
}

role="$(redis_role)"
if [ "${role}" != "master" ]; then
    log "preStop: local redis role is '${role:-unknown}', no failover needed"
    exit 0
fi

# The other pods by their announce addresses, resolved before writes are paused.
my_index="$(pod_index)" || my_index=""
my_address=""
others=""
i=0
while [ "${i}" -lt "${REPLICAS}" ]; do
    address="$(announce_address "${i}")"
    if [ "${i}" = "${my_index}" ]; then
        my_address="${address}"
    elif [ -n "${address}" ]; then
        others="${others} ${address}"
    fi
    i=$((i + 1))
done

# Writes resume by themselves when the pause ends, so a failed hand-over costs no more than
# FAILOVER_TIMEOUT seconds of blocked writes. Redis < 6.2 has no WRITE mode: no pause then.
pause="$(redis_cli "${LOCAL_HOST}" CLIENT PAUSE "$((FAILOVER_TIMEOUT * 1000))" WRITE 2>&1 | tr -d '\r')" || true
if [ "${pause}" = "OK" ]; then
    # The offset is fixed while writes are paused; each replica of this redis must reach it.
    target="$(info_field "$(redis_replication_info)" master_repl_offset)"
    polls=40
    while :; do
        synced=0
        behind=0
        for host in ${others}; do
            info="$(redis_replication_info "${host}")"
            if [ "$(info_field "${info}" role)" != "slave" ] \
                || [ "$(info_field "${info}" master_host)" != "${my_address}" ]; then
                continue
            fi
            offset="$(info_field "${info}" slave_repl_offset)"
            case "${offset}${target}" in
                '' | *[!0-9]*) caught_up=false ;;
                *) if [ "${offset}" -ge "${target}" ]; then caught_up=true; else caught_up=false; fi ;;
            esac
            if [ "${caught_up}" = true ]; then
                synced=$((synced + 1))
            else
                behind=$((behind + 1))
            fi
        done
        polls=$((polls - 1))
        if [ "${behind}" -eq 0 ] || [ "${polls}" -le 0 ]; then
            break
        fi
        nap 0.05
    done
    log "preStop: writes paused; ${synced} replica(s) have every write, ${behind} behind"
else
    log "preStop: writes not paused (${pause:-no reply}); writes accepted during the hand-over may be lost"
fi

unpause() {
    redis_cli "${LOCAL_HOST}" CLIENT UNPAUSE >/dev/null 2>&1 || true
}

# The other pods' sentinels first: the local sentinel is being stopped together with this
# container and may die in the middle of the failover it started (podsim saw the hand-over
# stall until the write pause ran out). The local one is the last resort, for a group whose
# other pods are unreachable. Among the others, the one with the newest configuration epoch
# first: a sentinel restarted moments ago (the previous pod of a rolling update) has not yet
# heard the current epoch from its peers, and a failover it ran would reuse an epoch the
# others already hold, so they would keep naming the old master (podsim saw the sentinels
# disagree for good).
sentinels="$(
    for host in ${others}; do
        epoch="$(sentinel_cli "${host}" SENTINEL MASTER "${MASTER_GROUP}" 2>/dev/null | tr -d '\r' \
            | awk 'previous == "config-epoch" { print; exit } { previous = $0 }')" || epoch=""
        case "${epoch}" in
            '' | *[!0-9]*) ;;
            *) echo "${epoch} ${host}" ;;
        esac
    done | sort -rn | awk '{ print $2 }'
)"
requested=""
for host in ${sentinels} ${LOCAL_HOST}; do
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

# Wait for a replica to become master (Sentinel promotes the one it chose), then attach the
# other replicas and this redis to it and drop this redis's clients: paused writes were never
# executed here, and the clients reconnect through HAProxy to the new master.
port="$(redis_replication_port)"
polls=$((FAILOVER_TIMEOUT * 10))
while [ "${polls}" -gt 0 ]; do
    new_host=""
    for host in ${others}; do
        if [ "$(redis_role "${host}")" = "master" ]; then
            new_host="${host}"
            break
        fi
    done
    if [ -n "${new_host}" ]; then
        for host in ${others}; do
            if [ "${host}" != "${new_host}" ] && [ "$(redis_master_host "${host}")" = "${my_address}" ]; then
                redis_cli "${host}" REPLICAOF "${new_host}" "${port}" >/dev/null 2>&1 || true
            fi
        done
        redis_cli "${LOCAL_HOST}" REPLICAOF "${new_host}" "${port}" >/dev/null 2>&1 || true
        redis_cli "${LOCAL_HOST}" CLIENT KILL TYPE normal >/dev/null 2>&1 || true
        unpause
        log "preStop: ${new_host}:${port} is the new master; this redis and the other replicas now replicate it"
        exit 0
    fi
    role="$(redis_role)"
    if [ "${role}" != "master" ]; then
        unpause
        log "preStop: failover done (local role now '${role:-unknown}')"
        exit 0
    fi
    nap 0.1
    polls=$((polls - 1))
done
unpause
log "preStop: still master after ${FAILOVER_TIMEOUT}s; writes resumed"
exit 1
