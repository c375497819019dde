#!/bin/sh
# split-brain-fix sidecar.
#
# While this pod waits for the bootstrap election (init.sh found no master: a new group, or
# every pod restarted after a full outage), it runs the election every second:
#   - a pod reports role master: follow it, done;
#   - fewer than a majority of the pods answer: keep waiting (a minority may lack the newest
#     data: writes confirmed by a replica are on a majority only together);
#   - else the lowest-ordinal waiting pod elects, among the pods that answer, the one with data
#     and the highest replication offset (the lowest ordinal on a tie, so ordinal 0 on a new
#     group), promotes it (REPLICAOF NO ONE keeps its data), makes the others its replicas and
#     points every sentinel at it.
#
# Afterwards, every SPLIT_BRAIN_INTERVAL seconds it compares what a majority of the sentinels
# (each asked at its pod, not through the Service) say with what the local redis does:
#   the majority names this pod as master, local role is not master  -> reinit
#   the majority names another master, local master_host differs     -> reinit
#   the local sentinel names another master than the majority
#     MAX_QUORUM_FAILURES times in a row                             -> repoint the local one
#   no majority                                                      -> nothing (logged)
# A mismatch is re-checked after SPLIT_BRAIN_RETRY_INTERVAL seconds before acting. Upstream
# sent SENTINEL RESET through the Service, i.e. to any sentinel, including healthy ones.
# reinit = run init.sh again, then SHUTDOWN the local redis so its container restarts with the
# regenerated config. Exits 0 on TERM.
set -eu

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/vars.sh"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/lib.sh"

MAX_QUORUM_FAILURES="${MAX_QUORUM_FAILURES:-5}"

reinit() {
    log "re-initialising: running init.sh"
    if sh "${SCRIPT_DIR}/init.sh"; then
        log "init.sh done; shutting down the local redis so it restarts with the new config"
        redis_cli "${LOCAL_HOST}" SHUTDOWN >/dev/null 2>&1 || true
    else
        log "init.sh failed; leaving redis running, will check again"
    fi
}

# "index address role waiting offset keys" of every redis that answers.
census() {
    pod_addresses | while read -r _i _address; do
        _info="$(redis_replication_info "${_address}")"
        [ -n "${_info}" ] || continue
        _keys="$(redis_cli "${_address}" DBSIZE 2>/dev/null | tr -d '\r')"
        case "${_keys}" in
            '' | *[!0-9]*) continue ;; # LOADING: not ready to be compared yet
        esac
        _waiting=0
        if is_waiting "${_info}" "${_address}"; then
            _waiting=1
        fi
        echo "${_i} ${_address} $(info_field "${_info}" role) ${_waiting} $(info_field "${_info}" master_repl_offset) ${_keys}"
    done
}

# Points every sentinel that answers and names another master at $1. Returns 1 until a
# majority of the sentinels answer and all of those name $1 (a sentinel that starts later
# learns the master from the others through init.sh).
point_sentinels() {
    _agree=0
    _other=0
    for _address in $(pod_addresses | awk '{ print $2 }'); do
        _named="$(sentinel_master_at "${_address}")"
        if [ "${_named}" = "${1}" ]; then
            _agree=$((_agree + 1))
        elif [ -n "${_named}" ]; then
            _other=$((_other + 1))
            sentinel_repoint "${_address}" "${1}" || true
        fi
    done
    [ "${_other}" -eq 0 ] && [ "${_agree}" -ge "${MAJORITY}" ]
}

# One election round; returns 0 when this pod no longer waits.
elect_once() {
    _census="$(census)"
    _master="$(echo "${_census}" | awk '$3 == "master" { print $2; exit }')"
    if [ -n "${_master}" ]; then
        if [ "${_master}" != "${ANNOUNCE_IP}" ] && [ "$(redis_master_host)" != "${_master}" ]; then
            log "bootstrap: ${_master} is master; replicating it"
            redis_cli "${LOCAL_HOST}" REPLICAOF "${_master}" "$(redis_replication_port)" >/dev/null 2>&1 || return 1
        fi
        # Sentinels that still monitor the placeholder are pointed at the master.
        point_sentinels "${_master}" || return 1
        return 0
    fi
    _answering="$(echo "${_census}" | grep -c . || true)"
    if [ "${_answering}" -lt "${MAJORITY}" ]; then
        log "bootstrap: ${_answering} of ${REPLICAS} pods answer; waiting for ${MAJORITY}"
        return 1
    fi
    _actor="$(echo "${_census}" | awk '$4 == 1 { print $1 }' | sort -n | head -n 1)"
    if [ "${_actor}" != "${INDEX}" ]; then
        return 1 # a lower ordinal elects
    fi
    # Pods with data first, then the highest offset, then the lowest ordinal.
    _winner="$(echo "${_census}" | awk '{ print ($6 > 0 ? 1 : 0), $5, $1, $2 }' \
        | sort -k1,1nr -k2,2nr -k3,3n | head -n 1)"
    log "bootstrap: election among ${_answering} of ${REPLICAS} pods (index address role waiting offset keys):"
    echo "${_census}" | while read -r _line; do log "  ${_line}"; done
    _new="$(echo "${_winner}" | awk '{ print $4 }')"
    log "bootstrap: ${_new} has the newest data; promoting it"
    _reply="$(redis_cli "${_new}" REPLICAOF NO ONE 2>&1 | tr -d '\r')" || true
    if [ "${_reply}" != "OK" ]; then
        log "bootstrap: REPLICAOF NO ONE on ${_new}: ${_reply:-no reply}"
        return 1
    fi
    for _address in $(echo "${_census}" | awk -v w="${_new}" '$2 != w { print $2 }'); do
        redis_cli "${_address}" REPLICAOF "${_new}" "$(redis_replication_port)" >/dev/null 2>&1 || true
    done
    point_sentinels "${_new}" || return 1
    return 0
}

