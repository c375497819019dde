#!/bin/sh
# Liveness, readiness and startup of the sentinel container: PING must answer PONG.
set -u

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/vars.sh"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/lib.sh"

response="$(sentinel_cli "${LOCAL_HOST}" PING 2>&1 | tr -d '\r' | head -n 1)"
if [ "${response}" = "PONG" ]; then
    exit 0
fi
echo "sentinel liveness: PING answered '${response}'" >&2
exit 1
