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

{{- define "learnplatform.sandboxNamespace" -}}
{{- default (printf "%s-sandbox" .Release.Namespace) .Values.sandbox.namespace -}}
{{- end -}}

{{- define "learnplatform.sandboxUrl" -}}
{{- printf "http://%s.%s.svc:%v" (include "learnplatform.componentName" (dict "ctx" . "component" "sandbox")) (include "learnplatform.sandboxNamespace" .) .Values.sandbox.containerPort -}}
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

{{/* Images */}}
{{- define "learnplatform.imageTag" -}}
{{- /* toString: a tag given with --set may arrive as a number */ -}}
{{- default .Chart.AppVersion (.Values.image.tag | default "" | toString) -}}
{{- end -}}

{{/* learnplatform.imageRef (dict "registry" "r" "repository" "x" "tag" "t" "digest" "sha256:...") */}}
{{- define "learnplatform.imageRef" -}}
{{- $repo := .repository -}}
{{- if .registry -}}
{{- $repo = printf "%s/%s" .registry .repository -}}
{{- end -}}
{{- if .digest -}}
{{- printf "%s:%s@%s" $repo (toString .tag) .digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (toString .tag) -}}
{{- end -}}
{{- end -}}

{{- define "learnplatform.image" -}}
{{- include "learnplatform.imageRef" (dict "registry" .Values.image.registry "repository" .Values.image.repository "tag" (include "learnplatform.imageTag" .) "digest" .Values.image.digest) -}}
{{- end -}}

{{- define "learnplatform.sandboxImage" -}}
{{- $s := .Values.sandbox.image -}}
{{- include "learnplatform.imageRef" (dict "registry" .Values.image.registry "repository" $s.repository "tag" (default (include "learnplatform.imageTag" .) ($s.tag | default "" | toString)) "digest" $s.digest) -}}
{{- end -}}

{{- define "learnplatform.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Environment shared by every application container (API, worker, migrations, operator). */}}
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

{{/* Environment of the two hosts that call the sandbox (API and worker). */}}
{{- define "learnplatform.sandboxClientEnv" -}}
{{- if .Values.sandbox.enabled }}
- name: Sandbox__BaseUrl
  value: {{ include "learnplatform.sandboxUrl" . | quote }}
{{- end }}
{{- end -}}

{{/*
The existingSecret mounted as files named after configuration keys, and /tmp.
learnplatform.volumes (dict "ctx" $ "owner" true|false "extra" $extraVolumes): only the migrations and operator
Jobs (owner) get the owner's connection string; they get nothing else of the Secret.
*/}}
{{- define "learnplatform.volumes" -}}
{{- $s := .ctx.Values.secrets -}}
- name: secrets
  secret:
    secretName: {{ $s.existingSecret | quote }}
    defaultMode: 288 # 0440: owner and group (fsGroup) may read
    items:
      - key: {{ $s.keys.postgres | quote }}
        path: ConnectionStrings__Postgres
      {{- if .owner }}
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
      {{- with $s.keys.attemptLedgerKey }}
      - key: {{ . | quote }}
        path: Privacy__AttemptLedgerKey
      {{- end }}
      {{- if .ctx.Values.sandbox.enabled }}
      - key: {{ $s.keys.sandboxSecret | quote }}
        path: Sandbox__Secret
      {{- end }}
      {{- range $s.extraKeys }}
      - key: {{ required "secrets.extraKeys[].key is required" .key | quote }}
        path: {{ required "secrets.extraKeys[].path is required" .path | quote }}
      {{- end }}
      {{- end }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .ctx.Values.tmpVolume.sizeLimit }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* learnplatform.volumeMounts (dict "ctx" $ "extra" $extraVolumeMounts) */}}
{{- define "learnplatform.volumeMounts" -}}
- name: secrets
  mountPath: {{ .ctx.Values.secrets.mountPath }}
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- with .extra }}
{{ toYaml . }}
{{- end }}
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

