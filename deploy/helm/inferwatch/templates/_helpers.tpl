{{- define "inferwatch.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "inferwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "inferwatch.labels" -}}
{{ include "inferwatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "inferwatch.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Secret whose keys become environment variables of every pod. */}}
{{- define "inferwatch.secretName" -}}
{{- .Values.secret.existingSecret | default (printf "%s-env" (include "inferwatch.fullname" .)) -}}
{{- end -}}

{{/*
The config every role reads. The chart owns where it listens, how long shutdown may take and where the
store is; each pod's name becomes its service.instance.id through ${POD_NAME}.
*/}}
{{- define "inferwatch.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $telemetry := get $config "telemetry" | default dict -}}
{{- $prober := get $config "prober" | default dict -}}
{{- $owned := dict
  "server" (dict "host" "0.0.0.0" "port" (int .Values.port) "shutdownGraceMs" (int .Values.shutdownGraceMs))
  "store" (dict "path" "/data/inferwatch.db")
  "telemetry" (dict "instanceId" (get $telemetry "instanceId" | default "${POD_NAME}"))
  "prober" (dict "instance" (get $prober "instance" | default "${POD_NAME}")) -}}
{{- if .Values.metrics.enabled -}}
{{- $_ := set (get $owned "telemetry") "prometheus" (dict "enabled" true "host" "0.0.0.0" "port" (int .Values.metrics.port)) -}}
{{- end -}}
{{- toYaml (mustMergeOverwrite $config $owned) -}}
{{- end -}}

{{/*
The pod template shared by the roles. Arguments: root (the chart context), component, role (the CLI
command), resources, region (probers), scheduling (nodeSelector, tolerations, affinity), dataVolume.
*/}}
{{- define "inferwatch.podSpec" -}}
{{- $root := .root -}}
{{- $values := $root.Values -}}
metadata:
  labels:
    {{- include "inferwatch.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- with $values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # Rolls the pods when the config changes.
    checksum/config: {{ include "inferwatch.config" $root | sha256sum }}
    {{- with $values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- with $values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $values.podSecurityContext | nindent 4 }}
  # preStop, then the shutdown grace for in-flight streams, then a margin before SIGKILL.
  terminationGracePeriodSeconds: {{ add $values.preStopSleepSeconds (div (add $values.shutdownGraceMs 999) 1000) 5 }}
  containers:
    - name: inferwatch
      image: {{ include "inferwatch.image" $root }}
      imagePullPolicy: {{ $values.image.pullPolicy }}
      args: [{{ .role | quote }}, "--config", "/etc/inferwatch/inferwatch.yaml"]
      env:
        - name: POD_NAME
          valueFrom:
            fieldRef: { fieldPath: metadata.name }
        {{- if .region }}
        - name: INFERWATCH_REGION
          value: {{ .region | quote }}
        {{- end }}
      envFrom:
        - secretRef:
            name: {{ include "inferwatch.secretName" $root }}
            optional: {{ and (not $values.secret.existingSecret) (empty $values.secret.values) }}
      ports:
        - name: http
          containerPort: {{ $values.port }}
        {{- if $values.metrics.enabled }}
        - name: metrics
          containerPort: {{ $values.metrics.port }}
        {{- end }}
      startupProbe:
        httpGet: { path: /health, port: http }
        periodSeconds: 2
        failureThreshold: 30
      livenessProbe:
        httpGet: { path: /health, port: http }
        periodSeconds: 10
        timeoutSeconds: 3
        failureThreshold: 3
      readinessProbe:
        httpGet: { path: /ready, port: http }
        periodSeconds: 5
        timeoutSeconds: 3
        failureThreshold: 2
      lifecycle:
        preStop:
          exec:
            command: ["sleep", {{ $values.preStopSleepSeconds | quote }}]
      resources:
        {{- toYaml .resources | nindent 8 }}
      securityContext:
        {{- toYaml $values.securityContext | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/inferwatch
          readOnly: true
        - name: data
          mountPath: /data
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: config
      configMap:
        name: {{ include "inferwatch.fullname" $root }}-config
    {{- if .dataVolume }}
    - name: data
      {{- toYaml .dataVolume | nindent 6 }}
    {{- else }}
    - name: data
      emptyDir:
        sizeLimit: {{ $values.storage.sizeLimit }}
    {{- end }}
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
  {{- with .scheduling.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .scheduling.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .scheduling.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
