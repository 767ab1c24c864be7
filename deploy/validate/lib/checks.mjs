// Schema validation (kubernetes-models) and the security invariants every rendered set must keep.
import { parseAllDocuments } from "yaml";

// Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml), so parse them the same way.
export function parseManifests(text, source) {
  const objects = [];
  for (const doc of parseAllDocuments(text, { version: "1.1" })) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj == null) continue;
    if (obj.kind === "List" && Array.isArray(obj.items)) objects.push(...obj.items);
    else objects.push(obj);
  }
  return objects;
}

export const id = (o) => `${o.kind}/${o.metadata?.name ?? "?"}`;

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  let mod;
  try {
    mod = await import(path);
  } catch {
    return null;
  }
  return mod[kind] ?? null;
}

// Returns a list of problems (empty when the object is valid against the Kubernetes schema).
export async function schemaProblems(obj) {
  if (!obj.apiVersion || !obj.kind) return ["missing apiVersion or kind"];
  const Model = await modelFor(obj.apiVersion, obj.kind);
  if (!Model) return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [String(e.message ?? e).split("\n").slice(0, 5).join("; ")];
  }
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"]);

function podTemplate(o) {
  switch (o.kind) {
    case "Pod": return { metadata: o.metadata, spec: o.spec };
    case "CronJob": return o.spec?.jobTemplate?.spec?.template;
    default: return o.spec?.template;
  }
}

const isJob = (o) => o.kind === "Job" || o.kind === "CronJob";

