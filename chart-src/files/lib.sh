#!/bin/sh
# Functions shared by the redis-ha scripts (init.sh, fix-split-brain.sh, the health checks and
# the preStop hook). Sourced after vars.sh, from the same directory as the calling script.
#
# Environment read here (besides vars.sh):
#   AUTH, SENTINELAUTH          passwords (from the chart's Secrets); never echoed
#   REDIS_HA_DATA_DIR           data directory (default /data); conf files go to <dir>/conf
#   REDIS_HA_HOSTNAME           pod name override (default: the kernel hostname)
#   REDIS_HA_LOCAL_HOST         address of this pod's own redis/sentinel (default localhost)
#   REDIS_HA_CLI_TIMEOUT        seconds one redis-cli call may take (default 10)
#   REDIS_HA_RETRY_DELAY        base delay of the sentinel/ping retries (default 3: 4s, 5s, ...)
#   REDIS_HA_RESOLVE_ATTEMPTS   getent attempts for announce names (default 5, 2s apart)
#   REDIS_HA_FAILOVER_WAIT      seconds to wait for a forced failover (default 30)
# shellcheck shell=sh

# Used by the scripts that source this file.
# shellcheck disable=SC2034
DATA_DIR="${REDIS_HA_DATA_DIR:-/data}"
CONF_DIR="${DATA_DIR}/conf"
REDIS_CONF="${CONF_DIR}/redis.conf"
SENTINEL_CONF="${CONF_DIR}/sentinel.conf"
LOCAL_HOST="${REDIS_HA_LOCAL_HOST:-localhost}"
CLI_TIMEOUT="${REDIS_HA_CLI_TIMEOUT:-10}"
RETRY_DELAY="${REDIS_HA_RETRY_DELAY:-3}"
RESOLVE_ATTEMPTS="${REDIS_HA_RESOLVE_ATTEMPTS:-5}"
FAILOVER_WAIT="${REDIS_HA_FAILOVER_WAIT:-30}"
# Pods needed for a majority of the group.
MAJORITY=$((REPLICAS / 2 + 1))
# Marker of a pod waiting for the bootstrap election (see fix-split-brain.sh); the readiness
# and startup probes pass while it exists, so that an OrderedReady StatefulSet starts the
# next pod, which the election needs.
BOOTSTRAP_MARKER="${CONF_DIR}/bootstrap-wait"
# Written by every full run of init.sh: the next start of the redis container uses the
# configuration just decided instead of checking its role again.
INIT_DONE_MARKER="${CONF_DIR}/init-done"

# Logs go to stderr so that functions can return values on stdout.
log() {
    echo "$(date '+%Y-%m-%dT%H:%M:%S') $*" >&2
}

is_true() {
    [ "${1:-}" = "true" ]
}

# Pod name: REDIS_HA_HOSTNAME, else the kernel hostname (no `hostname` binary needed).
pod_name() {
    if [ -n "${REDIS_HA_HOSTNAME:-}" ]; then
        echo "${REDIS_HA_HOSTNAME}"
    elif [ -r /proc/sys/kernel/hostname ]; then
        cat /proc/sys/kernel/hostname
    else
        hostname
    fi
}

# StatefulSet ordinal: the suffix after the last "-" of the pod name. Fails if not a number.
pod_index() {
    _name="$(pod_name)"
    _index="${_name##*-}"
    case "${_index}" in
        '' | *[!0-9]*)
            log "error: cannot derive the pod index from hostname '${_name}'"
            return 1
            ;;
    esac
    echo "${_index}"
}

# The image's CLI: redis-cli (redis images), else valkey-cli (valkey/valkey images).
cli_binary() {
    if command -v redis-cli >/dev/null 2>&1; then
        echo redis-cli
    else
        echo valkey-cli
    fi
}
REDIS_CLI="$(cli_binary)"

