{{/*
redis.conf and sentinel.conf templates. init.sh copies them to /data/conf and appends the
replication / monitor lines at pod start (see files/init.sh).
*/}}

{{/*
One config value as Redis expects it. Upstream printed Go values raw, so YAML booleans became
true/false (Redis wants yes/no) and whole numbers read as float64 became 1e+06 (Redis refuses
both); here booleans render as yes/no, whole numbers as plain digits, "" as "" (e.g. save "").
*/}}
{{- define "redis-ha.confValue" -}}
{{- $v := . -}}
{{- if kindIs "bool" $v -}}
{{- ternary "yes" "no" $v -}}
{{- else if or (kindIs "float64" $v) (kindIs "float32" $v) -}}
{{- if eq (float64 $v) (floor $v) -}}
{{- printf "%.0f" (float64 $v) -}}
{{- else -}}
{{- $v -}}
{{- end -}}
{{- else if kindIs "invalid" $v -}}
""
{{- else -}}
{{- $s := toString $v -}}
{{- if eq $s "" -}}
""
{{- else -}}
{{- $s -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "key value" lines for one directive; a list renders one line per item. Params: key, value. */}}
{{- define "redis-ha.confLines" -}}
{{- $key := .key -}}
{{- if kindIs "slice" .value -}}
{{- range .value }}
{{ $key }} {{ include "redis-ha.confValue" . }}
{{- end -}}
{{- else }}
{{ $key }} {{ include "redis-ha.confValue" .value }}
{{- end -}}
{{- end -}}

{{/*
TLS certificate directives shared by redis.conf and sentinel.conf. Params: root, authClients,
userConfig (the user's config map: directives present there are not generated twice).
*/}}
{{- define "redis-ha.tlsFileLines" -}}
{{- $v := .root.Values -}}
{{- $user := .userConfig | default dict -}}
{{- if not (hasKey $user "tls-cert-file") }}
tls-cert-file "/tls-certs/{{ $v.tls.certFile }}"
{{- end -}}
{{- if not (hasKey $user "tls-key-file") }}
tls-key-file "/tls-certs/{{ $v.tls.keyFile }}"
{{- end -}}
{{- if and $v.tls.dhParamsFile (not (hasKey $user "tls-dh-params-file")) }}
tls-dh-params-file "/tls-certs/{{ $v.tls.dhParamsFile }}"
{{- end -}}
{{- if and $v.tls.caCertFile (not (hasKey $user "tls-ca-cert-file")) }}
tls-ca-cert-file "/tls-certs/{{ $v.tls.caCertFile }}"
{{- end -}}
{{- if and (eq (toString (default "yes" .authClients)) "no") (not (hasKey $user "tls-auth-clients")) }}
tls-auth-clients no
{{- end -}}
{{- end -}}

{{/* Static redis.conf (init.sh appends replicaof / announce lines). */}}
{{- define "redis-ha.redisConf" -}}
{{- if .Values.redis.customConfig -}}
{{- tpl (toString .Values.redis.customConfig) . | trim }}
{{- else -}}
{{- $user := .Values.redis.config | default dict -}}
dir "/data"
port {{ int64 (toString .Values.redis.port) }}
{{- /* Upstream gated these on sentinel.tlsPort: a redis.tlsPort alone served no TLS and a
sentinel.tlsPort alone rendered an empty `tls-port`. They now follow redis.tlsPort. */}}
{{- if .Values.redis.tlsPort }}
{{- if not (hasKey $user "tls-port") }}
tls-port {{ int64 (toString .Values.redis.tlsPort) }}
{{- end }}
{{- include "redis-ha.tlsFileLines" (dict "root" . "authClients" .Values.redis.authClients "userConfig" $user) }}
{{- if not (hasKey $user "tls-replication") }}
{{- /* With redis.port 0 replicas can only reach the master over TLS. */}}
tls-replication {{ ternary "yes" "no" (or (not (empty .Values.redis.tlsReplication)) (eq (int64 (toString .Values.redis.port)) 0)) }}
{{- end }}
{{- end }}
{{- range .Values.redis.disableCommands }}
rename-command {{ . }} ""
{{- end }}
{{- range $key, $value := $user }}
{{- include "redis-ha.confLines" (dict "key" $key "value" $value) }}
{{- end }}
{{- /* Redis's default backlog (1mb) holds a few seconds of writes, so nearly every pod
       restart needed a full sync. This is model::timing::base_repl_backlog() (a chartgen test
       keeps them equal); the sized variants set theirs in redis.config, from maxmemory. */}}
{{- if not (hasKey $user "repl-backlog-size") }}
repl-backlog-size 16mb
{{- end }}
{{- if .Values.auth }}
requirepass "replace-default-auth"
masterauth "replace-default-auth"
{{- end }}
{{- end }}
{{- end -}}

