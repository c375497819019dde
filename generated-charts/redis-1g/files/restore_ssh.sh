#!/bin/sh
# Restores /data/dump.rdb over scp before redis first starts (init container `restore-ssh`,
# image lgatica/openssh-client). The previous dump, if any, is kept as /data/dump.rdb_orig.
# Environment: RESTORE_SOURCE (user@host:path), RESTORE_TIMEOUT (seconds), SSH_KEY (the private
# key, from the restore Secret).
# Exit status: 0 when restored, non-zero otherwise (the pod does not start on missing data).
set -eu
key="${TMPDIR:-/tmp}/restore-ssh-key"
rm -f "$key"
# The key may arrive with literal \n sequences (a one-line value); %b expands them.
printf '%b\n' "$SSH_KEY" >"$key"
chmod 400 "$key"
timeout "$RESTORE_TIMEOUT" scp -i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
  "$RESTORE_SOURCE" /data/dump.rdb_
rm -f "$key"
if [ ! -s /data/dump.rdb_ ]; then
  echo "restore-ssh: downloaded file is empty" >&2
  exit 1
fi
if [ -s /data/dump.rdb ]; then cp /data/dump.rdb /data/dump.rdb_orig; fi
mv /data/dump.rdb_ /data/dump.rdb
echo "restore-ssh: /data/dump.rdb restored" >&2