# Runs the CLI with a time bound when `timeout` exists (GNU and BusyBox share this syntax).
# $1 is the password (may be empty), passed via REDISCLI_AUTH (VALKEYCLI_AUTH for valkey-cli)
# so it never shows in `ps`.
run_cli() {
    (
        unset REDISCLI_AUTH VALKEYCLI_AUTH
        if [ -n "${1}" ]; then
            REDISCLI_AUTH="${1}"
            VALKEYCLI_AUTH="${1}"
            export REDISCLI_AUTH VALKEYCLI_AUTH
        fi
        shift
        if command -v timeout >/dev/null 2>&1; then
            exec timeout "${CLI_TIMEOUT}" "${REDIS_CLI}" "$@"
        else
            exec "${REDIS_CLI}" "$@"
        fi
    )
}

# redis-cli against a redis server: plain port, or the TLS port when the plain port is 0.
# Usage: redis_cli HOST ARGS...
redis_cli() {
    _host="${1}"
    shift
    if [ "${REDIS_PORT}" != "0" ]; then
        set -- -h "${_host}" -p "${REDIS_PORT}" "$@"
    else
        if is_true "${REDIS_TLS_CLIENT_CERT}"; then
            set -- --cert "${TLS_CERT_FILE}" --key "${TLS_KEY_FILE}" "$@"
        fi
        if [ -n "${TLS_CA_CERT_FILE}" ]; then
            set -- --cacert "${TLS_CA_CERT_FILE}" "$@"
        fi
        set -- -h "${_host}" -p "${REDIS_TLS_PORT}" --tls "$@"
    fi
    if is_true "${AUTH_ENABLED}"; then
        run_cli "${AUTH:-}" "$@"
    else
        run_cli "" "$@"
    fi
}

# redis-cli against a sentinel: plain port, or the TLS port when the plain port is 0.
# Usage: sentinel_cli HOST ARGS...
sentinel_cli() {
    _host="${1}"
    shift
    if [ "${SENTINEL_PORT}" != "0" ]; then
        set -- -h "${_host}" -p "${SENTINEL_PORT}" "$@"
    else
        if is_true "${SENTINEL_TLS_CLIENT_CERT}"; then
            set -- --cert "${TLS_CERT_FILE}" --key "${TLS_KEY_FILE}" "$@"
        fi
        if [ -n "${TLS_CA_CERT_FILE}" ]; then
            set -- --cacert "${TLS_CA_CERT_FILE}" "$@"
        fi
        set -- -h "${_host}" -p "${SENTINEL_TLS_PORT}" --tls "$@"
    fi
    if is_true "${SENTINEL_AUTH_ENABLED}"; then
        run_cli "${SENTINELAUTH:-}" "$@"
    else
        run_cli "" "$@"
    fi
}

# The port other pods use to reach redis (TLS port when replication uses TLS).
redis_replication_port() {
    if is_true "${REDIS_TLS_REPLICATION_ENABLED}" || [ "${REDIS_PORT}" = "0" ]; then
        echo "${REDIS_TLS_PORT}"
    else
        echo "${REDIS_PORT}"
    fi
}

# The port sentinels monitor redis on.
sentinel_monitor_port() {
    if is_true "${SENTINEL_TLS_REPLICATION_ENABLED}" || [ "${REDIS_PORT}" = "0" ]; then
        echo "${REDIS_TLS_PORT}"
    else
        echo "${REDIS_PORT}"
    fi
}

# The port this pod's sentinel announces.
sentinel_announce_port() {
    if [ "${SENTINEL_PORT}" = "0" ]; then
        echo "${SENTINEL_TLS_PORT}"
    else
        echo "${SENTINEL_PORT}"
    fi
}

# Accepts an address as reported by sentinel: IPv4, IPv6, or (hostname modes) a DNS name.
valid_master_address() {
    _addr="${1}"
    if echo "${_addr}" | grep -Eq '^([0-9]{1,3}\.){3}[0-9]{1,3}$'; then
        return 0
    fi
    if echo "${_addr}" | grep -Eq '^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?$'; then
        return 0
    fi
    if is_true "${RESOLVE_HOSTNAMES}" || is_true "${ANNOUNCE_HOSTNAMES}"; then
        if echo "${_addr}" | grep -Eq '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$'; then
            return 0
        fi
    fi
    return 1
}

# One query to the sentinel Service; prints the master address or nothing.
sentinel_get_master() {
    _reply="$(sentinel_cli "${SERVICE}" SENTINEL get-master-addr-by-name "${MASTER_GROUP}" 2>/dev/null | head -n 1 | tr -d '\r')" || true
    if [ -n "${_reply}" ] && valid_master_address "${_reply}"; then
        echo "${_reply}"
    fi
}

