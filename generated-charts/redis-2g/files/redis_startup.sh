#!/bin/sh
# Startup probe of the redis container. Passes when redis is ready (see redis_readiness.sh),
# or while it makes progress towards it: loading its data, receiving a full sync from its
# master, waiting for a master that answers to start the sync (a master delays a diskless
# sync by repl-diskless-sync-delay, or while another fork runs), waiting for a master that
# is gone to come back or be replaced by a failover, or waiting for the bootstrap election.
# The progress of a load or a sync is compared with the previous probe's (kept in /tmp of the
# container), so a replica whose transfer or load has stalled still fails. Upstream used the
# readiness check here, so a large replica was killed in the middle of every full sync and
# never finished one.
set -u

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/vars.sh"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/lib.sh"

if sh "${SCRIPT_DIR}/redis_readiness.sh" 2>/dev/null; then
    exit 0
fi
state="${TMPDIR:-/tmp}/redis-startup-progress"
replication="$(redis_replication_info)"
persistence="$(redis_cli "${LOCAL_HOST}" INFO persistence 2>/dev/null | tr -d '\r')"
loading="$(info_field "${persistence}" loading)"
syncing="$(info_field "${replication}" master_sync_in_progress)"
if [ "${loading}" != "1" ] && [ "${syncing}" != "1" ]; then
    master="$(info_field "${replication}" master_host)"
    if [ "$(info_field "${replication}" role)" = "slave" ] && [ -n "${master}" ]; then
        if [ "$(redis_ping "${master}")" = "PONG" ]; then
            echo "redis startup: waiting for ${master} to start the sync" >&2
            exit 0
        fi
        # The master is gone: the sentinels fail over (and may promote this replica) or the
        # master comes back. A restart would not bring it back, and killing a replica the
        # sentinels are promoting aborts the failover (podsim's monitoring scenario saw it).
        echo "redis startup: master ${master} does not answer; waiting for it or for a failover" >&2
        exit 0
    fi
    echo "redis startup: neither loading nor syncing (role '$(info_field "${replication}" role)', link '$(info_field "${replication}" master_link_status)')" >&2
    exit 1
fi
# The master wrote to the sync less than 20 s ago: progress (the data comes in bursts of a
# buffer's size when the master's child is slow, so two probes may see the same byte count).
last_io="$(info_field "${replication}" master_sync_last_io_seconds_ago)"
case "${syncing}:${last_io}" in
    1:[0-9] | 1:1[0-9])
        echo "redis startup: syncing, the master wrote ${last_io}s ago" >&2
        exit 0
        ;;
esac
progress="$(info_field "${persistence}" loading_loaded_bytes) $(info_field "${replication}" master_sync_read_bytes) $(info_field "${replication}" slave_read_repl_offset)"
previous="$(cat "${state}" 2>/dev/null || true)"
echo "${progress}" >"${state}"
if [ "${progress}" != "${previous}" ]; then
    echo "redis startup: loading=${loading:-0} syncing=${syncing:-0}, progressing (${progress})" >&2
    exit 0
fi
echo "redis startup: loading=${loading:-0} syncing=${syncing:-0}, no progress since the last probe (${progress})" >&2
exit 1
