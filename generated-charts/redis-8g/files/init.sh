#!/bin/sh
# Decides whether this pod's redis starts as master or replica and writes /data/conf/redis.conf
# (and, except in `start` mode, /data/conf/sentinel.conf) from the read-only templates next to
# this script. Runs as the config-init init container, again from fix-split-brain.sh (reinit),
# and in `start` mode from redis_start.sh at every restart of the redis container (kubelet
# restarts a crashed or OOM-killed container without its init containers).
#
# 1. copy the templates (runtime rewrites of the last run are dropped)
# 2. ask the sentinels (through the Service) for the current master
# 3. a master is named and reports role master: become its replica
# 4. this pod is named but its redis is not running (it restarted before Sentinel noticed):
#    its data may miss writes that its replicas have, so ask Sentinel to promote a replica and
#    follow it; only when no replica can take over, start as master with this pod's data
# 5. the named master does not answer: ask Sentinel to fail over and follow the new master
# 6. no master (a new group, or every pod restarted after a full outage): wait for the
#    bootstrap election as a replica of nothing (replicaof its own address, so that it keeps
#    its data and syncs from no one); fix-split-brain.sh elects the pod with the newest data
#    once a majority of the pods answers, never an empty one while a peer has data
# 7. read-only replicas get replica-priority 0; password placeholders are filled in
# Exit status: 0 when the files are written, 1 otherwise (the container then restarts).
set -eu

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/vars.sh"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/lib.sh"

# `init` (default): both files; `start`: redis.conf only (the sentinel container is running
# and owns its file).
MODE="${1:-init}"

fail() {
    log "error: $*"
    exit 1
}

full() {
    [ "${MODE}" != "start" ]
}

copy_config() {
    mkdir -p "${CONF_DIR}"
    cp "${SCRIPT_DIR}/redis.conf" "${REDIS_CONF}.new"
    if full; then
        cp "${SCRIPT_DIR}/sentinel.conf" "${SENTINEL_CONF}.new"
    fi
}

# Prepends the identity and monitor lines to sentinel.conf, appends the announce lines.
# $1: master address.
sentinel_update() {
    full || return 0
    _master="${1}"
    _monitor_port="$(sentinel_monitor_port)"
    eval "_my_id=\${SENTINEL_ID_${INDEX}:-}"
    _head="${SENTINEL_CONF}.head"
    : >"${_head}"
    if [ -n "${_my_id}" ]; then
        echo "sentinel myid ${_my_id}" >>"${_head}"
    else
        log "warning: SENTINEL_ID_${INDEX} is not set; sentinel will pick a random id"
    fi
    # Hostname modes must be active before the monitor line is parsed (older sentinels read
    # the file in order); repeating them later in the file is harmless.
    if is_true "${RESOLVE_HOSTNAMES}"; then
        echo "sentinel resolve-hostnames yes" >>"${_head}"
    fi
    if is_true "${ANNOUNCE_HOSTNAMES}"; then
        echo "sentinel announce-hostnames yes" >>"${_head}"
    fi
    echo "sentinel monitor ${MASTER_GROUP} ${_master} ${_monitor_port} ${QUORUM}" >>"${_head}"
    cat "${_head}" "${SENTINEL_CONF}.new" >"${SENTINEL_CONF}.tmp"
    mv "${SENTINEL_CONF}.tmp" "${SENTINEL_CONF}.new"
    rm -f "${_head}"
    {
        echo "sentinel announce-ip ${ANNOUNCE_IP}"
        echo "sentinel announce-port $(sentinel_announce_port)"
    } >>"${SENTINEL_CONF}.new"
    log "sentinel: id ${_my_id:-<random>}, monitors ${MASTER_GROUP} at ${_master}:${_monitor_port} (quorum ${QUORUM}), announces ${ANNOUNCE_IP}:$(sentinel_announce_port)"
}

