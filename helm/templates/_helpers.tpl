{{/* The prefix of every object's name. */}}
{{- define "mesh.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object; pass (dict "root" $ "component" "<id>"). */}}
{{- define "mesh.labels" -}}
{{ include "mesh.selectorLabels" . }}
app.kubernetes.io/part-of: flower-mesh
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Labels that select a service's pods. */}}
{{- define "mesh.selectorLabels" -}}
app.kubernetes.io/name: {{ default .root.Chart.Name .root.Values.nameOverride }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
The services that run, as JSON: id → its catalog entry and `defaults` merged with its own
settings, plus `callers` (the running services that depend on it). The shared services and the
gateway run when any system does.
*/}}
{{- define "mesh.services" -}}
{{- $systems := .Values.systems -}}
{{- $any := false -}}
{{- range $name, $system := $systems }}{{ if $system.enabled }}{{ $any = true }}{{ end }}{{ end -}}
{{- $running := dict -}}
{{- range $id, $entry := .Values.services -}}
{{- $own := get $systems $entry.system -}}
{{- if or (and $own $own.enabled) (and $any (has $entry.system (list "payment" "notification" "gateway"))) -}}
{{- $settings := mergeOverwrite (deepCopy $.Values.defaults) (omit $entry "system" "dependsOn" "stateless") -}}
{{- $_ := set $running $id (merge (dict "system" $entry.system "dependsOn" $entry.dependsOn "stateless" (default false $entry.stateless)) $settings) -}}
{{- end -}}
{{- end -}}
{{- range $id, $svc := $running -}}
{{- $callers := list -}}
{{- range $other, $o := $running }}{{ if has $id $o.dependsOn }}{{ $callers = append $callers $other }}{{ end }}{{ end -}}
{{- $_ := set $svc "callers" $callers -}}
{{- end -}}
{{- toJson $running -}}
{{- end -}}

{{/* The Kubernetes name of a service: <fullname>-<id>. Pass (dict "root" $ "id" "<id>"). */}}
{{- define "mesh.serviceName" -}}
{{- printf "%s-%s" (include "mesh.fullname" .root) .id -}}
{{- end -}}

{{/* The in-cluster ports every service listens on. */}}
{{- define "mesh.httpPort" -}}8080{{- end -}}
{{- define "mesh.grpcPort" -}}9090{{- end -}}

{{/* Where NATS is. */}}
{{- define "mesh.natsUrl" -}}
{{- if .Values.events.natsUrl -}}
{{- .Values.events.natsUrl -}}
{{- else if .Values.nats.enabled -}}
{{- printf "nats://%s-nats:4222" .Release.Name -}}
{{- else -}}
{{- fail "events.natsUrl is empty and nats.enabled is false: the services need a NATS with JetStream; set one of them" -}}
{{- end -}}
{{- end -}}

{{/* host:port of MySQL. */}}
{{- define "mesh.mysqlAddress" -}}
{{- if .Values.database.mysql.host -}}
{{- printf "%s:%v" .Values.database.mysql.host .Values.database.mysql.port -}}
{{- else if .Values.mysql.enabled -}}
{{- printf "%s-mysql:3306" .Release.Name -}}
{{- else -}}
{{- fail "database.kind is mysql but database.mysql.host is empty and mysql.enabled is false: set one of them, or use database.kind sqlite" -}}
{{- end -}}
{{- end -}}

{{/* The database DATABASE_URL names: the services' databases are <it>_<service id with _>. */}}
{{- define "mesh.databaseName" -}}
{{- default (include "mesh.fullname" . | replace "-" "_" | replace "." "_") .Values.database.mysql.database -}}
{{- end -}}

{{/* The Secret and key holding the MySQL password. */}}
{{- define "mesh.mysqlSecret" -}}
{{- if .Values.database.mysql.existingSecret -}}
{{- .Values.database.mysql.existingSecret -}}
{{- else if .Values.database.mysql.host -}}
{{- printf "%s-database" (include "mesh.fullname" .) -}}
{{- else if and .Values.mysql.auth .Values.mysql.auth.existingSecret -}}
{{- .Values.mysql.auth.existingSecret -}}
{{- else -}}
{{- printf "%s-mysql" .Release.Name -}}
{{- end -}}
{{- end -}}

{{/* terminationGracePeriodSeconds: the preStop sleep, the runtime's drain, and room to exit. */}}
{{- define "mesh.gracePeriod" -}}
{{- add .Values.shutdown.preStopSeconds .Values.shutdown.drainSeconds 5 -}}
{{- end -}}

{{/*
A service's ConfigMap data: the runtime's variables (mesh/config/runtime-config.ts) and its own.
Pass (dict "root" $ "id" "<id>" "svc" <its settings> "services" <every running service>). Its
Deployment hashes the same text, so that a change of one service's settings restarts only it.
*/}}
{{- define "mesh.configData" -}}
{{- $root := .root -}}{{- $id := .id -}}{{- $svc := .svc -}}{{- $services := .services }}
HOST: "0.0.0.0"
HTTP_PORT: {{ include "mesh.httpPort" $root | quote }}
GRPC_PORT: {{ include "mesh.grpcPort" $root | quote }}
LOG_LEVEL: {{ $root.Values.config.logLevel | quote }}
EVENT_NAMESPACE: {{ $root.Values.config.eventNamespace | quote }}
EVENT_RETENTION_HOURS: {{ $root.Values.config.eventRetentionHours | quote }}
CORS_ALLOWED_ORIGINS: {{ $root.Values.config.corsAllowedOrigins | quote }}
CLIENT_PROTOCOL: {{ $root.Values.config.client.protocol | quote }}
CLIENT_TIMEOUT_MS: {{ $root.Values.config.client.timeoutMs | quote }}
CLIENT_RETRIES: {{ $root.Values.config.client.retries | quote }}
CLIENT_MAX_CONCURRENT: {{ $root.Values.config.client.maxConcurrent | quote }}
BREAKER_THRESHOLD: {{ $root.Values.config.client.breakerThreshold | quote }}
BREAKER_HALF_OPEN_MS: {{ $root.Values.config.client.breakerHalfOpenMs | quote }}
CONSUMER_MAX_DELIVER: {{ $root.Values.config.consumer.maxDeliver | quote }}
CONSUMER_ACK_WAIT_MS: {{ $root.Values.config.consumer.ackWaitMs | quote }}
# preStop already kept traffic away while it slept; on SIGTERM the service drains at once.
SHUTDOWN_DELAY_MS: "0"
SHUTDOWN_TIMEOUT_MS: {{ mul $root.Values.shutdown.drainSeconds 1000 | quote }}
{{- if not $svc.stateless }}
NATS_URL: {{ include "mesh.natsUrl" $root | quote }}
DATA_DIR: /data
{{- /* One URL for every service; each derives its own database from it. With SQLite, DATA_DIR gives each its file /data/<id>.sqlite. */}}
{{- if eq $root.Values.database.kind "mysql" }}
DATABASE_URL: {{ printf "mysql://%s@%s/%s" $root.Values.database.mysql.user (include "mesh.mysqlAddress" $root) (include "mesh.databaseName" $root) | quote }}
{{- end }}
{{- end }}
{{- range $dep := $svc.dependsOn }}
{{- if hasKey $services $dep }}
{{- /* The port its callers' protocol uses: Connect goes to the HTTP port, gRPC to the gRPC port. */}}
{{ $dep | upper | replace "-" "_" }}_ADDR: {{ printf "%s:%s" (include "mesh.serviceName" (dict "root" $root "id" $dep)) (ternary (include "mesh.grpcPort" $root) (include "mesh.httpPort" $root) (eq $root.Values.config.client.protocol "grpc")) | quote }}
{{- end }}
{{- end }}
{{- range $name, $value := $svc.env }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}
