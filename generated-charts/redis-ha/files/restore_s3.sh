#!/bin/sh
# Restores /data/dump.rdb from S3 before redis first starts (init container `restore-s3`, image
# s3cmd/s3cmd). The previous dump, if any, is kept as /data/dump.rdb_orig.
# Environment: RESTORE_SOURCE (s3://bucket/key), RESTORE_TIMEOUT (seconds), RESTORE_REGION
# (optional), and the credentials s3cmd reads (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
# Exit status: 0 when restored, non-zero otherwise (the pod does not start on missing data).
set -eu
# `timeout SECONDS`: the form every current image accepts (old BusyBox wanted a -t flag).
if [ -n "${RESTORE_REGION:-}" ]; then
  timeout "$RESTORE_TIMEOUT" s3cmd get --region "$RESTORE_REGION" --force "$RESTORE_SOURCE" /data/dump.rdb_
else
  timeout "$RESTORE_TIMEOUT" s3cmd get --force "$RESTORE_SOURCE" /data/dump.rdb_
fi
if [ ! -s /data/dump.rdb_ ]; then
  echo "restore-s3: downloaded file is empty" >&2
  exit 1
fi
if [ -s /data/dump.rdb ]; then cp /data/dump.rdb /data/dump.rdb_orig; fi
mv /data/dump.rdb_ /data/dump.rdb
echo "restore-s3: /data/dump.rdb restored" >&2
