#!/bin/sh
# Liveness of the redis container: PING must answer PONG, or LOADING while a large dataset is
# being loaded (restarting then would only start the load again).
set -u

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/vars.sh"
# shellcheck source=/dev/null
. "${SCRIPT_DIR}/lib.sh"

response="$(redis_cli "${LOCAL_HOST}" PING 2>&1 | tr -d '\r' | head -n 1)"
case "${response}" in
    PONG | LOADING*)
        exit 0
        ;;
esac
echo "redis liveness: PING answered '${response}'" >&2
exit 1
