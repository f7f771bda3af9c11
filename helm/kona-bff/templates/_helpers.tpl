{{/*
Expand the name of the chart.
*/}}
{{- define "kona-bff.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name, truncated to 63 characters (DNS label limit).
If the release name contains the chart name it is used as the full name.
*/}}
{{- define "kona-bff.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version as used by the chart label.
*/}}
{{- define "kona-bff.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "kona-bff.labels" -}}
helm.sh/chart: {{ include "kona-bff.chart" . }}
{{ include "kona-bff.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels: stable for the life of the release (Deployment selectors are immutable).
*/}}
{{- define "kona-bff.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kona-bff.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the service account to use.
*/}}
{{- define "kona-bff.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kona-bff.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Container image reference: a digest wins over the tag; the tag defaults to appVersion.
*/}}
{{- define "kona-bff.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret the secret env vars come from: the user's existingSecret or the chart's own.
*/}}
{{- define "kona-bff.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "kona-bff.fullname" .) }}
{{- end }}

{{/*
Whether the chart creates its own Secret.
*/}}
{{- define "kona-bff.createSecret" -}}
{{- if not .Values.secrets.existingSecret }}true{{ end }}
{{- end }}

{{/*
Seconds, rounded up, from a millisecond value: ceil(ms / 1000) in integer arithmetic.
*/}}
{{- define "kona-bff.ceilSeconds" -}}
{{- div (add (int64 .) 999) 1000 }}
{{- end }}

{{/*
terminationGracePeriodSeconds. The pod must outlive, in order: the preStop sleep, the gateway's
SHUTDOWN_DELAY_MS (readiness failing while endpoints drain), and the longest in-flight KONA call
(KONAPLATE_TIMEOUT_MS); plus a margin for process exit.
*/}}
{{- define "kona-bff.terminationGracePeriodSeconds" -}}
{{- if not (kindIs "invalid" .Values.terminationGracePeriodSeconds) }}
{{- int64 .Values.terminationGracePeriodSeconds }}
{{- else }}
{{- $preStop := int64 .Values.lifecycle.preStopSleepSeconds }}
{{- $delay := include "kona-bff.ceilSeconds" .Values.shutdown.delayMs | int64 }}
{{- $timeout := include "kona-bff.ceilSeconds" .Values.konaplate.timeoutMs | int64 }}
{{- add $preStop $delay $timeout (int64 .Values.shutdown.marginSeconds) }}
{{- end }}
{{- end }}

{{/*
Everything wrong with the values, as a list: what the gateway cannot start without, and
contradictions the schema cannot express. Empty when the values are complete.
*/}}
{{- define "kona-bff.problems" -}}
{{- $v := .Values }}
{{- $p := list }}
{{- /* Missing: the gateway would exit at start naming the same variables. */}}
{{- if not $v.konaplate.baseUrl }}
{{- $p = append $p "konaplate.baseUrl (KONAPLATE_BASE_URL) is required" }}
{{- end }}
{{- if not $v.konaplate.aspId }}
{{- $p = append $p "konaplate.aspId (KONAPLATE_ASP_ID) is required" }}
{{- end }}
{{- if not (or $v.redis.url $v.redis.sentinels $v.redis.clusterNodes) }}
{{- $p = append $p "redis.url, redis.sentinels or redis.clusterNodes is required (the gateway needs Redis in production)" }}
{{- end }}
{{- if not $v.secrets.existingSecret }}
{{- if not $v.secrets.konaplateAccessKey }}
{{- $p = append $p "secrets.konaplateAccessKey (or secrets.existingSecret) is required" }}
{{- end }}
{{- if not $v.secrets.konaplateSecretKey }}
{{- $p = append $p "secrets.konaplateSecretKey (or secrets.existingSecret) is required" }}
{{- end }}
{{- if not (or $v.auth.jwksUrl $v.secrets.authJwtSecret) }}
{{- $p = append $p "auth.jwksUrl or secrets.authJwtSecret (or secrets.existingSecret) is required" }}
{{- end }}
{{- if and $v.konaplate.serverPublicKey (not $v.secrets.konaplateClientPrivateKey) }}
{{- $p = append $p "secrets.konaplateClientPrivateKey (or secrets.existingSecret) is required with konaplate.serverPublicKey" }}
{{- end }}
{{- end }}
{{- /* Contradictions. */}}
{{- if and $v.redis.sentinels (not $v.redis.sentinelName) }}
{{- $p = append $p "redis.sentinelName (REDIS_SENTINEL_NAME) is required with redis.sentinels" }}
{{- end }}
{{- $redisModes := 0 }}
{{- range (list $v.redis.url $v.redis.sentinels $v.redis.clusterNodes) }}
{{- if . }}{{ $redisModes = add1 $redisModes }}{{ end }}
{{- end }}
{{- if gt (int $redisModes) 1 }}
{{- $p = append $p "set only one of redis.url, redis.sentinels or redis.clusterNodes" }}
{{- end }}
{{- if and $v.auth.jwksUrl $v.secrets.authJwtSecret (not $v.secrets.existingSecret) }}
{{- $p = append $p "set only one of auth.jwksUrl (RS256/ES256) or secrets.authJwtSecret (HS256)" }}
{{- end }}
{{- if and $v.secrets.konaplateClientPrivateKey (not $v.konaplate.serverPublicKey) (not $v.secrets.existingSecret) }}
{{- $p = append $p "set both konaplate.serverPublicKey and secrets.konaplateClientPrivateKey (message encryption) or neither" }}
{{- end }}
{{- if and (not (kindIs "invalid" $v.idempotency.leaseMs)) (le (int64 $v.idempotency.leaseMs) (int64 $v.konaplate.timeoutMs)) }}
{{- $p = append $p "idempotency.leaseMs must be greater than konaplate.timeoutMs" }}
{{- end }}
{{- if and $v.autoscaling.enabled (lt (int64 $v.autoscaling.maxReplicas) (int64 $v.autoscaling.minReplicas)) }}
{{- $p = append $p "autoscaling.maxReplicas must be at least autoscaling.minReplicas" }}
{{- end }}
{{- if eq (int64 $v.containerPorts.http) (int64 $v.containerPorts.management) }}
{{- $p = append $p "containerPorts.http and containerPorts.management must differ (two listeners)" }}
{{- end }}
{{- if eq (int64 $v.service.port) (int64 $v.service.managementPort) }}
{{- $p = append $p "service.port and service.managementPort must differ" }}
{{- end }}
{{- if and $v.networkPolicy.enabled $v.metrics.serviceMonitor.enabled (not $v.networkPolicy.ingress.managementFrom) }}
{{- $p = append $p "networkPolicy.ingress.managementFrom must name the Prometheus peers when metrics.serviceMonitor.enabled (the policy would drop every scrape)" }}
{{- end }}
{{- /* extraEnv would silently override a setting the chart makes (env beats envFrom). */}}
{{- $chartEnv := keys (include (print .Template.BasePath "/configmap.yaml") . | fromYaml).data }}
{{- $chartEnv = concat $chartEnv (list "KONAPLATE_ACCESS_KEY" "KONAPLATE_SECRET_KEY" "KONAPLATE_CLIENT_PRIVATE_KEY" "AUTH_JWT_SECRET" "REDIS_PASSWORD") }}
{{- range $v.extraEnv }}
{{- if has .name $chartEnv }}
{{- $p = append $p (printf "extraEnv must not set %s: the chart sets it (use its value in values.yaml)" .name) }}
{{- end }}
{{- end }}
{{- toJson $p }}
{{- end }}

{{/*
Stops the render with ONE message naming every problem above, so an install with missing values
never creates a release whose pods crash (or a Secret with empty data). Included by deployment.yaml.
*/}}
{{- define "kona-bff.validateValues" -}}
{{- $problems := include "kona-bff.problems" . | fromJsonArray }}
{{- if $problems }}
{{- fail (printf "kona-bff: fix these values (see values.yaml and ci/default-values.yaml):\n  - %s" (join "\n  - " $problems)) }}
{{- end }}
{{- end }}