bootstrap() {
    log "bootstrap: waiting for the election"
    # Bounded CLI calls: pods that are down must not stall the election.
    _saved_timeout="${CLI_TIMEOUT}"
    CLI_TIMEOUT=2
    while [ -f "${BOOTSTRAP_MARKER}" ]; do
        if elect_once; then
            rm -f "${BOOTSTRAP_MARKER}"
            log "bootstrap: done"
        else
            sleep 1
        fi
    done
    CLI_TIMEOUT="${_saved_timeout}"
}

# One comparison round. Returns after acting (or not).
check_once() {
    MASTER="$(majority_master)"
    if [ -z "${MASTER}" ]; then
        log "no majority of ${MAJORITY} sentinels agrees on a master of ${MASTER_GROUP}; nothing to compare"
        return 0
    fi
    _local_sentinel="$(sentinel_master_at "${LOCAL_HOST}")"
    if [ -n "${_local_sentinel}" ] && [ "${_local_sentinel}" != "${MASTER}" ]; then
        DISAGREE_COUNT=$((DISAGREE_COUNT + 1))
        log "the local sentinel names ${_local_sentinel}, a majority names ${MASTER} (${DISAGREE_COUNT}/${MAX_QUORUM_FAILURES})"
        if [ "${DISAGREE_COUNT}" -ge "${MAX_QUORUM_FAILURES}" ]; then
            sentinel_repoint "${LOCAL_HOST}" "${MASTER}" || true
            DISAGREE_COUNT=0
        fi
    else
        DISAGREE_COUNT=0
    fi

    if [ "${MASTER}" = "${ANNOUNCE_IP}" ]; then
        _role="$(redis_role)"
        if [ "${_role}" = "master" ]; then
            return 0
        fi
        log "a majority of sentinels says this pod is master but the local role is '${_role:-unknown}'; re-checking in ${SPLIT_BRAIN_RETRY_INTERVAL}s"
        sleep "${SPLIT_BRAIN_RETRY_INTERVAL}"
        MASTER="$(majority_master)"
        _role="$(redis_role)"
        if [ "${MASTER}" = "${ANNOUNCE_IP}" ] && [ "${_role}" != "master" ]; then
            reinit
        fi
        return 0
    fi

    _local_master="$(redis_master_host)"
    if [ "${_local_master}" = "${MASTER}" ]; then
        return 0
    fi
    log "a majority of sentinels says master is ${MASTER} but the local redis follows '${_local_master:-nothing}'; re-checking in ${SPLIT_BRAIN_RETRY_INTERVAL}s"
    sleep "${SPLIT_BRAIN_RETRY_INTERVAL}"
    MASTER="$(majority_master)"
    if [ -z "${MASTER}" ] || [ "${MASTER}" = "${ANNOUNCE_IP}" ]; then
        # No majority, or this pod got promoted meanwhile: nothing to repair now.
        return 0
    fi
    _local_master="$(redis_master_host)"
    if [ "${_local_master}" != "${MASTER}" ]; then
        reinit
    fi
}

main() {
    INDEX="$(pod_index)" || exit 1
    ANNOUNCE_IP=""
    while [ -z "${ANNOUNCE_IP}" ]; do
        ANNOUNCE_IP="$(announce_address "${INDEX}")"
        if [ -z "${ANNOUNCE_IP}" ]; then
            log "error: cannot resolve the announce address of this pod; retrying in 30s"
            sleep 30
        fi
    done
    log "split-brain-fix: pod index ${INDEX}, announce address ${ANNOUNCE_IP}, interval ${SPLIT_BRAIN_INTERVAL}s"

    DISAGREE_COUNT=0
    SLEEP_PID=""
    trap 'if [ -n "${SLEEP_PID}" ]; then kill "${SLEEP_PID}" 2>/dev/null || true; fi; exit 0' TERM INT
    elapsed=0
    while true; do
        # The marker appears at pod start, or when the redis container restarts into a group
        # without a master: look for it every second.
        if [ -f "${BOOTSTRAP_MARKER}" ]; then
            bootstrap
            elapsed=0
        fi
        # Sleep in the background so TERM is handled at once.
        sleep 1 &
        SLEEP_PID=$!
        wait "${SLEEP_PID}" || true
        SLEEP_PID=""
        elapsed=$((elapsed + 1))
        if [ "${elapsed}" -ge "${SPLIT_BRAIN_INTERVAL}" ]; then
            elapsed=0
            check_once
        fi
    done
}

main "$@"