# Up to $1 queries (default 3), sleeping RETRY_DELAY+i seconds between them.
sentinel_get_master_retry() {
    _attempts="${1:-3}"
    _i=1
    while [ "${_i}" -le "${_attempts}" ]; do
        _master="$(sentinel_get_master)"
        if [ -n "${_master}" ]; then
            echo "${_master}"
            return 0
        fi
        if [ "${_i}" -lt "${_attempts}" ]; then
            sleep $((RETRY_DELAY + _i))
        fi
        _i=$((_i + 1))
    done
    return 0
}

# DNS name of the announce Service of ordinal $1.
announce_name() {
    echo "${SERVICE}-announce-${1}"
}

announce_fqdn() {
    echo "${SERVICE}-announce-${1}.${NAMESPACE}.svc"
}

# First address `getent hosts` returns for $1, retried RESOLVE_ATTEMPTS times; empty on failure.
resolve_host() {
    _i=1
    while [ "${_i}" -le "${RESOLVE_ATTEMPTS}" ]; do
        _ip="$(getent hosts "${1}" 2>/dev/null | awk 'NR == 1 { print $1 }')" || true
        if [ -n "${_ip}" ]; then
            echo "${_ip}"
            return 0
        fi
        if [ "${_i}" -lt "${RESOLVE_ATTEMPTS}" ]; then
            sleep 2
        fi
        _i=$((_i + 1))
    done
    return 0
}

# Address ordinal $1 announces: its announce Service FQDN in the hostname modes, else the
# Service's ClusterIP. Empty when it cannot be resolved.
announce_address() {
    if is_true "${ANNOUNCE_HOSTNAMES}" || is_true "${RESOLVE_HOSTNAMES}"; then
        announce_fqdn "${1}"
    else
        resolve_host "$(announce_name "${1}")"
    fi
}

# `INFO replication` of the redis at $1 (default: this pod); empty when unreachable.
redis_replication_info() {
    redis_cli "${1:-${LOCAL_HOST}}" INFO replication 2>/dev/null | tr -d '\r'
}

# Field $2 of the INFO text $1; empty when absent.
info_field() {
    echo "${1}" | sed -n "s/^${2}://p" | head -n 1
}

# Role ("master", "slave", ...) of the redis at $1 (default: this pod); empty when unreachable.
redis_role() {
    info_field "$(redis_replication_info "${1:-}")" role
}

# master_host of the redis at $1 (default: this pod); empty when it is a master or unreachable.
redis_master_host() {
    info_field "$(redis_replication_info "${1:-}")" master_host
}

# "index address" of every ordinal whose announce address resolves, one per line.
pod_addresses() {
    _i=0
    while [ "${_i}" -lt "${REPLICAS}" ]; do
        _address="$(RESOLVE_ATTEMPTS=1 announce_address "${_i}")"
        if [ -n "${_address}" ]; then
            echo "${_i} ${_address}"
        fi
        _i=$((_i + 1))
    done
}

# The master address the sentinel at $1 names; empty when it does not answer.
sentinel_master_at() {
    _reply="$(sentinel_cli "${1}" SENTINEL get-master-addr-by-name "${MASTER_GROUP}" 2>/dev/null | head -n 1 | tr -d '\r')" || true
    if [ -n "${_reply}" ] && valid_master_address "${_reply}"; then
        echo "${_reply}"
    fi
}

# The master address that a majority of the group's sentinels name, each asked at its own
# pod (the Service would answer with any one of them); empty without such a majority.
majority_master() {
    pod_addresses | while read -r _i _address; do
        sentinel_master_at "${_address}"
    done | sort | uniq -c | sort -rn \
        | awk -v need="${MAJORITY}" 'NR == 1 && $1 >= need { print $2 }'
}

