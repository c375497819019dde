{{/*
Shared helpers of the redis-ha chart. Names, labels and ids produced here are part of the
upgrade contract with the public redis-ha chart (StatefulSet selectors are immutable, sentinel
ids must stay stable), so change them only with that in mind.
*/}}

{{/* Chart name: nameOverride or the chart's own name. */}}
{{- define "redis-ha.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Base name of every object: fullnameOverride, else the release name when it already contains
the chart name, else "<release>-<name>".
*/}}
{{- define "redis-ha.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "<name>-<version>" usable as a label value. */}}
{{- define "redis-ha.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* extraLabels, values always quoted. */}}
{{- define "redis-ha.extraLabels" -}}
{{- range $key, $value := .Values.extraLabels }}
{{ $key }}: {{ $value | toString | quote }}
{{- end -}}
{{- end -}}

{{/*
Standard metadata labels (the public chart's set plus the app.kubernetes.io ones).
Never use this as a selector: selectors stay {release, app} for upgrade compatibility.
*/}}
{{- define "redis-ha.labels" -}}
app: {{ include "redis-ha.name" . }}
heritage: {{ .Release.Service | quote }}
release: {{ .Release.Name | quote }}
chart: {{ include "redis-ha.chart" . }}
app.kubernetes.io/name: {{ include "redis-ha.name" . }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ include "redis-ha.chart" . }}
{{- include "redis-ha.extraLabels" . }}
{{- end -}}

{{/*
The public chart labels its ConfigMaps, the redis ServiceAccount and the restore Secret with
`app: <fullname>` instead of `app: <name>`; kept so label-based tooling keeps matching.
*/}}
{{- define "redis-ha.fullnameLabels" -}}
app: {{ include "redis-ha.fullname" . }}
heritage: {{ .Release.Service | quote }}
release: {{ .Release.Name | quote }}
chart: {{ include "redis-ha.chart" . }}
app.kubernetes.io/name: {{ include "redis-ha.name" . }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ include "redis-ha.chart" . }}
{{- include "redis-ha.extraLabels" . }}
{{- end -}}

{{/* Selector labels of the redis pods (immutable on existing StatefulSets). */}}
{{- define "redis-ha.selectorLabels" -}}
release: {{ .Release.Name }}
app: {{ include "redis-ha.name" . }}
{{- end -}}

{{/* Name of the redis ServiceAccount. */}}
{{- define "redis-ha.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "redis-ha.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Sentinel master group name (templated), validated because it lands in configs and scripts. */}}
{{- define "redis-ha.masterGroupName" -}}
{{- $group := tpl (toString (.Values.redis.masterGroupName | default "")) . -}}
{{- if regexMatch "^[\\w\\-\\.]+$" $group -}}
{{- $group -}}
{{- else -}}
{{- fail (printf "redis.masterGroupName %q is not valid: it must match ^[\\w-\\.]+$ (letters, digits, '_', '-', '.')" $group) -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret holding the redis password. */}}
{{- define "redis-ha.authSecretName" -}}
{{- if .Values.existingSecret -}}
{{- tpl (toString .Values.existingSecret) . -}}
{{- else -}}
{{- include "redis-ha.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret holding the sentinel password. */}}
{{- define "redis-ha.sentinelSecretName" -}}
{{- if .Values.sentinel.existingSecret -}}
{{- tpl (toString .Values.sentinel.existingSecret) . -}}
{{- else -}}
{{- printf "%s-sentinel" (include "redis-ha.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Password resolution shared by the redis and sentinel password helpers.
Params: root, explicit (value from values), secretName, key, memoKey.
Order: explicit value, else the value stored in the cluster's Secret (lookup; empty in
`helm template`), else 32 random alphanumerics. The result is memoized on the root context so
every template of one render (the Secret and the checksum annotations) sees the same value.
*/}}
{{- define "redis-ha.resolvePassword" -}}
{{- $root := .root -}}
{{- if not (hasKey $root "redisHaPasswordMemo") -}}
{{- $_ := set $root "redisHaPasswordMemo" (dict) -}}
{{- end -}}
{{- $memo := get $root "redisHaPasswordMemo" -}}
{{- if not (hasKey $memo .memoKey) -}}
{{- $password := "" -}}
{{- if not (kindIs "invalid" .explicit) -}}
{{- $password = toString .explicit -}}
{{- end -}}
{{- if not $password -}}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace .secretName -}}
{{- if and $existing $existing.data (hasKey $existing.data .key) -}}
{{- $password = index $existing.data .key | b64dec -}}
{{- end -}}
{{- end -}}
{{- if not $password -}}
{{- $password = randAlphaNum 32 -}}
{{- end -}}
{{- $_ := set $memo .memoKey $password -}}
{{- end -}}
{{- get $memo .memoKey -}}
{{- end -}}

{{/*
Redis password for the generated Secret.
Upstream crashed with "b64enc: invalid value" when auth was on without redisPassword or
existingSecret; here a password is generated once and then kept across upgrades via lookup.
*/}}
{{- define "redis-ha.redisPassword" -}}
{{- include "redis-ha.resolvePassword" (dict "root" . "explicit" .Values.redisPassword "secretName" (include "redis-ha.fullname" .) "key" (toString .Values.authKey) "memoKey" "redis") -}}
{{- end -}}

{{/* Sentinel password for the generated Secret (same rules as redis-ha.redisPassword). */}}
{{- define "redis-ha.sentinelPassword" -}}
{{- include "redis-ha.resolvePassword" (dict "root" . "explicit" .Values.sentinel.password "secretName" (printf "%s-sentinel" (include "redis-ha.fullname" .)) "key" (toString .Values.sentinel.authKey) "memoKey" "sentinel") -}}
{{- end -}}

{{/*
Checksum of everything that decides the passwords the pods receive. Upstream did not roll the
pods when a password changed; this goes into the pod template as `checksum/secret`.
*/}}
{{- define "redis-ha.secretsChecksum" -}}
{{- $parts := list "redis-ha-secrets-v1" -}}
{{- if .Values.auth -}}
{{- if .Values.existingSecret -}}
{{- $parts = append $parts (printf "auth existing %s %s" (include "redis-ha.authSecretName" .) (toString .Values.authKey)) -}}
{{- else -}}
{{- $parts = append $parts (printf "auth generated %s %s" (toString .Values.authKey) (include "redis-ha.redisPassword" .)) -}}
{{- end -}}
{{- end -}}
{{- if .Values.sentinel.auth -}}
{{- if .Values.sentinel.existingSecret -}}
{{- $parts = append $parts (printf "sentinel existing %s %s" (include "redis-ha.sentinelSecretName" .) (toString .Values.sentinel.authKey)) -}}
{{- else -}}
{{- $parts = append $parts (printf "sentinel generated %s %s" (toString .Values.sentinel.authKey) (include "redis-ha.sentinelPassword" .)) -}}
{{- end -}}
{{- end -}}
{{- join "\n" $parts | sha256sum -}}
{{- end -}}

{{/*
True ("true") when runAsUser/runAsGroup/fsGroup must be removed from security contexts:
adaptSecurityContext "force", or "auto" on a cluster serving security.openshift.io/v1.
*/}}
{{- define "redis-ha.stripSecurityIds" -}}
{{- $mode := toString .Values.global.compatibility.openshift.adaptSecurityContext -}}
{{- if or (eq $mode "force") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "security.openshift.io/v1")) -}}
true
{{- end -}}
{{- end -}}