# Appends the replication lines to redis.conf. $1: master address, or empty for a master.
redis_update() {
    _master="${1}"
    _port="$(redis_replication_port)"
    if [ -n "${_master}" ]; then
        echo "slaveof ${_master} ${_port}" >>"${REDIS_CONF}.new"
        log "redis: replica of ${_master}:${_port}"
    else
        log "redis: master"
    fi
    {
        echo "slave-announce-port ${_port}"
        echo "slave-announce-ip ${ANNOUNCE_IP}"
    } >>"${REDIS_CONF}.new"
}

# No master: wait for the bootstrap election (fix-split-brain.sh) as a replica of this pod's
# own address, which never serves a sync, so the data on disk is loaded and kept. Sentinels
# monitor ordinal 0 until the election points them at the winner.
bootstrap_wait() {
    log "no master: waiting for the bootstrap election (the pod with the newest data among a majority of ${MAJORITY} of ${REPLICAS} becomes master)"
    redis_update "${ANNOUNCE_IP}"
    if full; then
        _pod0="$(announce_address 0)"
        if [ -z "${_pod0}" ]; then
            fail "cannot resolve $(announce_name 0) (getent hosts)"
        fi
        sentinel_update "${_pod0}"
    fi
    : >"${BOOTSTRAP_MARKER}"
}

# PING the reported master up to 3 times, asking sentinel again between tries.
# Sets MASTER to the last answer; returns 0 when a PONG came back.
ping_master_retry() {
    _try=1
    while [ "${_try}" -le 3 ]; do
        if [ -n "${MASTER}" ] && [ "$(redis_ping "${MASTER}")" = "PONG" ]; then
            return 0
        fi
        if [ "${_try}" -lt 3 ]; then
            sleep $((RETRY_DELAY + _try))
            MASTER="$(sentinel_get_master)"
        fi
        _try=$((_try + 1))
    done
    return 1
}

# Asks the sentinels, the other pods' first, to fail over. Prints the last reply.
request_failover() {
    _last=""
    for _host in $(pod_addresses | awk -v me="${ANNOUNCE_IP}" '$2 != me { print $2 }') ${LOCAL_HOST}; do
        _last="$(sentinel_cli "${_host}" SENTINEL FAILOVER "${MASTER_GROUP}" 2>&1 | tr -d '\r')" || true
        if [ "${_last}" = "OK" ]; then
            log "sentinel at ${_host} started a failover of ${MASTER_GROUP}"
            break
        fi
        log "sentinel at ${_host} did not fail over: ${_last:-no reply}"
    done
    echo "${_last}"
}

# Polls (FAILOVER_WAIT seconds at most) until the sentinels name a master other than $1 that
# reports role master; sets MASTER. Returns 1 on timeout.
await_new_master() {
    _polls=$((FAILOVER_WAIT * 2))
    while [ "${_polls}" -gt 0 ]; do
        MASTER="$(sentinel_get_master)"
        if [ -n "${MASTER}" ] && [ "${MASTER}" != "${1}" ] && [ "$(redis_role "${MASTER}")" = "master" ]; then
            return 0
        fi
        sleep 0.5 2>/dev/null || sleep 1
        _polls=$((_polls - 1))
    done
    return 1
}

# The sentinels name this pod, whose redis is not running.
restarted_master() {
    log "sentinels name this pod (${ANNOUNCE_IP}) master but its redis is not running: it restarted before Sentinel noticed; its data may miss writes its replicas have, so a replica takes over"
    _reply="$(request_failover)"
    if [ "${_reply}" = "OK" ] && await_new_master "${ANNOUNCE_IP}"; then
        log "sentinels now name ${MASTER}; following it"
        redis_update "${MASTER}"
        sentinel_update "${MASTER}"
        return 0
    fi
    log "no replica could take over (${_reply:-no sentinel answered}); starting as master with this pod's data"
    redis_update ""
    sentinel_update "${ANNOUNCE_IP}"
}

