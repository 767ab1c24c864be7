// The security invariants every rendered set must keep. Each problem names the check that found it, so the
// self-tests can tell that a broken render was caught by the right check and not by accident.
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"]);
const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);
const FORBIDDEN_ANYWHERE = /EMULATOR_HOST/i;
const OWNER_CONNECTION = /^ConnectionStrings(__|:)PostgresMigrations$/i;
const COMPONENT = "app.kubernetes.io/component";

export function podTemplate(o) {
  switch (o.kind) {
    case "Pod": return { metadata: o.metadata, spec: o.spec };
    case "CronJob": return o.spec?.jobTemplate?.spec?.template;
    default: return o.spec?.template;
  }
}

export const isWorkload = (o) => WORKLOAD_KINDS.has(o?.kind);
// Jobs (migrations, operator commands) are the only pods that may hold the owner's connection.
const isOwnerJob = (o) => o.kind === "Job" || o.kind === "CronJob";
const isSandbox = (o) => podTemplate(o)?.metadata?.labels?.[COMPONENT] === "sandbox";

export function selectorMatches(selector, labels) {
  if (!selector) return false;
  labels = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const val = labels[e.key];
    if (e.operator === "In" && !(has && e.values.includes(val))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(val)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function envProblems(name, value, owner, where) {
  const p = [];
  if (FORBIDDEN_ANYWHERE.test(name)) p.push(["env-emulator", `${where}: ${name} must never be set in Production`]);
  if (/^(ASPNETCORE|DOTNET)_ENVIRONMENT$/i.test(name) && value !== undefined && value !== "Production") {
    p.push(["env-environment", `${where}: ${name}=${value}, expected Production`]);
  }
  if (OWNER_CONNECTION.test(name) && !owner) p.push(["owner-connection", `${where}: the owner's connection string is for the migrations and operator Jobs only`]);
  return p;
}

const worldWide = (cidr) => typeof cidr === "string" && /\/0$/.test(cidr);

// Runs every invariant over one set of objects deployed together. Returns [{ subject, problems: [{ check, message }] }].
// production: image references must be pinned by digest.
export function invariantResults(objects, { defaultNamespace = "default", production = false } = {}) {
  const ns = (o) => o.metadata?.namespace ?? defaultNamespace;
  const results = [];
  const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap").map((o) => [`${ns(o)}/${o.metadata.name}`, o]));
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget");
  const serviceAccounts = objects.filter((o) => o.kind === "ServiceAccount");
  const appNamespaces = new Set(objects.filter((o) => o.kind === "Deployment" && podTemplate(o)?.metadata?.labels?.[COMPONENT] === "api").map(ns));

  for (const o of objects) {
    const problems = [];
    const add = (check, message) => problems.push({ check, message });
    if (o.kind === "Secret" && (o.data || o.stringData)) add("secret-data", "ships secret data; use an existing Secret");
    if (o.kind === "ServiceAccount" && o.automountServiceAccountToken !== false) add("token", "automountServiceAccountToken must be false");
    if (o.kind === "ConfigMap") {
      for (const [k, v] of Object.entries(o.data ?? {})) for (const [c, m] of envProblems(k, v, false, `data.${k}`)) add(c, m);
    }
    if (o.kind === "Namespace" && appNamespaces.has(o.metadata.name) && o.metadata.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted") {
      add("pod-security", "the application's namespace must enforce the restricted Pod Security level");
    }
    if (o.kind === "PodDisruptionBudget" && o.spec?.unhealthyPodEvictionPolicy !== "AlwaysAllow") {
      add("pdb-eviction", "unhealthyPodEvictionPolicy must be AlwaysAllow, or unready pods (a database outage) block node drains");
    }
    if (o.kind === "NetworkPolicy") {
      for (const [i, r] of (o.spec?.ingress ?? []).entries()) {
        if (!r.from?.length) add("np-ingress-no-from", `ingress[${i}] has no 'from': it admits every peer`);
        if (!r.ports?.length && r.from?.some((peer) => worldWide(peer.ipBlock?.cidr))) add("np-world-no-ports", `ingress[${i}] admits the whole internet on every port`);
      }
      for (const [i, r] of (o.spec?.egress ?? []).entries()) {
        if (!r.to?.length) add("np-egress-no-to", `egress[${i}] has no 'to': it allows every destination`);
        if (!r.ports?.length && r.to?.some((peer) => worldWide(peer.ipBlock?.cidr))) add("np-world-no-ports", `egress[${i}] allows the whole internet on every port`);
      }
      const isEmpty = (s) => s && !Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length;
      for (const peer of [...(o.spec?.ingress ?? []).flatMap((r) => r.from ?? []), ...(o.spec?.egress ?? []).flatMap((r) => r.to ?? [])]) {
        if (isEmpty(peer.namespaceSelector) && (!peer.podSelector || isEmpty(peer.podSelector))) add("np-peer-everything", "a peer selects every pod of every namespace");
      }
    }
    if (o.kind === "Service" && o.spec?.selector) {
      // /metrics has a management port of its own; a Service (the public way in) must never lead to it.
      const metricsPorts = objects.filter((w) => isWorkload(w) && ns(w) === ns(o) && selectorMatches({ matchLabels: o.spec.selector }, podTemplate(w)?.metadata?.labels))
        .flatMap((w) => podTemplate(w).spec?.containers ?? []).flatMap((c) => c.ports ?? []).filter((cp) => cp.name === "metrics");
      for (const sp of o.spec.ports ?? []) {
        const target = sp.targetPort ?? sp.port;
        if (target === "metrics" || metricsPorts.some((m) => m.containerPort === target)) add("service-metrics", `port ${sp.name ?? sp.port} leads to the /metrics management port`);
      }
    }
    if (o.kind === "Deployment" || o.kind === "StatefulSet") {
      const labels = podTemplate(o)?.metadata?.labels;
      if (!pdbs.some((p) => ns(p) === ns(o) && selectorMatches(p.spec?.selector, labels))) add("pdb", "no PodDisruptionBudget selects its pods");
    }
    if (isWorkload(o)) for (const [c, m] of workloadProblems(o)) add(c, m);
    if (["Secret", "Service", "ServiceAccount", "ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "Namespace"].includes(o.kind) || isWorkload(o)) {
      results.push({ subject: id(o), problems });
    }
  }
  return results;

  function id(o) {
    return `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name ?? "?"}`;
  }

  function workloadProblems(o) {
    const p = [];
    const t = podTemplate(o);
    const spec = t?.spec ?? {};
    const labels = t?.metadata?.labels ?? {};
    const owner = isOwnerJob(o);
    const sandbox = isSandbox(o);
    const psc = spec.securityContext ?? {};

    const selectedBy = policies.filter((np) => ns(np) === ns(o) && selectorMatches(np.spec?.podSelector, labels));
    const types = (np) => np.spec?.policyTypes ?? (np.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"]);
    if (!selectedBy.length) p.push(["np-selects", "no NetworkPolicy selects its pods"]);
    else {
      if (!selectedBy.some((np) => types(np).includes("Ingress"))) p.push(["np-ingress", "no NetworkPolicy restricts its ingress"]);
      if (!selectedBy.some((np) => types(np).includes("Egress"))) p.push(["np-egress", "no NetworkPolicy restricts its egress"]);
    }

    if (spec.automountServiceAccountToken !== false) {
      const sa = serviceAccounts.find((s) => s.metadata.name === (spec.serviceAccountName ?? "default") && ns(s) === ns(o));
      if (!(spec.automountServiceAccountToken === undefined && sa?.automountServiceAccountToken === false)) {
        p.push(["token", "mounts a service account token (automountServiceAccountToken is not false)"]);
      }
    }
    for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[k]) p.push(["host-namespaces", `${k} is true`]);

    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    for (const v of spec.volumes ?? []) {
      if (v.hostPath) p.push(["host-path", `volume ${v.name} is a hostPath`]);
      if (v.secret && !owner && !v.secret.items?.length) p.push(["whole-secret", `volume ${v.name} mounts a whole Secret; list items so the owner's connection string stays out`]);
      for (const it of v.secret?.items ?? []) {
        if (OWNER_CONNECTION.test(it.path) && !owner) p.push(["owner-connection", `volume ${v.name} mounts the owner's connection string`]);
        if (sandbox && it.path !== "Sandbox__Secret") p.push(["sandbox-secrets", `volume ${v.name} gives the sandbox ${it.path}; it needs Sandbox__Secret only`]);
      }
    }

    const seccompOf = (c) => (c.securityContext?.seccompProfile ?? psc.seccompProfile)?.type;
    const appArmorOf = (c) => (c.securityContext?.appArmorProfile ?? psc.appArmorProfile)?.type;
    const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    if (!containers.length) p.push(["containers", "no containers"]);
    for (const c of containers) {
      const csc = c.securityContext ?? {};
      const w = `container ${c.name}`;
      const runAsNonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
      const runAsUser = csc.runAsUser ?? psc.runAsUser;
      if (runAsNonRoot !== true) p.push(["run-as-non-root", `${w}: runAsNonRoot is not true`]);
      if (!Number.isInteger(runAsUser) || runAsUser === 0) p.push(["run-as-user", `${w}: runAsUser must be a non-zero number`]);
      if (csc.readOnlyRootFilesystem !== true) p.push(["read-only-root", `${w}: readOnlyRootFilesystem is not true`]);
      if (csc.allowPrivilegeEscalation !== false) p.push(["privilege-escalation", `${w}: allowPrivilegeEscalation is not false`]);
      if (csc.privileged === true) p.push(["privileged", `${w}: privileged`]);
      if (!(csc.capabilities?.drop ?? []).includes("ALL")) p.push(["capabilities-drop", `${w}: capabilities do not drop ALL`]);
      if ((csc.capabilities?.add ?? []).length) p.push(["capabilities-add", `${w}: adds capabilities`]);
      if (csc.procMount && csc.procMount !== "Default") p.push(["proc-mount", `${w}: procMount ${csc.procMount}`]);
      const seccomp = seccompOf(c);
      if (!(seccomp === "RuntimeDefault" || seccomp === "Localhost" || (sandbox && seccomp === "Unconfined"))) p.push(["seccomp", `${w}: seccompProfile is ${seccomp ?? "not set"}, expected RuntimeDefault or Localhost`]);
      if (appArmorOf(c) === "Unconfined" && !sandbox) p.push(["apparmor", `${w}: AppArmor is Unconfined`]);
      for (const port of c.ports ?? []) if (port.hostPort) p.push(["host-port", `${w}: hostPort ${port.hostPort}`]);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) p.push(["resources", `${w}: no cpu/memory requests`]);
      if (!c.resources?.limits?.memory) p.push(["memory-limit", `${w}: no memory limit`]);
      const image = c.image ?? "";
      const lastPart = image.split("/").pop();
      if (!/[:@]/.test(lastPart) || /:latest$/.test(image)) p.push(["image-pinned", `${w}: image ${image} has no pinned tag`]);
      if (production && !/@sha256:[0-9a-f]{64}$/.test(image)) p.push(["image-digest", `${w}: image ${image} is not pinned by digest (production values)`]);
      const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
      if (!tmp || !volumes.get(tmp.name)?.emptyDir) p.push(["tmp-emptydir", `${w}: /tmp is not an emptyDir (needed with a read-only root filesystem)`]);
      if (LONG_RUNNING.has(o.kind) && (spec.containers ?? []).includes(c)) {
        if (!c.livenessProbe) p.push(["probes", `${w}: no livenessProbe`]);
        if (!c.readinessProbe) p.push(["probes", `${w}: no readinessProbe`]);
      }
      for (const e of c.env ?? []) p.push(...envProblems(e.name, e.value, owner, `${w} env`));
      for (const ef of c.envFrom ?? []) {
        const cm = ef.configMapRef && configMaps.get(`${ns(o)}/${ef.configMapRef.name}`);
        if (ef.configMapRef && !cm) p.push(["envfrom", `${w}: envFrom ConfigMap ${ef.configMapRef.name} is not part of the set`]);
        for (const [k, v] of Object.entries(cm?.data ?? {})) p.push(...envProblems((ef.prefix ?? "") + k, v, owner, `${w} envFrom ${ef.configMapRef.name}`));
        if (ef.secretRef && !owner) p.push(["envfrom", `${w}: envFrom a whole Secret; mount listed items instead`]);
      }
    }

    if (sandbox) {
      const relaxed = containers.some((c) => seccompOf(c) === "Unconfined" || appArmorOf(c) === "Unconfined");
      if (relaxed && appNamespaces.has(ns(o))) p.push(["sandbox-namespace", "with an Unconfined profile the sandbox must not share the API's namespace (restricted Pod Security)"]);
      if (spec.enableServiceLinks !== false) p.push(["sandbox-env", "enableServiceLinks must be false: no service addresses in the sandbox's environment"]);
      if (!selectedBy.some((np) => types(np).includes("Egress")) || selectedBy.some((np) => (np.spec?.egress ?? []).length)) {
        p.push(["sandbox-egress", "the sandbox must have no egress at all (not even DNS)"]);
      }
      const peers = selectedBy.flatMap((np) => np.spec?.ingress ?? []).flatMap((r) => r.from ?? []);
      if (!peers.length || peers.some((peer) => !["api", "worker"].includes(peer.podSelector?.matchLabels?.[COMPONENT]) || !peer.namespaceSelector)) {
        p.push(["sandbox-ingress", "only the API and worker pods (by namespace and pod selector) may reach the sandbox"]);
      }
    }
    return p;
  }
}