{{/* Static sentinel.conf (init.sh prepends myid / monitor and appends announce lines). */}}
{{- define "redis-ha.sentinelConf" -}}
{{- if .Values.sentinel.customConfig -}}
{{- tpl (toString .Values.sentinel.customConfig) . | trim }}
{{- else -}}
{{- $group := include "redis-ha.masterGroupName" . -}}
{{- $user := .Values.sentinel.config | default dict -}}
dir "/data"
port {{ int64 (toString .Values.sentinel.port) }}
{{- if .Values.sentinel.bind }}
bind {{ .Values.sentinel.bind }}
{{- end }}
{{- if .Values.sentinel.resolveHostnames }}
sentinel resolve-hostnames yes
{{- end }}
{{- if .Values.sentinel.announceHostnames }}
sentinel announce-hostnames yes
{{- end }}
{{- /* Upstream rendered an empty `tls-port` here when only redis.tlsPort was set; the port
line follows sentinel.tlsPort, the certificate lines are also needed to reach a TLS redis. */}}
{{- if .Values.sentinel.tlsPort }}
tls-port {{ int64 (toString .Values.sentinel.tlsPort) }}
{{- end }}
{{- /* Sentinel reaches redis over TLS with sentinel.tlsReplication, or when redis has no
plain port at all. */}}
{{- $sentinelTlsToRedis := and .Values.redis.tlsPort (or .Values.sentinel.tlsReplication (eq (int64 (toString .Values.redis.port)) 0)) }}
{{- if or .Values.sentinel.tlsPort $sentinelTlsToRedis }}
{{- include "redis-ha.tlsFileLines" (dict "root" . "authClients" .Values.sentinel.authClients "userConfig" (dict)) }}
tls-replication {{ ternary "yes" "no" (not (empty $sentinelTlsToRedis)) }}
{{- end }}
{{- /* Sentinel-wide options take no master group; upstream put the group in front of every
key, so `resolve-hostnames: "yes"` here became a fatal `sentinel resolve-hostnames mymaster yes`. */}}
{{- $global := list "resolve-hostnames" "announce-hostnames" "deny-scripts-reconfig" "sentinel-user" "sentinel-pass" }}
{{- range $key, $value := $user }}
{{- if eq $key "maxclients" }}
maxclients {{ include "redis-ha.confValue" $value }}
{{- else if has $key $global }}
sentinel {{ $key }} {{ include "redis-ha.confValue" $value }}
{{- else if kindIs "slice" $value }}
{{- range $value }}
sentinel {{ $key }} {{ $group }} {{ include "redis-ha.confValue" . }}
{{- end }}
{{- else }}
sentinel {{ $key }} {{ $group }} {{ include "redis-ha.confValue" $value }}
{{- end }}
{{- end }}
{{- /* A master that restarted and is still loading its data after this long is failed
       over instead of waited for (Redis 7.0+, Valkey); the same tolerance as down-after. */}}
{{- if and (include "redis-ha.sentinelKnowsRebootPeriod" .) (not (hasKey $user "master-reboot-down-after-period")) }}
sentinel master-reboot-down-after-period {{ $group }} {{ include "redis-ha.confValue" (index $user "down-after-milliseconds" | default 30000) }}
{{- end }}
{{- if .Values.auth }}
sentinel auth-pass {{ $group }} "replace-default-auth"
{{- end }}
{{- if .Values.sentinel.auth }}
requirepass "replace-default-sentinel-auth"
{{- end }}
{{- end }}
{{- end -}}
