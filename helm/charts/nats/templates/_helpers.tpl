{{/* Names. The Service is <release>-nats, as the parent chart expects. */}}
{{- define "nats.fullname" -}}
{{- printf "%s-nats" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* A StatefulSet's name must leave room for the controller-revision-hash label (63 in all). */}}
{{- define "nats.statefulSetName" -}}
{{- printf "%s-nats" .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "nats.headlessName" -}}
{{- printf "%s-nats-headless" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nats.selectorLabels" -}}
app.kubernetes.io/name: nats
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: event-bus
{{- end -}}

{{- define "nats.labels" -}}
{{ include "nats.selectorLabels" . }}
app.kubernetes.io/part-of: flower-mesh
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "nats.clustered" -}}
{{- if gt (int .Values.replicas) 1 }}true{{ end -}}
{{- end -}}

{{/* nats.conf. $SERVER_NAME is the pod's name (env), stable across restarts as JetStream needs. */}}
{{- define "nats.config" -}}
server_name: $SERVER_NAME
listen: 0.0.0.0:4222
http: 0.0.0.0:8222
max_payload: {{ .Values.maxPayload }}
jetstream {
  store_dir: /data/jetstream
  max_memory_store: {{ .Values.jetstream.maxMemoryStore }}
  {{- with .Values.jetstream.maxFileStore }}
  max_file_store: {{ . }}
  {{- end }}
}
{{- if include "nats.clustered" . }}
cluster {
  name: {{ include "nats.fullname" . }}
  listen: 0.0.0.0:6222
  routes: [
    {{- $sts := include "nats.statefulSetName" . }}
    {{- $headless := include "nats.headlessName" . }}
    {{- range $i := until (int .Values.replicas) }}
    nats://{{ $sts }}-{{ $i }}.{{ $headless }}.{{ $.Release.Namespace }}.svc:6222
    {{- end }}
  ]
}
{{- end }}
{{- with .Values.extraConfig }}
{{ . }}
{{- end }}
{{- end -}}
