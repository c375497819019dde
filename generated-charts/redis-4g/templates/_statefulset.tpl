{{/*
Partials of the redis StatefulSet (templates/redis-ha-statefulset.yaml): the sentinel IDs
and the probe bodies.
*/}}
{{- define "redis-ha.statefulset.sentinelIdEnv" -}}
{{- range $i := until (int (include "redis-ha.replicas" .)) }}
- name: SENTINEL_ID_{{ $i }}
  value: {{ include "redis-ha.sentinelId" (dict "index" $i "root" $) | quote }}
{{- end }}
{{- end -}}
{{- define "redis-ha.statefulset.execProbe" -}}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
successThreshold: {{ .probe.successThreshold }}
failureThreshold: {{ .probe.failureThreshold }}
exec:
  command:
    - sh
    - -c
    - {{ .script }}
{{- end -}}
{{- define "redis-ha.statefulset.exporterProbe" -}}
{{- /* Upstream's probe ports were YAML anchors frozen at 9121 and /metrics, so changing
exporter.port broke the probes; they now follow exporter.port / exporter.scrapePath when the
httpGet port / path is unset (null) or still the upstream default (9121, /metrics). */ -}}
{{- $probe := deepCopy (.probe | default dict) -}}
{{- $httpGet := deepCopy ($probe.httpGet | default dict) -}}
{{- if or (kindIs "invalid" $httpGet.port) (eq (toString $httpGet.port) "9121") -}}
{{- $_ := set $httpGet "port" (int64 (toString .root.Values.exporter.port)) -}}
{{- end -}}
{{- if or (not $httpGet.path) (eq (toString $httpGet.path) "/metrics") -}}
{{- $_ := set $httpGet "path" (toString .root.Values.exporter.scrapePath) -}}
{{- end -}}
{{- $_ := set $probe "httpGet" $httpGet -}}
{{- toYaml $probe -}}
{{- end -}}
