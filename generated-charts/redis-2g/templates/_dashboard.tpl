{{/*
The Grafana dashboard of the group: its panels as YAML (title, unit, targets), turned into
Grafana's JSON by redis-ha.dashboard. Queries select one group by the dashboard's variables:
$namespace and $release (the Prometheus job, i.e. the Service the ServiceMonitor scrapes:
<fullname> for Redis, <fullname>-haproxy for HAProxy).
*/}}
{{- define "redis-ha.dashboardPanels" -}}
{{- $r := `namespace="$namespace",job="$release"` -}}
{{- $h := `namespace="$namespace",job="$release-haproxy"` -}}
{{- $limit := include "redis-ha.quantityBytes" (dig "limits" "memory" "" (.Values.redis.resources | default dict)) -}}
{{- $window := .Values.prometheusRule.defaultRules.eventWindow -}}
panels:
  - title: Role per pod (1 = master, 0 = replica)
    unit: none
    targets:
      - expr: 'max by (pod) (redis_instance_info{ {{- $r }},role="master"}) or max by (pod) (redis_instance_info{ {{- $r }},role="slave"}) * 0'
        legend: '{{`{{pod}}`}}'
  - title: Replicas connected to the master, replica links up
    unit: none
    targets:
      - expr: 'max by (pod) (redis_connected_slaves{ {{- $r }}} and on (pod) redis_instance_info{ {{- $r }},role="master"})'
        legend: '{{`{{pod}}`}} replicas'
      - expr: 'max by (pod) (redis_master_link_up{ {{- $r }}})'
        legend: '{{`{{pod}}`}} link up'
  - title: Replication lag (bytes behind the master)
    unit: bytes
    targets:
      - expr: 'max by (pod) (redis_master_repl_offset{ {{- $r }}}) - on (pod) group_right max by (pod, slave_ip) (redis_connected_slave_offset_bytes{ {{- $r }}})'
        legend: '{{`{{slave_ip}}`}} behind {{`{{pod}}`}}'
  - title: Memory used vs maxmemory vs container limit
    unit: bytes
    targets:
      - expr: 'max by (pod) (redis_memory_used_bytes{ {{- $r }}})'
        legend: '{{`{{pod}}`}} used'
      - expr: 'max by (pod) (redis_memory_used_rss_bytes{ {{- $r }}})'
        legend: '{{`{{pod}}`}} RSS'
      - expr: 'max(redis_memory_max_bytes{ {{- $r }}})'
        legend: maxmemory
      {{- if $limit }}
      - expr: 'max(redis_up{ {{- $r }}}) * {{ $limit }}'
        legend: container limit
      {{- end }}
  - title: Commands per second
    unit: ops
    targets:
      - expr: 'sum by (pod) (rate(redis_commands_processed_total{ {{- $r }}}[$__rate_interval]))'
        legend: '{{`{{pod}}`}}'
  - title: Keyspace hit ratio
    unit: percentunit
    targets:
      - expr: 'sum by (pod) (rate(redis_keyspace_hits_total{ {{- $r }}}[$__rate_interval])) / (sum by (pod) (rate(redis_keyspace_hits_total{ {{- $r }}}[$__rate_interval])) + sum by (pod) (rate(redis_keyspace_misses_total{ {{- $r }}}[$__rate_interval])))'
        legend: '{{`{{pod}}`}}'
  - title: Evicted keys per second
    unit: ops
    targets:
      - expr: 'sum by (pod) (rate(redis_evicted_keys_total{ {{- $r }}}[$__rate_interval]))'
        legend: '{{`{{pod}}`}}'
  - title: Connected clients, rejected connections per second
    unit: short
    targets:
      - expr: 'max by (pod) (redis_connected_clients{ {{- $r }}})'
        legend: '{{`{{pod}}`}} clients'
      - expr: 'sum by (pod) (rate(redis_rejected_connections_total{ {{- $r }}}[$__rate_interval]))'
        legend: '{{`{{pod}}`}} rejected/s'
  - title: Failovers (pods that became master in the last {{ $window }})
    unit: none
    targets:
      - expr: 'count(max by (pod) (redis_instance_info{ {{- $r }},role="master"}) unless on (pod) max by (pod) (redis_instance_info{ {{- $r }},role="master"} offset {{ $window }}) and on () max(max_over_time(redis_instance_info{ {{- $r }},role="master"}[{{ $window }}] offset {{ $window }}))) or on () (max(redis_up{ {{- $r }}}) * 0)'
        legend: failovers
  {{- if and .Values.haproxy.enabled .Values.haproxy.metrics.enabled }}
  - title: HAProxy master backend (servers up; 0 = clients cannot write)
    unit: none
    targets:
      - expr: 'max by (pod) (haproxy_backend_active_servers{ {{- $h }},proxy="bk_redis_master"})'
        legend: '{{`{{pod}}`}}'
  - title: HAProxy master backend server state (1 = up)
    unit: none
    targets:
      - expr: 'max by (server) (haproxy_server_status{ {{- $h }},proxy="bk_redis_master",state="UP"})'
        legend: '{{`{{server}}`}}'
  - title: HAProxy client sessions
    unit: short
    targets:
      - expr: 'sum by (proxy) (haproxy_frontend_current_sessions{ {{- $h }}})'
        legend: '{{`{{proxy}}`}}'
  {{- end }}
{{- end -}}