# Points the sentinel at $1 to the master at $2: SENTINEL REMOVE and MONITOR, then every
# per-group option of this chart's sentinel.conf (next to this script) with SENTINEL SET.
# Fails when the sentinel does not accept the MONITOR.
sentinel_repoint() {
    _sentinel="${1}"
    _new="${2}"
    sentinel_cli "${_sentinel}" SENTINEL REMOVE "${MASTER_GROUP}" >/dev/null 2>&1 || true
    _reply="$(sentinel_cli "${_sentinel}" SENTINEL MONITOR "${MASTER_GROUP}" "${_new}" "$(sentinel_monitor_port)" "${QUORUM}" 2>&1 | tr -d '\r')" || true
    if [ "${_reply}" != "OK" ]; then
        log "sentinel at ${_sentinel}: MONITOR ${_new}: ${_reply:-no reply}"
        return 1
    fi
    awk -v g="${MASTER_GROUP}" '$1 == "sentinel" && $3 == g && NF >= 4 {
            value = $4
            for (i = 5; i <= NF; i++) value = value " " $i
            gsub(/^"|"$/, "", value)
            print $2 " " value
        }' "${SCRIPT_DIR}/sentinel.conf" | while read -r _option _value; do
        case "${_option}" in
            monitor | known-* | config-epoch | leader-epoch) continue ;;
            auth-pass) _value="${AUTH:-}" ;;
        esac
        # The value on stdin (-x): a password never shows in `ps`.
        printf '%s' "${_value}" | sentinel_cli "${_sentinel}" -x SENTINEL SET "${MASTER_GROUP}" "${_option}" >/dev/null 2>&1 \
            || log "sentinel at ${_sentinel}: SENTINEL SET ${_option} failed"
    done
    log "sentinel at ${_sentinel} now monitors ${_new}"
}

# True when the INFO replication text $1 of the redis at $2 is that of a pod waiting for the
# bootstrap election: a replica of its own address.
is_waiting() {
    [ "$(info_field "${1}" role)" = "slave" ] && [ "$(info_field "${1}" master_host)" = "${2}" ]
}

# PING the redis at $1; prints the reply.
redis_ping() {
    redis_cli "${1}" PING 2>/dev/null | tr -d '\r' | head -n 1
}

# Exact match of $1 in the comma separated list $2 (spaces ignored).
# Upstream used `grep INDEX` on the list, so "10" also matched pods 1 and 0.
index_in_list() {
    _wanted="${1}"
    _list="$(echo "${2}" | tr -d ' \t')"
    _old_ifs="${IFS}"
    IFS=','
    for _item in ${_list}; do
        if [ "${_item}" = "${_wanted}" ]; then
            IFS="${_old_ifs}"
            return 0
        fi
    done
    IFS="${_old_ifs}"
    return 1
}

# Replaces TOKEN in FILE by the value of environment variable VAR, written as a redis config
# double-quoted string (\ and " escaped), so passwords with spaces, quotes, &, / or \ work.
# Both the quoted ("TOKEN") and the bare (TOKEN) forms of the token become one quoted string.
# Usage: replace_token FILE TOKEN VAR
replace_token() {
    _file="${1}"
    _tmp="${_file}.tmp.$$"
    REDIS_HA_TOKEN="${2}" REDIS_HA_VAR="${3}" awk '
        function quote(s,    out, i, c) {
            out = ""
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (c == "\\" || c == "\"") {
                    out = out "\\" c
                } else if (c == "\n") {
                    out = out "\\n"
                } else {
                    out = out c
                }
            }
            return "\"" out "\""
        }
        # Single pass, so a password containing the token is not replaced again.
        function replace_all(line, tok, rep,    out, p, before, after) {
            out = ""
            while ((p = index(line, tok)) > 0) {
                before = substr(line, 1, p - 1)
                after = substr(line, p + length(tok))
                if (substr(before, length(before), 1) == "\"" && substr(after, 1, 1) == "\"") {
                    before = substr(before, 1, length(before) - 1)
                    after = substr(after, 2)
                }
                out = out before rep
                line = after
            }
            return out line
        }
        BEGIN {
            token = ENVIRON["REDIS_HA_TOKEN"]
            value = quote(ENVIRON[ENVIRON["REDIS_HA_VAR"]])
        }
        {
            print replace_all($0, token, value)
        }
    ' "${_file}" >"${_tmp}" && mv "${_tmp}" "${_file}"
}