function selectorMatches(selector, labels) {
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

const FORBIDDEN_ANYWHERE = /EMULATOR_HOST/i;
const OWNER_CONNECTION = /^ConnectionStrings(__|:)PostgresMigrations$/i;

function envProblems(name, value, owner, where) {
  const p = [];
  if (FORBIDDEN_ANYWHERE.test(name)) p.push(`${where}: ${name} must never be set in Production`);
  if (/^(ASPNETCORE|DOTNET)_ENVIRONMENT$/i.test(name) && value !== undefined && value !== "Production") {
    p.push(`${where}: ${name}=${value}, expected Production`);
  }
  if (OWNER_CONNECTION.test(name) && !owner) p.push(`${where}: the owner's connection string is for the migrations Job only`);
  return p;
}

// Runs every invariant over one set of objects deployed together (same namespace).
// Returns [{ subject, problems: [] }] so each subject counts as one check.
export function invariantResults(objects, { defaultNamespace = "default" } = {}) {
  const ns = (o) => o.metadata?.namespace ?? defaultNamespace;
  const results = [];
  const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap").map((o) => [`${ns(o)}/${o.metadata.name}`, o]));
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget");
  const serviceAccounts = objects.filter((o) => o.kind === "ServiceAccount");

  for (const o of objects) {
    const problems = [];
    if (o.kind === "Secret" && (o.data || o.stringData)) problems.push("ships secret data; use an existing Secret");
    if (o.kind === "ServiceAccount" && o.automountServiceAccountToken !== false) problems.push("automountServiceAccountToken must be false");
    if (o.kind === "ConfigMap") {
      for (const [k, v] of Object.entries(o.data ?? {})) problems.push(...envProblems(k, v, false, `data.${k}`));
    }
    if (o.kind === "NetworkPolicy") {
      for (const [i, r] of (o.spec?.ingress ?? []).entries()) if (!r.from?.length) problems.push(`ingress[${i}] has no 'from': it admits every peer`);
      for (const [i, r] of (o.spec?.egress ?? []).entries()) if (!r.to?.length) problems.push(`egress[${i}] has no 'to': it allows every destination`);
      for (const peer of [...(o.spec?.ingress ?? []).flatMap((r) => r.from ?? []), ...(o.spec?.egress ?? []).flatMap((r) => r.to ?? [])]) {
        const isEmpty = (s) => s && !Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length;
        if (isEmpty(peer.namespaceSelector) && (!peer.podSelector || isEmpty(peer.podSelector))) problems.push("a peer selects every pod of every namespace");
      }
    }
    if (o.kind === "Deployment" || o.kind === "StatefulSet") {
      const labels = podTemplate(o)?.metadata?.labels;
      if (!pdbs.some((p) => ns(p) === ns(o) && selectorMatches(p.spec?.selector, labels))) problems.push("no PodDisruptionBudget selects its pods");
    }
    if (WORKLOAD_KINDS.has(o.kind)) problems.push(...workloadProblems(o));
    if (["Secret", "ServiceAccount", "ConfigMap", "NetworkPolicy", "Deployment", "StatefulSet"].includes(o.kind) || WORKLOAD_KINDS.has(o.kind)) {
      results.push({ subject: id(o), problems });
    }
  }
  return results;

  function workloadProblems(o) {
    const p = [];
    const t = podTemplate(o);
    const spec = t?.spec ?? {};
    const labels = t?.metadata?.labels ?? {};
    const owner = isJob(o);
    const psc = spec.securityContext ?? {};

    const selectedBy = policies.filter((np) => ns(np) === ns(o) && selectorMatches(np.spec?.podSelector, labels));
    const types = (np) => np.spec?.policyTypes ?? (np.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"]);
    if (!selectedBy.length) p.push("no NetworkPolicy selects its pods");
    else {
      if (!selectedBy.some((np) => types(np).includes("Ingress"))) p.push("no NetworkPolicy restricts its ingress");
      if (!selectedBy.some((np) => types(np).includes("Egress"))) p.push("no NetworkPolicy restricts its egress");
    }

    if (spec.automountServiceAccountToken !== false) {
      const sa = serviceAccounts.find((s) => s.metadata.name === (spec.serviceAccountName ?? "default") && ns(s) === ns(o));
      if (!(spec.automountServiceAccountToken === undefined && sa?.automountServiceAccountToken === false)) {
        p.push("mounts a service account token (automountServiceAccountToken is not false)");
      }
    }
    for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[k]) p.push(`${k} is true`);

    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    for (const v of spec.volumes ?? []) {
      if (v.hostPath) p.push(`volume ${v.name} is a hostPath`);
      if (v.secret && !owner && !v.secret.items?.length) p.push(`volume ${v.name} mounts a whole Secret; list items so the owner's connection string stays out`);
      for (const it of v.secret?.items ?? []) {
        if (OWNER_CONNECTION.test(it.path) && !owner) p.push(`volume ${v.name} mounts the owner's connection string`);
      }
    }

    const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    if (!containers.length) p.push("no containers");
    for (const c of containers) {
      const csc = c.securityContext ?? {};
      const w = `container ${c.name}`;
      const runAsNonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
      const runAsUser = csc.runAsUser ?? psc.runAsUser;
      const seccomp = (csc.seccompProfile ?? psc.seccompProfile)?.type;
      if (runAsNonRoot !== true) p.push(`${w}: runAsNonRoot is not true`);
      if (!Number.isInteger(runAsUser) || runAsUser === 0) p.push(`${w}: runAsUser must be a non-zero number`);
      if (csc.readOnlyRootFilesystem !== true) p.push(`${w}: readOnlyRootFilesystem is not true`);
      if (csc.allowPrivilegeEscalation !== false) p.push(`${w}: allowPrivilegeEscalation is not false`);
      if (csc.privileged === true) p.push(`${w}: privileged`);
      if (!(csc.capabilities?.drop ?? []).includes("ALL")) p.push(`${w}: capabilities do not drop ALL`);
      if ((csc.capabilities?.add ?? []).length) p.push(`${w}: adds capabilities`);
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") p.push(`${w}: seccompProfile is not RuntimeDefault`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) p.push(`${w}: no cpu/memory requests`);
      if (!c.resources?.limits?.memory) p.push(`${w}: no memory limit`);
      if (!/[:@]/.test(c.image?.split("/").pop() ?? "") || /:latest$/.test(c.image ?? "")) p.push(`${w}: image ${c.image} has no pinned tag`);
      const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
      if (!tmp || !volumes.get(tmp.name)?.emptyDir) p.push(`${w}: /tmp is not an emptyDir (needed with a read-only root filesystem)`);
      if (!owner && (spec.containers ?? []).includes(c)) {
        if (!c.livenessProbe) p.push(`${w}: no livenessProbe`);
        if (!c.readinessProbe) p.push(`${w}: no readinessProbe`);
      }
      for (const e of c.env ?? []) p.push(...envProblems(e.name, e.value, owner, `${w} env`));
      for (const ef of c.envFrom ?? []) {
        const cm = ef.configMapRef && configMaps.get(`${ns(o)}/${ef.configMapRef.name}`);
        if (ef.configMapRef && !cm) p.push(`${w}: envFrom ConfigMap ${ef.configMapRef.name} is not part of the set`);
        for (const [k, v] of Object.entries(cm?.data ?? {})) p.push(...envProblems((ef.prefix ?? "") + k, v, owner, `${w} envFrom ${ef.configMapRef.name}`));
        if (ef.secretRef && !owner) p.push(`${w}: envFrom a whole Secret; mount listed items instead`);
      }
    }
    return p;
  }
}
