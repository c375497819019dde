#!/bin/sh
# Readiness of the redis container: PING must answer PONG, and the node must be a master or a
# replica whose link to its master is up; or the pod waits for the bootstrap election (see
# init.sh), which needs the next pod of an OrderedReady StatefulSet to start.
set -u

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/vars.sh"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/lib.sh"

response="$(redis_cli "${LOCAL_HOST}" PING 2>&1 | tr -d '\r' | head -n 1)"
if [ "${response}" != "PONG" ]; then
    echo "redis readiness: PING answered '${response}'" >&2
    exit 1
fi

if [ -f "${BOOTSTRAP_MARKER}" ]; then
    exit 0
fi

# ROLE of a replica: slave, master host, master port, link state, offset.
reply="$(redis_cli "${LOCAL_HOST}" ROLE 2>&1 | tr -d '\r')"
role="$(echo "${reply}" | sed -n '1p')"
case "${role}" in
    master)
        exit 0
        ;;
    slave)
        link="$(echo "${reply}" | sed -n '4p')"
        if [ "${link}" = "connected" ]; then
            exit 0
        fi
        echo "redis readiness: replica link state is '${link}'" >&2
        exit 1
        ;;
esac
echo "redis readiness: unexpected ROLE reply '${role}'" >&2
exit 1
