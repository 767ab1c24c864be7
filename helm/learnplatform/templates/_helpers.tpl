{{/* Names */}}
{{- define "learnplatform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "learnplatform.fullname" -}}
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

{{/* Name of a component's objects: learnplatform.componentName (dict "ctx" $ "component" "api") */}}
{{- define "learnplatform.componentName" -}}
{{- printf "%s-%s" (include "learnplatform.fullname" .ctx | trunc 50 | trimSuffix "-") .component -}}
{{- end -}}

{{- define "learnplatform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "learnplatform.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "learnplatform.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "learnplatform.migrationsServiceAccountName" -}}
{{- default (include "learnplatform.componentName" (dict "ctx" . "component" "migrations")) .Values.migrations.serviceAccount.name -}}
{{- end -}}

{{/* Labels */}}
{{- define "learnplatform.selectorLabels" -}}
app.kubernetes.io/name: {{ include "learnplatform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "learnplatform.labels" -}}
helm.sh/chart: {{ include "learnplatform.chart" . }}
{{ include "learnplatform.selectorLabels" . }}
app.kubernetes.io/version: {{ include "learnplatform.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: learnplatform
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* learnplatform.componentLabels (dict "ctx" $ "component" "api") */}}
{{- define "learnplatform.componentLabels" -}}
{{ include "learnplatform.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "learnplatform.componentSelectorLabels" -}}
{{ include "learnplatform.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* metadata.annotations block from commonAnnotations plus an optional extra dict: (dict "ctx" $ "extra" $annotations) */}}
{{- define "learnplatform.annotations" -}}
{{- $all := merge (deepCopy (default dict .extra)) (deepCopy .ctx.Values.commonAnnotations) -}}
{{- if $all }}
annotations:
  {{- toYaml $all | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Image */}}
{{- define "learnplatform.imageTag" -}}
{{- /* toString: a tag given with --set may arrive as a number */ -}}
{{- default .Chart.AppVersion (.Values.image.tag | default "" | toString) -}}
{{- end -}}

{{- define "learnplatform.image" -}}
{{- $repo := .Values.image.repository -}}
{{- if .Values.image.registry -}}
{{- $repo = printf "%s/%s" .Values.image.registry .Values.image.repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" $repo (include "learnplatform.imageTag" .) .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (include "learnplatform.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{- define "learnplatform.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Environment shared by every container. */}}
{{- define "learnplatform.commonEnv" -}}
- name: ASPNETCORE_ENVIRONMENT
  value: Production
- name: Secrets__Directory
  value: {{ .Values.secrets.mountPath | quote }}
- name: Firebase__ProjectId
  value: {{ .Values.config.firebase.projectId | quote }}
{{- with .Values.config.firebase.publicKeysUrl }}
- name: Firebase__PublicKeysUrl
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.gemini.model }}
- name: Gemini__Model
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.gemini.baseUrl }}
- name: Gemini__BaseUrl
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The existingSecret mounted as files named after configuration keys.
learnplatform.secretVolume (dict "ctx" $ "migrations" true|false): only the migrations Job gets the owner's connection string.
*/}}
{{- define "learnplatform.secretVolume" -}}
{{- $s := .ctx.Values.secrets -}}
- name: secrets
  secret:
    secretName: {{ $s.existingSecret | quote }}
    defaultMode: 288 # 0440: owner and group (fsGroup) may read
    items:
      - key: {{ $s.keys.postgres | quote }}
        path: ConnectionStrings__Postgres
      {{- if .migrations }}
      - key: {{ $s.keys.postgresMigrations | quote }}
        path: ConnectionStrings__PostgresMigrations
      {{- else }}
      {{- with $s.keys.geminiApiKey }}
      - key: {{ . | quote }}
        path: Gemini__ApiKey
      {{- end }}
      {{- with $s.keys.auditIpHashKey }}
      - key: {{ . | quote }}
        path: Audit__IpHashKey
      {{- end }}
      {{- range $s.extraKeys }}
      - key: {{ required "secrets.extraKeys[].key is required" .key | quote }}
        path: {{ required "secrets.extraKeys[].path is required" .path | quote }}
      {{- end }}
      {{- end }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .ctx.Values.tmpVolume.sizeLimit }}
{{- end -}}

{{- define "learnplatform.volumeMounts" -}}
- name: secrets
  mountPath: {{ .Values.secrets.mountPath }}
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* A probe: (dict "probe" $values "path" "/healthz" "port" "http") */}}
{{- define "learnplatform.probe" -}}
httpGet:
  path: {{ .path }}
  port: {{ .port }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
successThreshold: {{ .probe.successThreshold }}
{{- end -}}

{{/* Default topology spread (dict "ctx" $ "component" "api" "constraints" $list) */}}
{{- define "learnplatform.topologySpreadConstraints" -}}
{{- if .constraints -}}
{{ toYaml .constraints }}
{{- else -}}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "learnplatform.componentSelectorLabels" . | nindent 6 }}
  matchLabelKeys:
    - pod-template-hash
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "learnplatform.componentSelectorLabels" . | nindent 6 }}
  matchLabelKeys:
    - pod-template-hash
{{- end -}}
{{- end -}}

{{/* Egress rules shared by every pod of the release. */}}
{{- define "learnplatform.egressRules" -}}
{{- $e := .Values.networkPolicy.egress -}}
- to:
    {{- toYaml $e.dns.to | nindent 4 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
- to:
    {{- range $e.postgres.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - protocol: TCP
      port: {{ $e.postgres.port }}
{{- if $e.https.enabled }}
- to:
    {{- toYaml $e.https.to | nindent 4 }}
  ports:
    - protocol: TCP
      port: 443
{{- end }}
{{- if $e.metadataServer.enabled }}
{{- range $e.metadataServer.to }}
- to:
    - ipBlock:
        {{- toYaml .ipBlock | nindent 8 }}
  ports:
    - protocol: TCP
      port: {{ .port }}
{{- end }}
{{- end }}
{{- with $e.extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Validation: every problem is collected, then the release fails with all of them.
*/}}
{{- define "learnplatform.validateValues" -}}
{{- $messages := list -}}
{{- if not .Values.secrets.existingSecret -}}
{{- $messages = append $messages "secrets.existingSecret: set the name of an existing Secret holding the connection strings (and the Gemini key); the chart never takes secrets from values." -}}
{{- end -}}
{{- if not .Values.secrets.keys.postgres -}}
{{- $messages = append $messages "secrets.keys.postgres: must name the Secret key of the application's connection string." -}}
{{- end -}}
{{- if and .Values.migrations.enabled (not .Values.secrets.keys.postgresMigrations) -}}
{{- $messages = append $messages "secrets.keys.postgresMigrations: must name the Secret key of the owner's connection string while migrations.enabled." -}}
{{- end -}}
{{- if not .Values.config.firebase.projectId -}}
{{- $messages = append $messages "config.firebase.projectId: set the Firebase project whose ID tokens are accepted." -}}
{{- end -}}
{{- if not .Values.api.autoscaling.enabled -}}
{{- if lt (int .Values.api.replicaCount) 1 -}}
{{- $messages = append $messages "api.replicaCount: must be at least 1." -}}
{{- end -}}
{{- else -}}
{{- if lt (int .Values.api.autoscaling.minReplicas) 1 -}}
{{- $messages = append $messages "api.autoscaling.minReplicas: must be at least 1." -}}
{{- end -}}
{{- if lt (int .Values.api.autoscaling.maxReplicas) (int .Values.api.autoscaling.minReplicas) -}}
{{- $messages = append $messages "api.autoscaling.maxReplicas: must not be below minReplicas." -}}
{{- end -}}
{{- if and (not .Values.api.autoscaling.targetCPUUtilizationPercentage) (not .Values.api.autoscaling.targetMemoryUtilizationPercentage) -}}
{{- $messages = append $messages "api.autoscaling: set targetCPUUtilizationPercentage and/or targetMemoryUtilizationPercentage." -}}
{{- end -}}
{{- end -}}
{{- if lt (int .Values.worker.replicaCount) 1 -}}
{{- $messages = append $messages "worker.replicaCount: must be at least 1." -}}
{{- end -}}
{{- range $component := list "api" "worker" -}}
{{- $pdb := (index $.Values $component).pdb -}}
{{- if and $pdb.create (not (kindIs "invalid" $pdb.minAvailable)) (ne (toString $pdb.minAvailable) "") (not (kindIs "invalid" $pdb.maxUnavailable)) (ne (toString $pdb.maxUnavailable) "") -}}
{{- $messages = append $messages (printf "%s.pdb: set minAvailable or maxUnavailable, not both." $component) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled (not .Values.networkPolicy.egress.postgres.cidrs) -}}
{{- $messages = append $messages "networkPolicy.egress.postgres.cidrs: list the PostgreSQL server's CIDRs (e.g. 10.20.0.5/32), or the default-deny policy leaves the database unreachable." -}}
{{- end -}}
{{- range $origin := .Values.config.corsAllowedOrigins -}}
{{- if contains "*" (toString $origin) -}}
{{- $messages = append $messages (printf "config.corsAllowedOrigins: %s: list each origin; wildcards are refused (the API refuses to start with one)." $origin) -}}
{{- end -}}
{{- end -}}
{{- $envSources := dict "config.extraEnv" .Values.config.extraEnv "api.extraEnv" .Values.api.extraEnv "worker.extraEnv" .Values.worker.extraEnv "migrations.extraEnv" .Values.migrations.extraEnv -}}
{{- range $source := keys $envSources | sortAlpha -}}
{{- range $env := (get $envSources $source) -}}
{{- $name := upper (toString $env.name) -}}
{{- if contains "EMULATOR_HOST" $name -}}
{{- $messages = append $messages (printf "%s: %s must never be set in Production (it makes the app accept unsigned emulator tokens; the app refuses to start)." $source $env.name) -}}
{{- end -}}
{{- if or (eq $name "ASPNETCORE_ENVIRONMENT") (eq $name "DOTNET_ENVIRONMENT") -}}
{{- $messages = append $messages (printf "%s: %s is fixed to Production by the chart." $source $env.name) -}}
{{- end -}}
{{- if and (ne $source "migrations.extraEnv") (or (eq $name "CONNECTIONSTRINGS__POSTGRESMIGRATIONS") (eq $name "CONNECTIONSTRINGS:POSTGRESMIGRATIONS")) -}}
{{- $messages = append $messages (printf "%s: the owner's connection string (%s) is for the migrations Job only." $source $env.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $messages -}}
{{- printf "\n\nVALUES VALIDATION:\n  - %s\n" (join "\n  - " $messages) | fail -}}
{{- end -}}
{{- end -}}
