{{/*
HAProxy helpers and the haproxy.cfg rendering.

HAProxy sends clients to the redis pod that (a) reports role:master itself and
(b) is named master by at least sentinel.quorum sentinels. haproxy_init.sh replaces
every REPLACE_ANNOUNCE<i> token with the address of <fullname>-announce-<i> at pod
start ("[addr]:" where a port follows and the address is IPv6).
*/}}

{{/* Selector labels of the HAProxy pods (Deployment selector: immutable, keep as is). */}}
{{- define "redis-ha.haproxy.selectorLabels" -}}
app: {{ include "redis-ha.name" . }}-haproxy
release: {{ .Release.Name | quote }}
{{- end -}}

{{/* ServiceAccount used by the HAProxy pods. */}}
{{- define "redis-ha.haproxy.serviceAccountName" -}}
{{- if .Values.haproxy.serviceAccount.create -}}
{{ include "redis-ha.serviceAccountName" . }}-haproxy
{{- else -}}
{{ .Values.haproxy.serviceAccountName }}
{{- end -}}
{{- end -}}

{{/* Port HAProxy dials on redis pods: redis.port, or redis.tlsPort in TLS-only mode
     (upstream always dialled redis.port, i.e. ":0" in plaintext with TLS-only redis). */}}
{{- define "redis-ha.haproxy.redisPort" -}}
{{- if ne (int .Values.redis.port) 0 -}}
{{ int .Values.redis.port }}
{{- else if .Values.redis.tlsPort -}}
{{ int .Values.redis.tlsPort }}
{{- else -}}
{{- fail "haproxy.enabled needs a redis port: redis.port is 0 and redis.tlsPort is not set" -}}
{{- end -}}
{{- end -}}

{{/* Port HAProxy dials on sentinels: sentinel.port, or sentinel.tlsPort in TLS-only mode
     (upstream hard-coded 26379). */}}
{{- define "redis-ha.haproxy.sentinelPort" -}}
{{- if ne (int .Values.sentinel.port) 0 -}}
{{ int .Values.sentinel.port }}
{{- else if .Values.sentinel.tlsPort -}}
{{ int .Values.sentinel.tlsPort }}
{{- else -}}
{{- fail "haproxy.enabled needs a sentinel port: sentinel.port is 0 and sentinel.tlsPort is not set" -}}
{{- end -}}
{{- end -}}

{{/* "true" when HAProxy talks TLS to redis (redis.port 0). */}}
{{- define "redis-ha.haproxy.redisTls" -}}
{{- if eq (int .Values.redis.port) 0 }}true{{ end -}}
{{- end -}}

{{/* "true" when HAProxy talks TLS to sentinels (sentinel.port 0). */}}
{{- define "redis-ha.haproxy.sentinelTls" -}}
{{- if eq (int .Values.sentinel.port) 0 }}true{{ end -}}
{{- end -}}

{{/* "true" when the HAProxy pod needs the redis TLS files. */}}
{{- define "redis-ha.haproxy.backendTls" -}}
{{- if or (include "redis-ha.haproxy.redisTls" .) (include "redis-ha.haproxy.sentinelTls" .) }}true{{ end -}}
{{- end -}}

{{/* "true" when a TLS backend requires a client certificate (authClients is not "no"). */}}
{{- define "redis-ha.haproxy.clientCert" -}}
{{- $redis := and (include "redis-ha.haproxy.redisTls" .) (ne (toString .Values.redis.authClients) "no") -}}
{{- $sentinel := and (include "redis-ha.haproxy.sentinelTls" .) (ne (toString .Values.sentinel.authClients) "no") -}}
{{- if or $redis $sentinel }}true{{ end -}}
{{- end -}}

{{/* Combined client cert+key PEM written by haproxy_init.sh (HAProxy's `crt` wants one file). */}}
{{- define "redis-ha.haproxy.clientPemPath" -}}
/usr/local/etc/haproxy/redis-client.pem
{{- end -}}