# Sentinel reported MASTER (another pod): follow it if it is a reachable master, else force a
# failover.
follow_master() {
    log "sentinel reports master ${MASTER}; checking it answers PING"
    if ping_master_retry; then
        if [ "${MASTER}" = "${ANNOUNCE_IP}" ]; then
            # Re-run while our own redis is up (split-brain repair): we are the master, never
            # write `slaveof <own address>`.
            redis_update ""
            sentinel_update "${MASTER}"
            return 0
        fi
        _role="$(redis_role "${MASTER}")"
        if [ "${_role}" != "master" ]; then
            # The monitored pod waits for the bootstrap election itself.
            log "${MASTER} answers but reports role '${_role:-unknown}'"
            bootstrap_wait
            return 0
        fi
        log "master ${MASTER} is reachable"
        redis_update "${MASTER}"
        sentinel_update "${MASTER}"
        return 0
    fi
    log "master ${MASTER:-<none>} does not answer; asking the sentinels to fail over ${MASTER_GROUP}"
    _old="${MASTER}"
    _reply="$(request_failover)"
    if [ "${_reply}" = "OK" ] && await_new_master "${_old}"; then
        log "sentinel now reports master ${MASTER}"
        redis_update "${MASTER}"
        sentinel_update "${MASTER}"
        return 0
    fi
    log "no failover (${_reply:-no sentinel answered})"
    bootstrap_wait
}

# Fills the password placeholders (AUTH / SENTINELAUTH env).
set_passwords() {
    if is_true "${AUTH_ENABLED}"; then
        if [ -z "${AUTH:-}" ]; then
            fail "auth is enabled but the AUTH environment variable is empty (check the auth Secret)"
        fi
        replace_token "${REDIS_CONF}.new" replace-default-auth AUTH
        if full; then
            replace_token "${SENTINEL_CONF}.new" replace-default-auth AUTH
        fi
        log "redis password set"
    fi
    if full && is_true "${SENTINEL_AUTH_ENABLED}"; then
        if [ -z "${SENTINELAUTH:-}" ]; then
            fail "sentinel.auth is enabled but the SENTINELAUTH environment variable is empty (check the sentinel Secret)"
        fi
        replace_token "${SENTINEL_CONF}.new" replace-default-sentinel-auth SENTINELAUTH
        log "sentinel password set"
    fi
}

main() {
    log "config-init (${MODE}) start"
    INDEX="$(pod_index)" || fail "pod name does not end in a StatefulSet ordinal"
    copy_config
    rm -f "${BOOTSTRAP_MARKER}"

    ANNOUNCE_IP="$(announce_address "${INDEX}")"
    if [ -z "${ANNOUNCE_IP}" ]; then
        fail "cannot resolve the announce address $(announce_name "${INDEX}") of this pod"
    fi
    log "pod index ${INDEX}, announce address ${ANNOUNCE_IP}"

    log "asking sentinel (${SERVICE}) for the master of ${MASTER_GROUP}"
    MASTER="$(sentinel_get_master_retry 3)"
    if [ -z "${MASTER}" ]; then
        bootstrap_wait
    elif [ "${MASTER}" = "${ANNOUNCE_IP}" ] && [ "$(redis_ping "${LOCAL_HOST}")" != "PONG" ]; then
        restarted_master
    else
        follow_master
    fi

    if [ -n "${RO_REPLICAS}" ] && index_in_list "${INDEX}" "${RO_REPLICAS}"; then
        log "index ${INDEX} is in ro_replicas (${RO_REPLICAS}): replica-priority 0"
        echo "replica-priority 0" >>"${REDIS_CONF}.new"
    fi

    set_passwords

    # Replace the files only when they are complete.
    mv "${REDIS_CONF}.new" "${REDIS_CONF}"
    if full; then
        mv "${SENTINEL_CONF}.new" "${SENTINEL_CONF}"
        : >"${INIT_DONE_MARKER}"
    fi
    log "config-init (${MODE}) done"
}

main "$@"
