#!/bin/sh
# preStop hook of the redis container: when this pod's redis is the master, hand the master
# role to a replica before the pod goes away, without losing acknowledged writes:
#   1. pause writes here (CLIENT PAUSE ... WRITE) and wait until every replica has applied
#      everything written before the pause, so nothing acknowledged here is missing on the
#      new master (read from the replicas themselves: WAIT relies on replica ACKs, which a
#      paused master stops requesting, so it waited up to a second). Before the pause,
#      replicas that are catching up (a full sync, a load) are waited for while they
#      progress; when no replica has every write, the hook does not fail over at all and
#      says why; replicas still behind get replica-priority 0 so that Sentinel does not pick
#      them;
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

# Phase 1, writes open: wait while attached replicas that are not yet streaming (a full sync,
# a load after it) make progress, at most SYNC_WAIT seconds (half the grace period; the other
# half is for the shutdown save); a replica without progress for STALL_SECONDS ends the wait.
# Writes stay open meanwhile: a master whose writes are paused for longer than Sentinel's
# down-after looks down to the sentinels (their PUBLISH on its command link blocks), and they
# would fail over to one of these very replicas.
SYNC_WAIT="${REDIS_HA_PRESTOP_SYNC_WAIT:-$((TERMINATION_GRACE_SECONDS / 2))}"
if [ "${SYNC_WAIT}" -lt 5 ]; then
    SYNC_WAIT=5
fi
STALL_SECONDS="${REDIS_HA_PRESTOP_STALL:-5}"

# INFO replication of the replica at $1 when it replicates this redis; empty otherwise.
attached_info() {
    _info="$(redis_replication_info "${1}")"
    if [ "$(info_field "${_info}" role)" = "slave" ] \
        && [ "$(info_field "${_info}" master_host)" = "${my_address}" ]; then
        echo "${_info}"
    fi
}

polls_left=$((SYNC_WAIT * 10))
stall_left=$((STALL_SECONDS * 10))
last_progress=""
while :; do
    catching_up=""
    progress=""
    for host in ${others}; do
        info="$(attached_info "${host}")"
        if [ -n "${info}" ] && [ "$(info_field "${info}" master_link_status)" != "up" ]; then
            catching_up="${catching_up} ${host}"
            persistence="$(redis_cli "${host}" INFO persistence 2>/dev/null | tr -d '\r')"
            progress="${progress} $(info_field "${info}" master_sync_read_bytes)/$(info_field "${persistence}" loading_loaded_bytes)"
        fi
    done
    if [ -z "${catching_up}" ]; then
        break
    fi
    if [ "${progress}" != "${last_progress}" ]; then
        last_progress="${progress}"
        stall_left=$((STALL_SECONDS * 10))
    fi
    polls_left=$((polls_left - 1))
    stall_left=$((stall_left - 1))
    if [ "${polls_left}" -le 0 ] || [ "${stall_left}" -le 0 ]; then
        log "preStop: still catching up after the wait:${catching_up}"
        break
    fi
    nap 0.1
done

# Phase 2: pause writes (resumed by themselves when the pause ends, so a failed hand-over
# costs no more than FAILOVER_TIMEOUT seconds of blocked writes; Redis < 6.2 has no WRITE
# mode: no pause then) and wait for the streaming replicas to apply the last writes.
# A paused master still writes its periodic PING (14 bytes) into the replication stream
# (Redis 7.0, 8.2 and Valkey 9.1 alike: tests/failover_evidence.rs). One sent between the
# offset check and the promotion reaches the replicas that are still attached but not the
# one being promoted, which is then 14 bytes behind them: both the other replica and this
# redis needed a full resync (podsim's rolling restart under load). No PING during the
# hand-over, then; the old period is restored on exit.
ping_period="$(redis_cli "${LOCAL_HOST}" CONFIG GET repl-ping-replica-period 2>/dev/null | tr -d '\r' | sed -n '2p')" || ping_period=""
if [ -n "${ping_period}" ] \
    && [ "$(redis_cli "${LOCAL_HOST}" CONFIG SET repl-ping-replica-period 2147483647 2>&1 | tr -d '\r')" != "OK" ]; then
    ping_period=""
    log "preStop: could not stop the replication PINGs (CONFIG disabled?); a replica may need a full resync after the hand-over"
