{{/*
Validation of values the schema cannot express: every problem is collected, then the release fails with all of
them. values.schema.json already refuses unknown keys and wrong types.
*/}}
{{- define "learnplatform.validateValues" -}}
{{- $v := .Values -}}
{{- $messages := list -}}
{{- if not $v.secrets.existingSecret -}}
{{- $messages = append $messages "secrets.existingSecret: set the name of an existing Secret holding the connection strings (and the Gemini key); the chart never takes secrets from values." -}}
{{- end -}}
{{- if not $v.secrets.keys.postgres -}}
{{- $messages = append $messages "secrets.keys.postgres: must name the Secret key of the application's connection string." -}}
{{- end -}}
{{- if and (or $v.migrations.enabled $v.operator.enabled) (not $v.secrets.keys.postgresMigrations) -}}
{{- $messages = append $messages "secrets.keys.postgresMigrations: must name the Secret key of the owner's connection string while migrations or operator is enabled." -}}
{{- end -}}
{{- if not $v.config.firebase.projectId -}}
{{- $messages = append $messages "config.firebase.projectId: set the Firebase project whose ID tokens are accepted." -}}
{{- end -}}
{{- range $component := list "api" "worker" -}}
{{- $c := index $v $component -}}
{{- if not $c.autoscaling.enabled -}}
{{- if lt (int $c.replicaCount) 1 -}}
{{- $messages = append $messages (printf "%s.replicaCount: must be at least 1." $component) -}}
{{- end -}}
{{- else -}}
{{- if lt (int $c.autoscaling.minReplicas) 1 -}}
{{- $messages = append $messages (printf "%s.autoscaling.minReplicas: must be at least 1." $component) -}}
{{- end -}}
{{- if lt (int $c.autoscaling.maxReplicas) (int $c.autoscaling.minReplicas) -}}
{{- $messages = append $messages (printf "%s.autoscaling.maxReplicas: must not be below minReplicas." $component) -}}
{{- end -}}
{{- if and (not $c.autoscaling.targetCPUUtilizationPercentage) (not $c.autoscaling.targetMemoryUtilizationPercentage) (not $c.autoscaling.metrics) -}}
{{- $messages = append $messages (printf "%s.autoscaling: set a target (CPU, memory or metrics) to scale on." $component) -}}
{{- end -}}
{{- end -}}
{{- $pdb := $c.pdb -}}
{{- if and $pdb.create (not (kindIs "invalid" $pdb.minAvailable)) (ne (toString $pdb.minAvailable) "") (not (kindIs "invalid" $pdb.maxUnavailable)) (ne (toString $pdb.maxUnavailable) "") -}}
{{- $messages = append $messages (printf "%s.pdb: set minAvailable or maxUnavailable, not both." $component) -}}
{{- end -}}
{{- end -}}
{{- if $v.networkPolicy.enabled -}}
{{- if not $v.networkPolicy.egress.postgres.cidrs -}}
{{- $messages = append $messages "networkPolicy.egress.postgres.cidrs: list the PostgreSQL server's CIDRs (e.g. 10.20.0.5/32), or the default-deny policy leaves the database unreachable." -}}
{{- end -}}
{{- if and $v.config.otlpEndpoint (not $v.networkPolicy.egress.otlp.to) -}}
{{- $messages = append $messages "networkPolicy.egress.otlp.to: config.otlpEndpoint is set, so list the collector's peers (e.g. its namespaceSelector and podSelector); without a rule the default-deny policy drops all telemetry." -}}
{{- end -}}
{{- end -}}
{{- with $v.config.otlpEndpoint -}}
{{- $url := urlParse . -}}
{{- if or (not (has $url.scheme (list "http" "https"))) (not $url.host) -}}
{{- $messages = append $messages (printf "config.otlpEndpoint: %s is not an http(s)://host[:port] URL." .) -}}
{{- end -}}
{{- end -}}
{{- if and $v.metrics.enabled (has (int $v.metrics.port) (list (int $v.api.containerPort) (int $v.worker.healthPort))) -}}
{{- $messages = append $messages (printf "metrics.port: %v is also api.containerPort or worker.healthPort; /metrics needs a port of its own, which the API Service does not expose." $v.metrics.port) -}}
{{- end -}}
{{- if and $v.api.ingress.enabled (not $v.config.network.trustedProxies) (not $v.config.network.trustedNetworks) -}}
{{- $messages = append $messages "config.network: api.ingress.enabled but no trustedProxies or trustedNetworks; the API would see every client as the ingress controller's address (shared rate limits, useless audit addresses). List the ingress controller's pod network." -}}
{{- end -}}
{{- if and $v.cloudSqlProxy.enabled (not $v.cloudSqlProxy.instanceConnectionName) -}}
{{- $messages = append $messages "cloudSqlProxy.instanceConnectionName: set PROJECT:REGION:INSTANCE while cloudSqlProxy.enabled." -}}
{{- end -}}
{{- if $v.sandbox.enabled -}}
{{- if not $v.secrets.keys.sandboxSecret -}}
{{- $messages = append $messages "secrets.keys.sandboxSecret: must name the Secret key of Sandbox__Secret while sandbox.enabled." -}}
{{- end -}}
{{- if and (eq (include "learnplatform.sandboxNamespace" .) .Release.Namespace) (eq (include "learnplatform.sandboxPodSecurityLevel" .) "privileged") -}}
{{- $messages = append $messages "sandbox.namespace: with an Unconfined seccomp or AppArmor profile the sandbox cannot share the release namespace (enforced at the restricted Pod Security level); leave it empty for \"<namespace>-sandbox\"." -}}
{{- end -}}
{{- end -}}
{{- range $origin := $v.config.corsAllowedOrigins -}}
{{- if contains "*" (toString $origin) -}}
{{- $messages = append $messages (printf "config.corsAllowedOrigins: %s: list each origin; wildcards are refused (the API refuses to start with one)." $origin) -}}
{{- end -}}
{{- end -}}
{{- $envSources := dict "config.extraEnv" $v.config.extraEnv "api.extraEnv" $v.api.extraEnv "worker.extraEnv" $v.worker.extraEnv "migrations.extraEnv" $v.migrations.extraEnv "operator.extraEnv" $v.operator.extraEnv "sandbox.extraEnv" $v.sandbox.extraEnv -}}
{{- range $source := keys $envSources | sortAlpha -}}
{{- range $env := (get $envSources $source) -}}
{{- $name := upper (toString $env.name) -}}
{{- if contains "EMULATOR_HOST" $name -}}
{{- $messages = append $messages (printf "%s: %s must never be set in Production (it makes the app accept unsigned emulator tokens; the app refuses to start)." $source $env.name) -}}
{{- end -}}
{{- if or (eq $name "ASPNETCORE_ENVIRONMENT") (eq $name "DOTNET_ENVIRONMENT") -}}
{{- $messages = append $messages (printf "%s: %s is fixed to Production by the chart." $source $env.name) -}}
{{- end -}}
{{- if and (not (has $source (list "migrations.extraEnv" "operator.extraEnv"))) (or (eq $name "CONNECTIONSTRINGS__POSTGRESMIGRATIONS") (eq $name "CONNECTIONSTRINGS:POSTGRESMIGRATIONS")) -}}
{{- $messages = append $messages (printf "%s: the owner's connection string (%s) is for the migrations and operator Jobs only." $source $env.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $messages -}}
{{- printf "\n\nVALUES VALIDATION:\n  - %s\n" (join "\n  - " $messages) | fail -}}
{{- end -}}
{{- end -}}