{{/*
The Cloud SQL Auth Proxy as a native sidecar (an init container with restartPolicy: Always): it starts before the
application container, its startup probe holds the application back until it listens, and it stops after the
application, so Jobs still complete. Credentials: the pod's Workload Identity (no key file).
*/}}
{{- define "learnplatform.cloudSqlProxy" -}}
{{- $p := .Values.cloudSqlProxy -}}
{{- if $p.enabled }}
- name: cloud-sql-proxy
  image: {{ include "learnplatform.imageRef" $p.image }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  restartPolicy: Always
  args:
    - --structured-logs
    - --exit-zero-on-sigterm
    - --address=127.0.0.1
    - --port={{ $p.port }}
    - --health-check
    - --http-address=0.0.0.0
    - --http-port={{ $p.healthPort }}
    {{- if $p.privateIp }}
    - --private-ip
    {{- end }}
    {{- if $p.autoIamAuthn }}
    - --auto-iam-authn
    {{- end }}
    {{- with $p.extraArgs }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    - {{ $p.instanceConnectionName | quote }}
  securityContext:
    {{- toYaml .Values.containerSecurityContext | nindent 4 }}
  resources:
    {{- toYaml $p.resources | nindent 4 }}
  startupProbe:
    httpGet: {path: /startup, port: {{ $p.healthPort }}}
    periodSeconds: 1
    timeoutSeconds: 5
    failureThreshold: 30
  livenessProbe:
    httpGet: {path: /liveness, port: {{ $p.healthPort }}}
    periodSeconds: 30
    timeoutSeconds: 10
    failureThreshold: 5
  volumeMounts:
    - name: tmp
      mountPath: /tmp
{{- end }}
{{- end -}}

{{/* Google's documented VIPs for Private Google Access (IPv4 and IPv6). */}}
{{- define "learnplatform.googleApisCidrs" -}}
{{- if eq .Values.networkPolicy.egress.googleApis.endpoint "restricted" -}}
- 199.36.153.4/30
- 2600:2d00:2:1000::/64
{{- else -}}
- 199.36.153.8/30
- 2600:2d00:2:2000::/64
{{- end -}}
{{- end -}}

{{/* Port of the OTLP collector: networkPolicy.egress.otlp.port, else config.otlpEndpoint's, else 80/443 by scheme. */}}
{{- define "learnplatform.otlpPort" -}}
{{- $explicit := .Values.networkPolicy.egress.otlp.port | default "" | toString -}}
{{- if $explicit -}}
{{- $explicit -}}
{{- else -}}
{{- $url := urlParse .Values.config.otlpEndpoint -}}
{{- $hostPort := splitList ":" $url.host -}}
{{- if gt (len $hostPort) 1 -}}
{{- last $hostPort -}}
{{- else if eq $url.scheme "https" -}}
443
{{- else -}}
80
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Egress of an application pod: (dict "ctx" $ "sandboxClient" true|false).
DNS, PostgreSQL (or the Cloud SQL instance through the proxy), Google APIs, the OTLP collector, the metadata
server, the sandbox (API and worker only), then networkPolicy.egress.extra.
*/}}
{{- define "learnplatform.egressRules" -}}
{{- $v := .ctx.Values -}}
{{- $e := $v.networkPolicy.egress -}}
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
      {{- if $v.cloudSqlProxy.enabled }}
      port: 3307 # the Cloud SQL instance's proxy server port
      {{- else }}
      port: {{ $e.postgres.port }}
      {{- end }}
{{- if $e.googleApis.enabled }}
- to:
    {{- range (include "learnplatform.googleApisCidrs" .ctx | fromYamlArray) }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - protocol: TCP
      port: 443
{{- end }}
{{- with $e.https.to }}
- to:
    {{- toYaml . | nindent 4 }}
  ports:
    - protocol: TCP
      port: 443
{{- end }}
{{- if and $v.config.otlpEndpoint $e.otlp.to }}
- to:
    {{- toYaml $e.otlp.to | nindent 4 }}
  ports:
    - protocol: TCP
      port: {{ include "learnplatform.otlpPort" .ctx }}
{{- end }}
{{- if or $e.metadataServer.enabled $v.cloudSqlProxy.enabled }}
{{- range $e.metadataServer.to }}
- to:
    - ipBlock:
        {{- toYaml .ipBlock | nindent 8 }}
  ports:
    - protocol: TCP
      port: {{ .port }}
{{- end }}
{{- end }}
{{- if and .sandboxClient $v.sandbox.enabled }}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ include "learnplatform.sandboxNamespace" .ctx }}
      podSelector:
        matchLabels:
          {{- include "learnplatform.componentSelectorLabels" (dict "ctx" .ctx "component" "sandbox") | nindent 10 }}
  ports:
    - protocol: TCP
      port: {{ $v.sandbox.containerPort }}
{{- end }}
{{- with $e.extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod Security level a sandbox pod with these profiles meets: Unconfined seccomp or AppArmor is "privileged". */}}
{{- define "learnplatform.sandboxPodSecurityLevel" -}}
{{- $s := .Values.sandbox -}}
{{- if or (eq (toString $s.seccompProfile.type) "Unconfined") (eq (toString $s.appArmorProfile.type) "Unconfined") -}}
privileged
{{- else -}}
restricted
{{- end -}}
{{- end -}}

{{/*
The ports a host listens on (ASPNETCORE_HTTP_PORTS) and, with metrics.enabled, the management port of /metrics.
Call with (dict "ctx" . "port" <the host's own port>).
*/}}
{{- define "learnplatform.listenEnv" -}}
{{- $m := .ctx.Values.metrics -}}
- name: ASPNETCORE_HTTP_PORTS
  value: {{ ternary (printf "%v;%v" .port $m.port) (toString .port) $m.enabled | quote }}
{{- if $m.enabled }}
- name: Telemetry__PrometheusPort
  value: {{ $m.port | quote }}
{{- end }}
{{- end -}}

{{/* The container port of /metrics, with metrics.enabled. */}}
{{- define "learnplatform.metricsContainerPort" -}}
{{- if .Values.metrics.enabled }}
- name: metrics
  containerPort: {{ .Values.metrics.port }}
  protocol: TCP
{{- end }}
{{- end -}}

{{/* Ingress from the scraper to the metrics port only, with metrics.enabled. */}}
{{- define "learnplatform.metricsIngress" -}}
{{- if .Values.metrics.enabled }}
- from:
    - namespaceSelector:
        {{- toYaml .Values.metrics.scraper.namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml .Values.metrics.scraper.podSelector | nindent 8 }}
  ports:
    - protocol: TCP
      port: {{ .Values.metrics.port }}
{{- end }}
{{- end -}}
