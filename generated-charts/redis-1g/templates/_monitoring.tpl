{{/*
Helpers of the alerts, the ServiceMonitors and the dashboard.
*/}}

{{/*
PromQL label matchers of this release's targets. The ServiceMonitors scrape one Service each,
and the Prometheus Operator names the job after the Service (no Service carries a label named
like the ServiceMonitor's jobLabel) and labels every target with its namespace.
*/}}
{{- define "redis-ha.redisTargets" -}}
namespace="{{ .Release.Namespace }}",job="{{ include "redis-ha.fullname" . }}"
{{- end -}}
{{- define "redis-ha.haproxyTargets" -}}
namespace="{{ .Release.Namespace }}",job="{{ include "redis-ha.fullname" . }}-haproxy"
{{- end -}}

{{/* Seconds of a one-unit Prometheus duration ("30s", "5m", "1h"; the schema allows no other). */}}
{{- define "redis-ha.durationSeconds" -}}
{{- $d := toString . -}}
{{- $unit := dict "s" 1 "m" 60 "h" 3600 -}}
{{- $u := substr (int (sub (len $d) 1)) (len $d) $d -}}
{{- mul (int64 (trimSuffix $u $d)) (get $unit $u) -}}
{{- end -}}

{{/*
Bytes of a Kubernetes memory quantity ("2Gi", "1500M", "1073741824"); empty when it is empty.
Binary suffixes are tried first: "Mi" must not be read as "M" followed by junk.
*/}}
{{- define "redis-ha.quantityBytes" -}}
{{- $q := toString . | trim -}}
{{- $bytes := "" -}}
{{- if $q -}}
{{- range list (list "Ki" 1024.0) (list "Mi" 1048576.0) (list "Gi" 1073741824.0) (list "Ti" 1099511627776.0) (list "k" 1000.0) (list "M" 1000000.0) (list "G" 1000000000.0) (list "T" 1000000000000.0) -}}
{{- if and (not $bytes) (hasSuffix (index . 0) $q) -}}
{{- $bytes = mulf (float64 (trimSuffix (index . 0) $q)) (index . 1) | printf "%.0f" -}}
{{- end -}}
{{- end -}}
{{- if not $bytes -}}{{- $bytes = float64 $q | printf "%.0f" -}}{{- end -}}
{{- end -}}
{{- $bytes -}}
{{- end -}}

