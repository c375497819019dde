#!/bin/sh
# split-brain-fix sidecar: every SPLIT_BRAIN_INTERVAL seconds compares what the sentinels say
# with what the local redis does, and re-initialises the pod when they disagree:
#   sentinel names this pod as master, local role is not master       -> reinit
#   sentinel names another master, local master_host differs          -> reinit
#   sentinel names no master MAX_QUORUM_FAILURES times in a row       -> SENTINEL RESET
# A mismatch is re-checked after SPLIT_BRAIN_RETRY_INTERVAL seconds before acting.
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

# One comparison round. Returns after acting (or not).
check_once() {
    MASTER="$(sentinel_get_master_retry 3)"
    if [ -z "${MASTER}" ]; then
        NO_MASTER_COUNT=$((NO_MASTER_COUNT + 1))
        log "sentinel reports no master for ${MASTER_GROUP} (${NO_MASTER_COUNT}/${MAX_QUORUM_FAILURES})"
        if [ "${NO_MASTER_COUNT}" -ge "${MAX_QUORUM_FAILURES}" ]; then
            log "resetting the sentinel state of ${MASTER_GROUP} (SENTINEL RESET)"
            sentinel_cli "${SERVICE}" SENTINEL RESET "${MASTER_GROUP}" >/dev/null 2>&1 || true
            NO_MASTER_COUNT=0
        fi
        return 0
    fi
    NO_MASTER_COUNT=0

    if [ "${MASTER}" = "${ANNOUNCE_IP}" ]; then
        _role="$(redis_role)"
        if [ "${_role}" = "master" ]; then
            return 0
        fi
        log "sentinel says this pod is master but the local role is '${_role:-unknown}'; re-checking in ${SPLIT_BRAIN_RETRY_INTERVAL}s"
        sleep "${SPLIT_BRAIN_RETRY_INTERVAL}"
        MASTER="$(sentinel_get_master_retry 3)"
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
    log "sentinel says master is ${MASTER} but the local redis follows '${_local_master:-nothing}'; re-checking in ${SPLIT_BRAIN_RETRY_INTERVAL}s"
    sleep "${SPLIT_BRAIN_RETRY_INTERVAL}"
    MASTER="$(sentinel_get_master_retry 3)"
    if [ -z "${MASTER}" ] || [ "${MASTER}" = "${ANNOUNCE_IP}" ]; then
        # No answer, or this pod got promoted meanwhile: nothing to repair now.
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

    NO_MASTER_COUNT=0
    SLEEP_PID=""
    trap 'if [ -n "${SLEEP_PID}" ]; then kill "${SLEEP_PID}" 2>/dev/null || true; fi; exit 0' TERM INT
    while true; do
        # Sleep in the background so TERM is handled at once.
        sleep "${SPLIT_BRAIN_INTERVAL}" &
        SLEEP_PID=$!
        wait "${SLEEP_PID}" || true
        SLEEP_PID=""
        check_once
    done
}

main "$@"
