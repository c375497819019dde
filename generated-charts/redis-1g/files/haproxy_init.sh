#!/bin/sh
# HAProxy config-init: copy haproxy.cfg into HAProxy's writable config directory and
# replace every REPLACE_ANNOUNCE<i> token with the address of <SERVICE>-announce-<i>
# (its ClusterIP, or its FQDN when sentinels resolve hostnames).
#
# A token followed by ":" (a host:port) gets IPv6 literals in brackets, "[fd00::1]:6379";
# other tokens (the sentinel reply HAProxy expects) get the bare address. Upstream
# wrote bare IPv6 literals into host:port, which HAProxy cannot parse.
#
# Inputs: vars.sh next to this script (SERVICE, NAMESPACE, REPLICAS, RESOLVE_HOSTNAMES);
# optional environment:
#   HAPROXY_SRC_CFG           source config (default: haproxy.cfg next to this script)
#   HAPROXY_CONF              output config (default: /data/haproxy.cfg)
#   HAPROXY_RESOLVE_ATTEMPTS  lookups per name before giving up (default 10, 1 s apart)
#   HAPROXY_CLIENT_CERT/_KEY  TLS client cert and key; when set they are joined into
#                             redis-client.pem next to the output config
#   HAPROXY_SECRETS_DIR       directory of the password files `auth` and `sentinel-auth`
#                             (default /secrets), read when vars.sh enables auth
#
# The passwords reach HAProxy through its config (a `global` section of `setenv` lines that
# the health checks' ${AUTH} / ${SENTINELAUTH} expand), never through the container's
# environment; the config is written readable by its owner only.
set -eu

SCRIPT_DIR="$(dirname "$0")"
# shellcheck source=/dev/null
. "$SCRIPT_DIR/vars.sh"

: "${SERVICE:?vars.sh must set SERVICE}"
: "${REPLICAS:?vars.sh must set REPLICAS}"
SRC_CFG="${HAPROXY_SRC_CFG:-$SCRIPT_DIR/haproxy.cfg}"
DEST_CFG="${HAPROXY_CONF:-/data/haproxy.cfg}"
DEST_DIR="$(dirname "$DEST_CFG")"
ATTEMPTS="${HAPROXY_RESOLVE_ATTEMPTS:-10}"
SECRETS_DIR="${HAPROXY_SECRETS_DIR:-/secrets}"
# Everything written here is for HAProxy (same user) alone; the config may hold passwords.
umask 077

is_true() {
    case "${1:-}" in
        true | yes | 1) return 0 ;;
        *) return 1 ;;
    esac
}

# First address `getent hosts` reports for a name; empty when it does not resolve.
lookup() {
    getent hosts "$1" 2>/dev/null | awk 'NR == 1 { print $1 }' || true
}

# Prints the address to use for announce service $1, waiting (bounded) until it resolves.
announce_address() {
    name="${SERVICE}-announce-$1"
    if is_true "${RESOLVE_HOSTNAMES:-}"; then
        name="${name}.${NAMESPACE:?vars.sh must set NAMESPACE}.svc"
    fi
    attempt=1
    while :; do
        addr="$(lookup "$name")"
        if [ -n "$addr" ]; then
            break
        fi
        if [ "$attempt" -ge "$ATTEMPTS" ]; then
            echo "haproxy_init: could not resolve $name after $attempt attempts" >&2
            return 1
        fi
        echo "haproxy_init: waiting for $name to resolve ($attempt/$ATTEMPTS)" >&2
        attempt=$((attempt + 1))
        sleep 1
    done
    # HAProxy dials the FQDN itself in hostname mode, and sentinels report the FQDN.
    if is_true "${RESOLVE_HOSTNAMES:-}"; then
        addr="$name"
    fi
    # Only characters of IPs and DNS names may reach the sed script below.
    case "$addr" in
        *[!0-9A-Za-z.:-]*)
            echo "haproxy_init: unexpected address '$addr' for $name" >&2
            return 1
            ;;
    esac
    echo "$addr"
}

# Prints `  setenv NAME '<password of file $2>'` for HAProxy's config: single-quoted (no
# escapes or variables expanded inside), a quote written as '\'' as in sh.
setenv_line() {
    if [ ! -r "$2" ]; then
        echo "haproxy_init: cannot read the password file $2 (check the Secret)" >&2
        return 1
    fi
    value="$(cat "$2" && echo x)"
    value="${value%x}"
    case "$value" in
        *"
"*)
            echo "haproxy_init: the password in $2 contains a line break, which HAProxy's config cannot hold" >&2
            return 1
            ;;
    esac
    printf "  setenv %s '%s'\n" "$1" "$(printf '%s' "$value" | sed "s/'/'\\\\''/g")"
}

if [ ! -r "$SRC_CFG" ]; then
    echo "haproxy_init: cannot read $SRC_CFG" >&2
    exit 1
fi

SED_SCRIPT="$DEST_CFG.sed"
trap 'rm -f "$SED_SCRIPT" "$DEST_CFG.tmp"' EXIT
: >"$SED_SCRIPT"
# Highest index first, so REPLACE_ANNOUNCE1 never eats the prefix of REPLACE_ANNOUNCE10.
i=$((REPLICAS - 1))
while [ "$i" -ge 0 ]; do
    addr="$(announce_address "$i")"
    case "$addr" in
        *:*) hostport="[$addr]" ;;
        *) hostport="$addr" ;;
    esac
    echo "haproxy_init: REPLACE_ANNOUNCE$i -> $addr"
    printf 's|REPLACE_ANNOUNCE%s:|%s:|g\ns|REPLACE_ANNOUNCE%s|%s|g\n' \
        "$i" "$hostport" "$i" "$addr" >>"$SED_SCRIPT"
    i=$((i - 1))
done

(
    if is_true "${AUTH_ENABLED:-}" || is_true "${SENTINEL_AUTH_ENABLED:-}"; then
        echo "global"
        if is_true "${AUTH_ENABLED:-}"; then setenv_line AUTH "$SECRETS_DIR/auth"; fi
        if is_true "${SENTINEL_AUTH_ENABLED:-}"; then setenv_line SENTINELAUTH "$SECRETS_DIR/sentinel-auth"; fi
    fi
    sed -f "$SED_SCRIPT" "$SRC_CFG"
) >"$DEST_CFG.tmp"
mv "$DEST_CFG.tmp" "$DEST_CFG"

if grep -q 'REPLACE_ANNOUNCE[0-9]' "$DEST_CFG"; then
    echo "haproxy_init: warning: $DEST_CFG still has REPLACE_ANNOUNCE tokens beyond replicas ($REPLICAS)" >&2
fi

if [ -n "${HAPROXY_CLIENT_CERT:-}" ]; then
    (
        umask 077
        {
            cat "$HAPROXY_CLIENT_CERT"
            echo
            cat "${HAPROXY_CLIENT_KEY:?HAPROXY_CLIENT_KEY must be set with HAPROXY_CLIENT_CERT}"
        } >"$DEST_DIR/redis-client.pem"
    )
    echo "haproxy_init: wrote $DEST_DIR/redis-client.pem"
fi

echo "haproxy_init: wrote $DEST_CFG"