{{/* Render a pod securityContext map. Params: ctx (map), root. */}}
{{- define "redis-ha.podSecurityContext" -}}
{{- $ctx := deepCopy (.ctx | default dict) -}}
{{- if include "redis-ha.stripSecurityIds" .root -}}
{{- $ctx = omit $ctx "runAsUser" "runAsGroup" "fsGroup" -}}
{{- end -}}
{{- toYaml $ctx -}}
{{- end -}}

{{/* Render a container securityContext map. Params: ctx (map), root. */}}
{{- define "redis-ha.containerSecurityContext" -}}
{{- $ctx := deepCopy (.ctx | default dict) -}}
{{- if include "redis-ha.stripSecurityIds" .root -}}
{{- $ctx = omit $ctx "runAsUser" "runAsGroup" "fsGroup" -}}
{{- end -}}
{{- toYaml $ctx -}}
{{- end -}}

{{/* priorityClassName: the local value, else global.priorityClassName. Params: value, root. */}}
{{- define "redis-ha.priorityClassName" -}}
{{- .value | default .root.Values.global.priorityClassName | default "" -}}
{{- end -}}

{{/*
Stable sentinel myid of ordinal `index`: first 40 hex chars of
sha256("<name>\n<release>\nindex: <i>"). Must never change (sentinels keep their identity
across upgrades). Params: index, root.
*/}}
{{- define "redis-ha.sentinelId" -}}
{{- printf "%s\n%s\nindex: %d" (include "redis-ha.name" .root) .root.Release.Name (int .index) | sha256sum | trunc 40 -}}
{{- end -}}