{{/*
TLS options of a server line. Input: dict "authClients" <value> "root" $.
Checks go through TLS too (check-ssl). The server certificate chain is verified
against tls.caCertFile; without a CA file verification is off.
*/}}
{{- define "redis-ha.haproxy.serverTlsOptions" -}}
{{- $root := .root -}}
{{- print " ssl check-ssl" -}}
{{- if $root.Values.tls.caCertFile -}}
{{- printf " verify required ca-file /tls-certs/%s" $root.Values.tls.caCertFile -}}
{{- else -}}
{{- print " verify none" -}}
{{- end -}}
{{- if ne (toString .authClients) "no" -}}
{{- printf " crt %s" (include "redis-ha.haproxy.clientPemPath" $root) -}}
{{- end -}}
{{- end -}}

{{/* Address part of a bind line. Input: dict "port" <port> "root" $. */}}
{{- define "redis-ha.haproxy.bind" -}}
{{- if .root.Values.haproxy.IPv6.enabled -}}
{{- printf "[::]:%d v4v6" (int .port) -}}
{{- else -}}
{{- printf ":%d" (int .port) -}}
{{- end -}}
{{- end -}}

{{/* Redis health check steps. Input: dict "role" "master"|"slave" "root" $. */}}
{{- define "redis-ha.haproxy.redisCheck" -}}
{{- $root := .root -}}
option tcp-check
tcp-check connect{{ if include "redis-ha.haproxy.redisTls" $root }} ssl{{ end }}
{{- if $root.Values.auth }}
tcp-check send "AUTH ${AUTH}"\r\n
tcp-check expect string +OK
{{- end }}
tcp-check send PING\r\n
tcp-check expect string +PONG
{{- /* QUIT is pipelined so redis closes the connection after the INFO reply: a wrong role
       then fails the check at once instead of after timeout.check (upstream waited for it). */}}
tcp-check send info\ replication\r\nQUIT\r\n
tcp-check expect string role:{{ .role }}
{{- end -}}

{{/* Redis server lines of bk_redis_master / bk_redis_slave. */}}
{{- define "redis-ha.haproxy.redisServers" -}}
{{- $root := . -}}
{{- $port := include "redis-ha.haproxy.redisPort" . -}}
{{- $tls := "" -}}
{{- if include "redis-ha.haproxy.redisTls" . -}}
{{- $tls = include "redis-ha.haproxy.serverTlsOptions" (dict "authClients" .Values.redis.authClients "root" .) -}}
{{- end -}}
{{- /* observe layer4 + on-error mark-down: a connection refused by a redis that just stopped
       (the old master at the end of a hand-over, a crashed pod) marks it down at once
       instead of at its next check; podsim measured graceful windows about 300 ms shorter.
       on-marked-down shutdown-sessions: a server marked down (a demoted master reports
       role:slave) loses its open sessions, so clients reconnect to the new master instead
       of writing to a replica (upstream kept them until they timed out). */}}
{{- range $i := until (int (toString .Values.replicas)) }}
  server R{{ $i }} REPLACE_ANNOUNCE{{ $i }}:{{ $port }} check inter {{ $root.Values.haproxy.checkInterval }} fall {{ $root.Values.haproxy.checkFall }} rise 1 observe layer4 error-limit 1 on-error mark-down on-marked-down shutdown-sessions{{ $tls }}
{{- end }}
{{- end -}}