fi
# Called by the EXIT trap.
# shellcheck disable=SC2317
restore_ping_period() {
    if [ -n "${ping_period}" ]; then
        redis_cli "${LOCAL_HOST}" CONFIG SET repl-ping-replica-period "${ping_period}" >/dev/null 2>&1 || true
    fi
}
trap restore_ping_period EXIT
pause="$(redis_cli "${LOCAL_HOST}" CLIENT PAUSE "$((FAILOVER_TIMEOUT * 1000))" WRITE 2>&1 | tr -d '\r')" || true

unpause() {
    redis_cli "${LOCAL_HOST}" CLIENT UNPAUSE >/dev/null 2>&1 || true
}

synced_hosts=""
behind_hosts=""
if [ "${pause}" = "OK" ]; then
    # The offset is fixed while writes are paused; a replica that reaches it has every write
    # acknowledged here. Streaming replicas get there in milliseconds.
    target="$(info_field "$(redis_replication_info)" master_repl_offset)"
    polls=40
    while :; do
        synced_hosts=""
        behind_hosts=""
        for host in ${others}; do
            info="$(attached_info "${host}")"
            [ -n "${info}" ] || continue
            offset="$(info_field "${info}" slave_repl_offset)"
            case "${offset}${target}" in
                '' | *[!0-9]*) caught_up=false ;;
                *) if [ "${offset}" -ge "${target}" ]; then caught_up=true; else caught_up=false; fi ;;
            esac
            if [ "${caught_up}" = true ] && [ "$(info_field "${info}" master_link_status)" = "up" ]; then
                synced_hosts="${synced_hosts} ${host}"
            else
                behind_hosts="${behind_hosts} ${host}"
            fi
        done
        polls=$((polls - 1))
        if [ -z "${behind_hosts}" ] || [ "${polls}" -le 0 ]; then
            break
        fi
        nap 0.05
    done
    log "preStop: writes paused; replica(s) with every write:${synced_hosts:- none}; behind:${behind_hosts:- none}"
    if [ -z "${synced_hosts}" ]; then
        unpause
        # Upstream's hook (and this one before) failed over anyway, promoting a replica that
        # missed acknowledged writes.
        log "preStop: no replica has every write: not failing over (a promoted replica would lose acknowledged writes); writes resumed; Sentinel fails over after down-after-milliseconds once redis has stopped"
        exit 1
    fi
else
    log "preStop: writes not paused (${pause:-no reply}); writes accepted during the hand-over may be lost"
fi

# Replicas that are behind must not be chosen by Sentinel: priority 0 until the hand-over
# ends (Sentinel picks by priority, then by the offsets of its last INFO, which may be old).
restore_priority=""
for host in ${behind_hosts}; do
    old="$(redis_cli "${host}" CONFIG GET replica-priority 2>/dev/null | tr -d '\r' | sed -n '2p')"
    if [ -n "${old}" ] && redis_cli "${host}" CONFIG SET replica-priority 0 >/dev/null 2>&1; then
        restore_priority="${restore_priority} ${host}=${old}"
        log "preStop: ${host} is behind; replica-priority 0 during the hand-over"
    fi
done
# Called by the EXIT trap.
# shellcheck disable=SC2317
restore_priorities() {
    for pair in ${restore_priority}; do
        redis_cli "${pair%%=*}" CONFIG SET replica-priority "${pair#*=}" >/dev/null 2>&1 || true
    done
    restore_ping_period
}
trap restore_priorities EXIT

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