{{/* Number of redis pods (strings such as "5" are accepted, as upstream). */}}
{{- define "redis-ha.replicas" -}}
{{- int (toString .Values.replicas) -}}
{{- end -}}

{{/* True when any TLS port is configured (certificates are mounted then). */}}
{{- define "redis-ha.tlsEnabled" -}}
{{- if or .Values.redis.tlsPort .Values.sentinel.tlsPort -}}
true
{{- end -}}
{{- end -}}

{{/* Name of the Secret mounted at /tls-certs. */}}
{{- define "redis-ha.tlsSecretName" -}}
{{- if .Values.tls.secretName -}}
{{- tpl (toString .Values.tls.secretName) . -}}
{{- else -}}
{{- printf "%s-tls-secret" (include "redis-ha.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Single-quote a value for POSIX sh ('...' with embedded ' written as '\''). */}}
{{- define "redis-ha.shQuote" -}}
{{- printf "'%s'" (toString . | replace "'" "'\\''") -}}
{{- end -}}

{{/* "true"/"false" from Go-template truthiness, for vars.sh flags. */}}
{{- define "redis-ha.shBool" -}}
{{- if . -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{/* Integer rendering of a port-like value ("" when unset). */}}
{{- define "redis-ha.portValue" -}}
{{- if . -}}{{- int64 (toString .) -}}{{- end -}}
{{- end -}}

{{/*
Content of vars.sh: plain NAME='value' assignments read by every script (sourced from the
script's own directory). Never contains passwords: those come from the AUTH / SENTINELAUTH env.
*/}}
{{/* "valkey" when image.repository is a valkey image (valkey/valkey, any registry), else
     "redis": the prefix of the server and sentinel binaries the image provides. */}}
{{- define "redis-ha.serverFamily" -}}
{{- if eq (last (splitList "/" (toString .Values.image.repository))) "valkey" -}}
valkey
{{- else -}}
redis
{{- end -}}
{{- end -}}

{{/* "true" when the image's sentinel knows `sentinel master-reboot-down-after-period`
     (Redis 7.0 and later, every Valkey); unknown tags (latest, digests) count as recent. */}}
{{- define "redis-ha.sentinelKnowsRebootPeriod" -}}
{{- $major := regexFind "^v?[0-9]+" (toString .Values.image.tag) | trimPrefix "v" -}}
{{- if or (eq (include "redis-ha.serverFamily" .) "valkey") (not $major) (ge (int $major) 7) -}}
true
{{- end -}}
{{- end -}}

{{- define "redis-ha.vars" -}}
{{- $tlsCaFile := "" -}}
{{- if .Values.tls.caCertFile -}}
{{- $tlsCaFile = printf "/tls-certs/%s" (toString .Values.tls.caCertFile) -}}
{{- end -}}
# Generated by the redis-ha chart: settings shared by the redis-ha scripts.
# shellcheck shell=sh disable=SC2034
SERVICE={{ include "redis-ha.shQuote" (include "redis-ha.fullname" .) }}
STATEFULSET_NAME={{ include "redis-ha.shQuote" (printf "%s-server" (include "redis-ha.fullname" .)) }}
NAMESPACE={{ include "redis-ha.shQuote" .Release.Namespace }}
MASTER_GROUP={{ include "redis-ha.shQuote" (include "redis-ha.masterGroupName" .) }}
QUORUM={{ include "redis-ha.shQuote" (int64 (toString .Values.sentinel.quorum)) }}
REPLICAS={{ include "redis-ha.shQuote" (include "redis-ha.replicas" .) }}
REDIS_PORT={{ include "redis-ha.shQuote" (int64 (toString .Values.redis.port)) }}
REDIS_TLS_PORT={{ include "redis-ha.shQuote" (include "redis-ha.portValue" .Values.redis.tlsPort) }}
SENTINEL_PORT={{ include "redis-ha.shQuote" (int64 (toString .Values.sentinel.port)) }}
SENTINEL_TLS_PORT={{ include "redis-ha.shQuote" (include "redis-ha.portValue" .Values.sentinel.tlsPort) }}
REDIS_TLS_REPLICATION_ENABLED={{ include "redis-ha.shQuote" (include "redis-ha.shBool" .Values.redis.tlsReplication) }}
SENTINEL_TLS_REPLICATION_ENABLED={{ include "redis-ha.shQuote" (include "redis-ha.shBool" .Values.sentinel.tlsReplication) }}
TLS_CERT_FILE={{ include "redis-ha.shQuote" (printf "/tls-certs/%s" (toString .Values.tls.certFile)) }}
TLS_KEY_FILE={{ include "redis-ha.shQuote" (printf "/tls-certs/%s" (toString .Values.tls.keyFile)) }}
TLS_CA_CERT_FILE={{ include "redis-ha.shQuote" $tlsCaFile }}
REDIS_TLS_CLIENT_CERT={{ include "redis-ha.shQuote" (include "redis-ha.shBool" (ne (toString (default "yes" .Values.redis.authClients)) "no")) }}
SENTINEL_TLS_CLIENT_CERT={{ include "redis-ha.shQuote" (include "redis-ha.shBool" (ne (toString (default "yes" .Values.sentinel.authClients)) "no")) }}
AUTH_ENABLED={{ include "redis-ha.shQuote" (include "redis-ha.shBool" .Values.auth) }}
SENTINEL_AUTH_ENABLED={{ include "redis-ha.shQuote" (include "redis-ha.shBool" .Values.sentinel.auth) }}
RO_REPLICAS={{ include "redis-ha.shQuote" (toString (.Values.ro_replicas | default "")) }}
RESOLVE_HOSTNAMES={{ include "redis-ha.shQuote" (include "redis-ha.shBool" .Values.sentinel.resolveHostnames) }}
ANNOUNCE_HOSTNAMES={{ include "redis-ha.shQuote" (include "redis-ha.shBool" .Values.sentinel.announceHostnames) }}
SPLIT_BRAIN_INTERVAL={{ include "redis-ha.shQuote" (int64 (toString .Values.splitBrainDetection.interval)) }}
SPLIT_BRAIN_RETRY_INTERVAL={{ include "redis-ha.shQuote" (int64 (toString .Values.splitBrainDetection.retryInterval)) }}
TERMINATION_GRACE_SECONDS={{ include "redis-ha.shQuote" (int64 (toString (.Values.redis.terminationGracePeriodSeconds | default 30))) }}
{{- end -}}

{{/* Ports of the headless and announce Services. Params: root, exporterPortName. */}}
{{- define "redis-ha.servicePorts" -}}
{{- $v := .root.Values -}}
{{- if ne (int64 (toString $v.redis.port)) 0 }}
- name: tcp-server
  port: {{ int64 (toString $v.redis.port) }}
  protocol: TCP
  targetPort: redis
{{- end }}
{{- if $v.redis.tlsPort }}
- name: server-tls
  port: {{ int64 (toString $v.redis.tlsPort) }}
  protocol: TCP
  targetPort: redis-tls
{{- end }}
{{- if ne (int64 (toString $v.sentinel.port)) 0 }}
- name: tcp-sentinel
  port: {{ int64 (toString $v.sentinel.port) }}
  protocol: TCP
  targetPort: sentinel
{{- end }}
{{- if $v.sentinel.tlsPort }}
- name: sentinel-tls
  port: {{ int64 (toString $v.sentinel.tlsPort) }}
  protocol: TCP
  targetPort: sentinel-tls
{{- end }}
{{- if $v.exporter.enabled }}
- name: {{ .exporterPortName }}
  port: {{ int64 (toString $v.exporter.port) }}
  protocol: TCP
  targetPort: {{ $v.exporter.portName }}
{{- end }}
{{- end -}}

{{/* Annotation map with every value quoted (YAML 1.1 turns a bare `y` or `on` into a bool). */}}
{{- define "redis-ha.annotations" -}}
{{- range $key, $value := . }}
{{ $key }}: {{ $value | toString | quote }}
{{- end -}}
{{- end -}}