{{/* The dashboard as Grafana JSON (deterministic: Helm writes map keys sorted). */}}
{{- define "redis-ha.dashboard" -}}
{{- $name := include "redis-ha.fullname" . -}}
{{- $ds := dict "type" "prometheus" "uid" "${datasource}" -}}
{{- $panels := list -}}
{{- range $i, $p := (include "redis-ha.dashboardPanels" . | fromYaml).panels -}}
{{- $targets := list -}}
{{- range $j, $t := $p.targets -}}
{{- $targets = append $targets (dict "datasource" $ds "expr" $t.expr "legendFormat" $t.legend "refId" (index (list "A" "B" "C" "D" "E") $j)) -}}
{{- end -}}
{{- $panels = append $panels (dict
  "id" (add1 $i) "type" "timeseries" "title" $p.title "datasource" $ds "targets" $targets
  "gridPos" (dict "h" 8 "w" 12 "x" (mul (mod $i 2) 12) "y" (mul (div $i 2) 8))
  "fieldConfig" (dict "defaults" (dict "unit" $p.unit) "overrides" list)
  "options" (dict "legend" (dict "displayMode" "list" "placement" "bottom" "showLegend" true) "tooltip" (dict "mode" "multi" "sort" "none"))) -}}
{{- end -}}
{{- $var := dict "datasource" $ds "refresh" 2 "type" "query" "includeAll" false "multi" false -}}
{{- $templating := list
  (dict "name" "datasource" "label" "Data source" "type" "datasource" "query" "prometheus" "current" dict)
  (merge (dict "name" "namespace" "label" "Namespace" "query" (dict "query" "label_values(redis_up, namespace)" "refId" "namespace") "definition" "label_values(redis_up, namespace)" "current" (dict "text" .Release.Namespace "value" .Release.Namespace)) $var)
  (merge (dict "name" "release" "label" "Release (job)" "query" (dict "query" "label_values(redis_up{namespace=\"$namespace\"}, job)" "refId" "release") "definition" "label_values(redis_up{namespace=\"$namespace\"}, job)" "current" (dict "text" $name "value" $name)) $var) -}}
{{- $dashboard := dict
  "uid" (printf "%s/%s" .Release.Namespace $name | sha256sum | trunc 12)
  "title" (printf "Redis HA %s/%s" .Release.Namespace $name)
  "tags" (list "redis" "redis-ha")
  "editable" true "schemaVersion" 39 "refresh" "30s" "timezone" ""
  "time" (dict "from" "now-1h" "to" "now")
  "templating" (dict "list" $templating)
  "panels" $panels -}}
{{- toPrettyJson $dashboard -}}
{{- end -}}