{{/* Threads for HAProxy's CPU limit: the limit in cores, rounded up (250m -> 1, 1500m -> 2);
     empty without a CPU limit. */}}
{{- define "redis-ha.haproxy.threads" -}}
{{- $cpu := "" -}}
{{- with .Values.haproxy.resources -}}{{- with .limits -}}{{- $cpu = toString (.cpu | default "") -}}{{- end -}}{{- end -}}
{{- if $cpu -}}
{{- if hasSuffix "m" $cpu -}}
{{- max 1 (div (add (int64 (trimSuffix "m" $cpu)) 999) 1000) -}}
{{- else -}}
{{- max 1 (int64 (ceil (float64 $cpu))) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The complete haproxy.cfg. */}}
{{- define "redis-ha.haproxyConfig" -}}
{{- if .Values.haproxy.customConfig -}}
{{ tpl .Values.haproxy.customConfig . }}
{{- else -}}
{{- $root := . -}}
{{- $replicas := int (toString .Values.replicas) -}}
{{- $quorum := int (toString .Values.sentinel.quorum) -}}
{{- $group := include "redis-ha.masterGroupName" . -}}
{{- $sentinelPort := include "redis-ha.haproxy.sentinelPort" . -}}
{{- $sentinelTls := "" -}}
{{- if include "redis-ha.haproxy.sentinelTls" . -}}
{{- $sentinelTls = include "redis-ha.haproxy.serverTlsOptions" (dict "authClients" .Values.sentinel.authClients "root" .) -}}
{{- end -}}
# Generated by the redis-ha chart. REPLACE_ANNOUNCE<i> tokens are replaced by
# haproxy_init.sh with the address of {{ include "redis-ha.fullname" . }}-announce-<i>.
{{- with (include "redis-ha.haproxy.threads" .) }}
global
  # One thread per core of the container's CPU limit (HAProxy counts the node's cores).
  nbthread {{ . }}
{{- end }}

defaults REDIS
  mode tcp
  timeout connect {{ .Values.haproxy.timeout.connect }}
  timeout server {{ .Values.haproxy.timeout.server }}
  timeout client {{ .Values.haproxy.timeout.client }}
  timeout check {{ .Values.haproxy.timeout.check }}
  timeout tunnel {{ .Values.haproxy.timeout.tunnel }}

# Liveness/readiness of the HAProxy process only (probes on :8888/healthz).
listen health_check_http_url
  bind {{ include "redis-ha.haproxy.bind" (dict "port" 8888 "root" .) }}
  mode http
  monitor-uri /healthz
  option dontlognull
{{- range $i := until $replicas }}

# UP servers of this backend = sentinels that currently name pod {{ $i }} as master.
backend check_if_redis_is_master_{{ $i }}
  mode tcp
  option tcp-check
  tcp-check connect{{ if $sentinelTls }} ssl{{ end }}
  {{- if $root.Values.sentinel.auth }}
  tcp-check send "AUTH ${SENTINELAUTH}"\r\n
  tcp-check expect string +OK
  {{- end }}
  tcp-check send PING\r\n
  tcp-check expect string +PONG
  tcp-check send SENTINEL\ get-master-addr-by-name\ {{ $group }}\r\n
  {{- /* The reply is a RESP bulk string: match it with its \n...\r\n framing so
         that 10.0.0.1 does not also match 10.0.0.10 (upstream matched a bare substring). */}}
  tcp-check expect string \nREPLACE_ANNOUNCE{{ $i }}\r\n
  {{- /* Sentinel 7.0 answers QUIT with "unknown command", so no reply is expected. */}}
  tcp-check send QUIT\r\n
  {{- /* Upstream dialled a hard-coded :26379 here, ignoring sentinel.port and TLS-only sentinels. */}}
  {{- range $j := until $replicas }}
  server R{{ $j }} REPLACE_ANNOUNCE{{ $j }}:{{ $sentinelPort }} check inter {{ $root.Values.haproxy.checkInterval }}{{ $sentinelTls }}
  {{- end }}
{{- end }}

frontend ft_redis_master
  {{- if .Values.haproxy.tls.enabled }}
  bind {{ include "redis-ha.haproxy.bind" (dict "port" .Values.haproxy.containerPort "root" .) }} ssl crt {{ .Values.haproxy.tls.certMountPath }}{{ .Values.haproxy.tls.keyName | default "" }}
  {{- else }}
  {{- /* Upstream bound redis.port here while the Service targets haproxy.containerPort. */}}
  bind {{ include "redis-ha.haproxy.bind" (dict "port" .Values.haproxy.containerPort "root" .) }}
  {{- end }}
  use_backend bk_redis_master
{{- if .Values.haproxy.readOnly.enabled }}

frontend ft_redis_slave
  bind {{ include "redis-ha.haproxy.bind" (dict "port" .Values.haproxy.readOnly.port "root" .) }}
  use_backend bk_redis_slave
{{- end }}

