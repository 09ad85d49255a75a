{{/* Names. The Service and the Secret are <release>-mysql, as the parent chart expects. */}}
{{- define "mysql.fullname" -}}
{{- printf "%s-mysql" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* A StatefulSet's name must leave room for the controller-revision-hash label (63 in all). */}}
{{- define "mysql.statefulSetName" -}}
{{- printf "%s-mysql" .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "mysql.secretName" -}}
{{- default (include "mysql.fullname" .) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "mysql.selectorLabels" -}}
app.kubernetes.io/name: mysql
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: database
{{- end -}}

{{- define "mysql.labels" -}}
{{ include "mysql.selectorLabels" . }}
app.kubernetes.io/part-of: flower-mesh
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