{{/*
The chart's alerts (prometheusRule.defaultRules), as a YAML list, without the disabled ones.
Prometheus' own templates in annotations are written as {{`{{ ... }}`}}.
*/}}
{{- define "redis-ha.defaultAlerts" -}}
{{- $d := .Values.prometheusRule.defaultRules -}}
{{- $r := include "redis-ha.redisTargets" . -}}
{{- $h := include "redis-ha.haproxyTargets" . -}}
{{- $name := include "redis-ha.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $window := $d.eventWindow -}}
{{- $alerts := list -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisDown" "severity" "critical" "for" $d.redisDownFor
  "expr" (printf "up{%s} == 0 or redis_up{%s} == 0" $r $r)
  "summary" (printf "Redis pod {{ $labels.pod }} of %s/%s is down" $ns $name)
  "runbook" "The exporter cannot reach Redis, or Prometheus cannot reach the exporter. Check the pod (kubectl describe pod; the redis container's logs, its restarts and OOMKilled status) and the node. One pod down leaves the group running on the others; bring it back before a second pod goes.") -}}
{{- $replicas := include "redis-ha.replicas" . -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisTooFewPods" "severity" "warning" "for" $d.redisDownFor
  "expr" (printf "(count(redis_up{%s} == 1) or on() vector(0)) < %s and on() count(up{%s}) > 0" $r $replicas $r)
  "summary" (printf "Only {{ $value }} of %s Redis pods of %s/%s are up" $replicas $ns $name)
  "runbook" "Fewer Redis pods answer than the StatefulSet has. A pod that is not ready leaves the headless Service, so Prometheus stops scraping it instead of seeing it down: check the StatefulSet's pods (kubectl get pods; describe the missing or not-ready ones: scheduling, volume, a long full sync or load). Losing the majority of the pods stops failovers.") -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisNoMaster" "severity" "critical" "for" $d.masterCountFor
  "expr" (printf "(count(redis_instance_info{%s,role=\"master\"}) or on() vector(0)) < 1 and on() count(redis_up{%s} == 1) > 0" $r $r)
  "summary" (printf "%s/%s has no Redis master: writes fail" $ns $name)
  "runbook" "No reachable pod reports role master. Ask the sentinels (redis-cli -p 26379 SENTINEL MASTERS on each pod) who the master is and whether they agree, and read their logs for failover attempts (+try-failover, -failover-abort-*). A failover needs a majority of the sentinels: bring back the missing pods.") -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisMultipleMasters" "severity" "critical" "for" $d.masterCountFor
  "expr" (printf "count(redis_instance_info{%s,role=\"master\"}) > 1" $r)
  "summary" (printf "%s/%s has {{ $value }} Redis masters (split brain)" $ns $name)
  "runbook" "More than one pod reports role master: clients of different pods may write different data, and one side's writes are lost when the group is rejoined. Find the master the sentinels agree on (SENTINEL GET-MASTER-ADDR-BY-NAME), then check the split-brain-fix container's logs on the other master; it repoints the pod within splitBrainDetection.interval. REPLICAOF the stray master by hand if it does not.") -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisReplicationBroken" "severity" "warning" "for" $d.replicationBrokenFor
  "expr" (printf "redis_master_link_up{%s} == 0" $r)
  "summary" (printf "Replica {{ $labels.pod }} of %s/%s has lost its master link" $ns $name)
  "runbook" "The replica cannot reach or sync from its master. Read the replica's log (connection refused, a full sync failing or being killed, the master's output buffer limit) and INFO replication on both sides. A replica that is down does not count for min-replicas-to-write; with none left the master refuses writes.") -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisReplicaLagging" "severity" "warning" "for" $d.replicaLagFor
  "expr" (printf "max by (namespace, pod) (redis_master_repl_offset{%s}) - on (namespace, pod) group_right max by (namespace, pod, slave_ip, slave_port) (redis_connected_slave_offset_bytes{%s}) > %v" $r $r (int64 $d.replicaLagBytes))
  "summary" (printf "A replica of {{ $labels.pod }} (%s/%s) is {{ $value | humanize1024 }}B behind" $ns $name)
  "runbook" "The replica processes the master's stream slower than it arrives (CPU, network or disk of the replica, or a very high write rate). Writes it has not received are lost if the master fails now. Check the replica pod's CPU throttling and the master's write rate; raise prometheusRule.defaultRules.replicaLagBytes if the lag is expected.") -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisMemoryNearMaxmemory" "severity" "warning" "for" $d.memoryFor
  "expr" (printf "redis_memory_used_bytes{%s} / (redis_memory_max_bytes{%s} > 0) * 100 > %v" $r $r (int $d.maxmemoryPercent))
  "summary" (printf "Redis {{ $labels.pod }} of %s/%s uses {{ $value | humanize }}%% of maxmemory" $ns $name)
  "runbook" "Redis is about to evict keys (allkeys-lru / volatile-*) or refuse writes with OOM errors (noeviction). If the data set is meant to grow, move to a bigger variant (a larger maxmemory and memory limit); otherwise find the keys that grew (redis-cli --bigkeys, MEMORY USAGE) and their TTLs.") -}}
{{- $limit := include "redis-ha.quantityBytes" (dig "limits" "memory" "" (.Values.redis.resources | default dict)) -}}
{{- if $limit -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisMemoryNearLimit" "severity" "critical" "for" $d.memoryFor
  "expr" (printf "redis_memory_used_rss_bytes{%s} / %s * 100 > %v" $r $limit (int $d.memoryLimitPercent))
  "summary" (printf "Redis {{ $labels.pod }} of %s/%s uses {{ $value | humanize }}%% of its container memory limit" $ns $name)
  "runbook" (printf "The redis process's resident memory is close to the container limit (%s bytes, redis.resources.limits.memory): the next fork (RDB save, full sync) or fragmentation gets it OOM-killed. Check mem_fragmentation_ratio and replica output buffers (INFO memory); raise the limit or lower maxmemory (chartlint's RHA117 gives the size needed)." $limit)) -}}
{{- end -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisEvictingKeys" "severity" "warning" "for" "0m"
  "expr" (printf "increase(redis_evicted_keys_total{%s}[%s]) > 0" $r $window)
  "summary" (printf "Redis {{ $labels.pod }} of %s/%s evicted {{ $value | humanize }} keys in %s" $ns $name $window)
  "runbook" "maxmemory is reached and the maxmemory-policy drops keys. Expected for a cache (disable this alert with prometheusRule.defaultRules.disabled); for data that must stay, use a bigger variant or find what grew.") -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisRejectingConnections" "severity" "warning" "for" "0m"
  "expr" (printf "increase(redis_rejected_connections_total{%s}[%s]) > 0" $r $window)
  "summary" (printf "Redis {{ $labels.pod }} of %s/%s refused {{ $value | humanize }} connections in %s" $ns $name $window)
  "runbook" "Redis refused clients because maxclients was reached. Look for a client leaking connections (CLIENT LIST grouped by addr/name); raise maxclients (redis.config) only with the file-descriptor limit in mind.") -}}
{{- /* A failover: a pod is the master now and was not one window ago, while the group had a
master in the window before that. A new group's first master is no failover, nor is the
first scrape of a group whose pods' first samples are a fraction of an interval apart. A pod
that was down one window ago and is promoted now is one: requiring a sample of that pod one
window ago delayed the alert by up to a window, and requiring a master at exactly one window
ago ended it early, one window after the old master's loss rather than the promotion
(podsim's monitoring scenario measured both). */}}
{{- $alerts = append $alerts (dict
  "alert" "RedisFailover" "severity" "warning" "for" "0m"
  "expr" (printf "max by (namespace, pod) (redis_instance_info{%s,role=\"master\"}) unless on (namespace, pod) max by (namespace, pod) (redis_instance_info{%s,role=\"master\"} offset %s) and on (namespace) max by (namespace) (max_over_time(redis_instance_info{%s,role=\"master\"}[%s] offset %s))" $r $r $window $r $window $window)
  "summary" (printf "{{ $labels.pod }} became the master of %s/%s (a failover in the last %s)" $ns $name $window)
  "runbook" "Sentinel promoted a replica: the old master's pod was lost, restarted, stopped for an update, or a failover was forced. Writes the old master acknowledged but had not replicated may be lost. Read the sentinels' logs (+switch-master, its reason) and the old master pod's events; the alert resolves on its own after prometheusRule.defaultRules.eventWindow.") -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisFullResync" "severity" "warning" "for" "0m"
  "expr" (printf "increase(redis_replica_resyncs_full{%s}[%s]) > 0 and on (namespace, pod) redis_uptime_in_seconds{%s} > %v" $r $window $r (mul 2 (include "redis-ha.durationSeconds" $window)))
  "summary" (printf "Master {{ $labels.pod }} of %s/%s served {{ $value | humanize }} full resyncs in %s" $ns $name $window)
  "runbook" "A replica could not continue the replication stream and copied the whole data set (fork, RDB transfer, load), which costs memory, CPU and network on both sides. Frequent ones mean the replication backlog (repl-backlog-size) is too small for the write rate and the replicas' downtime, or replicas keep restarting. Full syncs right after a pod starts are expected; this alert ignores a master's first two eventWindows of uptime.") -}}
{{- $alerts = append $alerts (dict
  "alert" "RedisRdbSaveFailed" "severity" "critical" "for" "0m"
  "expr" (printf "redis_rdb_last_bgsave_status{%s} == 0" $r)
  "summary" (printf "The last RDB save of {{ $labels.pod }} (%s/%s) failed" $ns $name)
  "runbook" "The background save failed: with stop-writes-on-bgsave-error yes (the default) Redis refuses writes until a save succeeds. Read the redis log (fork failed: memory; write error: a full or read-only volume), fix the cause and run BGSAVE.") -}}
{{- if .Values.haproxy.enabled -}}
{{- $alerts = append $alerts (dict
  "alert" "HaproxyNoMasterBackend" "severity" "critical" "for" $d.haproxyNoMasterFor
  "expr" (printf "haproxy_backend_active_servers{%s,proxy=\"bk_redis_master\"} == 0" $h)
  "summary" (printf "HAProxy {{ $labels.pod }} of %s/%s has no Redis master to send clients to" $ns $name)
  "runbook" "No Redis pod passes HAProxy's master check (role:master, named master by the sentinels): clients of the HAProxy Service cannot connect. Check RedisNoMaster / RedisMultipleMasters first, then the HAProxy pod's log and its stats page for the servers' check results.") -}}
{{- end -}}
{{- range $alerts }}
{{- if not (has .alert $d.disabled) }}
- alert: {{ .alert }}
  expr: {{ .expr | squote }}
  {{- if ne .for "0m" }}
  for: {{ .for }}
  {{- end }}
  labels:
    {{- toYaml (merge (deepCopy $d.labels) (dict "severity" .severity)) | nindent 4 }}
  annotations:
    summary: {{ .summary | quote }}
    runbook: {{ .runbook | quote }}
{{- end }}
{{- end }}
{{- end -}}