# Servers that report role:master; prefer the one enough sentinels agree on. A connection
# that fails is retried on another master-role server, if any, instead of the same one.
backend bk_redis_master
  mode tcp
  retries 2
  option redispatch 1
  {{- if .Values.haproxy.stickyBalancing }}
  balance source
  hash-type consistent
  {{- end }}
  {{- include "redis-ha.haproxy.redisCheck" (dict "role" "master" "root" .) | nindent 2 }}
  {{- /* Upstream hard-coded "ge 2" agreeing sentinels instead of sentinel.quorum. */}}
  {{- range $i := until $replicas }}
  use-server R{{ $i }} if { srv_is_up(R{{ $i }}) } { nbsrv(check_if_redis_is_master_{{ $i }}) ge {{ $quorum }} }
  {{- end }}
  {{- include "redis-ha.haproxy.redisServers" . }}
{{- if .Values.haproxy.readOnly.enabled }}

# Replicas only (role:slave).
backend bk_redis_slave
  mode tcp
  {{- if .Values.haproxy.stickyBalancing }}
  balance source
  hash-type consistent
  {{- end }}
  {{- include "redis-ha.haproxy.redisCheck" (dict "role" "slave" "root" .) | nindent 2 }}
  {{- include "redis-ha.haproxy.redisServers" . }}
{{- end }}
{{- if .Values.haproxy.metrics.enabled }}

frontend stats
  mode http
  bind {{ include "redis-ha.haproxy.bind" (dict "port" .Values.haproxy.metrics.port "root" .) }}
  http-request use-service prometheus-exporter if { path {{ .Values.haproxy.metrics.scrapePath }} }
  stats enable
  stats uri /stats
  stats refresh 10s
{{- end }}
{{- if .Values.haproxy.extraConfig }}

# haproxy.extraConfig
{{ .Values.haproxy.extraConfig }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
NetworkPolicy port list of the redis pods: the redis and sentinel ports that are
served (plain and TLS; a 0 or unset port is skipped, where upstream wrote port 0).
Input: dict "exporter" <bool> "root" $; the exporter port is added when asked and enabled.
*/}}
{{- define "redis-ha.haproxy.redisPodPorts" -}}
{{- $v := .root.Values -}}
{{- $ports := list -}}
{{- if ne (int $v.redis.port) 0 }}{{ $ports = append $ports (int $v.redis.port) }}{{ end -}}
{{- if $v.redis.tlsPort }}{{ $ports = append $ports (int $v.redis.tlsPort) }}{{ end -}}
{{- if ne (int $v.sentinel.port) 0 }}{{ $ports = append $ports (int $v.sentinel.port) }}{{ end -}}
{{- if $v.sentinel.tlsPort }}{{ $ports = append $ports (int $v.sentinel.tlsPort) }}{{ end -}}
{{- if and .exporter $v.exporter.enabled }}{{ $ports = append $ports (int $v.exporter.port) }}{{ end -}}
{{- range $port := $ports | uniq }}
- port: {{ $port }}
  protocol: TCP
{{- end }}
{{- end -}}

{{/* NetworkPolicy port list of the HAProxy pods: every port HAProxy listens on for clients. */}}
{{- define "redis-ha.haproxy.listenPorts" -}}
{{- $h := .Values.haproxy -}}
{{- $ports := list (int $h.containerPort) -}}
{{- if $h.readOnly.enabled }}{{ $ports = append $ports (int $h.readOnly.port) }}{{ end -}}
{{- if $h.metrics.enabled }}{{ $ports = append $ports (int $h.metrics.port) }}{{ end -}}
{{- range $h.additionalPorts }}{{ $ports = append $ports (int .containerPort) }}{{ end -}}
{{- range $port := $ports | uniq }}
- port: {{ $port }}
  protocol: TCP
{{- end }}
{{- end -}}

{{/* Labels of the HAProxy helm-test pod (deliberately not app: <name>, so no Service,
     StatefulSet or PDB selector of the chart picks it up). */}}
{{- define "redis-ha.haproxy.testPodLabels" -}}
app: {{ include "redis-ha.name" . }}-service-test
release: {{ .Release.Name | quote }}
{{- end -}}

