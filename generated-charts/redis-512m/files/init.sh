#!/bin/sh
# config-init: decides whether this pod starts as master or replica and writes
# /data/conf/redis.conf and /data/conf/sentinel.conf from the read-only templates next to this
# script. Runs as an init container and again from fix-split-brain.sh (reinit).
#
# 1. copy redis.conf / sentinel.conf to /data/conf (runtime rewrites of the last run are dropped)
# 2. ask the sentinels (through the headless Service) for the current master
# 3. master reported and it answers PING: become its replica
#    master reported but unreachable: force a sentinel failover and follow the new master
#    (NOGOODSLAVE: fall back to step 4)
# 4. no master known: ordinal 0 is the master, every other ordinal replicates announce-0
# 5. read-only replicas get replica-priority 0; password placeholders are filled in
# Exit status: 0 when both files are written, 1 otherwise (the pod then restarts).
set -eu

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/vars.sh"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/lib.sh"

fail() {
    log "error: $*"
    exit 1
}

copy_config() {
    mkdir -p "${CONF_DIR}"
    log "copying ${SCRIPT_DIR}/redis.conf and sentinel.conf to ${CONF_DIR}"
    cp "${SCRIPT_DIR}/redis.conf" "${REDIS_CONF}.new"
    cp "${SCRIPT_DIR}/sentinel.conf" "${SENTINEL_CONF}.new"
}

# Prepends the identity and monitor lines to sentinel.conf, appends the announce lines.
# $1: master address.
sentinel_update() {
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

# No master known: ordinal 0 is the master, the others replicate announce-0.
setup_defaults() {
    log "no master known: using defaults (ordinal 0 is the master)"
    if [ "${INDEX}" = "0" ]; then
        redis_update ""
        sentinel_update "${ANNOUNCE_IP}"
        return 0
    fi
    if is_true "${RESOLVE_HOSTNAMES}"; then
        _default_master="$(announce_fqdn 0)"
        if [ -z "$(resolve_host "${_default_master}")" ]; then
            fail "cannot resolve ${_default_master} (getent hosts)"
        fi
    else
        _default_master="$(resolve_host "$(announce_name 0)")"
        if [ -z "${_default_master}" ]; then
            fail "cannot resolve $(announce_name 0) (getent hosts)"
        fi
    fi
    redis_update "${_default_master}"
    sentinel_update "${_default_master}"
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

# Sentinel reported MASTER: follow it if reachable, else force a failover.
follow_master() {
    log "sentinel reports master ${MASTER}; checking it answers PING"
    if ping_master_retry; then
        log "master ${MASTER} is reachable"
        if [ "${MASTER}" = "${ANNOUNCE_IP}" ]; then
            # Re-run while our own redis is up (split-brain repair): we are the master, never
            # write `slaveof <own address>`.
            redis_update ""
        else
            redis_update "${MASTER}"
        fi
        sentinel_update "${MASTER}"
        return 0
    fi
    log "master ${MASTER:-<none>} does not answer; asking sentinel (${SERVICE}) to fail over ${MASTER_GROUP}"
    _reply="$(sentinel_cli "${SERVICE}" SENTINEL FAILOVER "${MASTER_GROUP}" 2>&1 | tr -d '\r')" || true
    log "failover reply: ${_reply:-<none>}"
    case "${_reply}" in
        *NOGOODSLAVE*)
            setup_defaults
            return 0
            ;;
    esac
    log "waiting ${FAILOVER_WAIT}s for the failover"
    sleep "${FAILOVER_WAIT}"
    MASTER="$(sentinel_get_master)"
    if [ -z "${MASTER}" ]; then
        fail "sentinel reports no master after the failover"
    fi
    log "sentinel now reports master ${MASTER}"
    redis_update "${MASTER}"
    sentinel_update "${MASTER}"
}

# Fills the password placeholders (AUTH / SENTINELAUTH env).
set_passwords() {
    if is_true "${AUTH_ENABLED}"; then
        if [ -z "${AUTH:-}" ]; then
            fail "auth is enabled but the AUTH environment variable is empty (check the auth Secret)"
        fi
        replace_token "${REDIS_CONF}.new" replace-default-auth AUTH
        replace_token "${SENTINEL_CONF}.new" replace-default-auth AUTH
        log "redis password set"
    fi
    if is_true "${SENTINEL_AUTH_ENABLED}"; then
        if [ -z "${SENTINELAUTH:-}" ]; then
            fail "sentinel.auth is enabled but the SENTINELAUTH environment variable is empty (check the sentinel Secret)"
        fi
        replace_token "${SENTINEL_CONF}.new" replace-default-sentinel-auth SENTINELAUTH
        log "sentinel password set"
    fi
}

main() {
    log "config-init start"
    INDEX="$(pod_index)" || fail "pod name does not end in a StatefulSet ordinal"
    copy_config

    ANNOUNCE_IP="$(announce_address "${INDEX}")"
    if [ -z "${ANNOUNCE_IP}" ]; then
        fail "cannot resolve the announce address $(announce_name "${INDEX}") of this pod"
    fi
    log "pod index ${INDEX}, announce address ${ANNOUNCE_IP}"

    log "asking sentinel (${SERVICE}) for the master of ${MASTER_GROUP}"
    MASTER="$(sentinel_get_master_retry 3)"
    if [ -n "${MASTER}" ]; then
        follow_master
    else
        setup_defaults
    fi

    if [ -n "${RO_REPLICAS}" ] && index_in_list "${INDEX}" "${RO_REPLICAS}"; then
        log "index ${INDEX} is in ro_replicas (${RO_REPLICAS}): replica-priority 0"
        echo "replica-priority 0" >>"${REDIS_CONF}.new"
    fi

    set_passwords

    # Replace both files only when they are complete.
    mv "${REDIS_CONF}.new" "${REDIS_CONF}"
    mv "${SENTINEL_CONF}.new" "${SENTINEL_CONF}"
    log "config-init done: ${REDIS_CONF}, ${SENTINEL_CONF}"
}

main "$@"
