// Offline validation of everything under helm/ and deploy/kustomize/:
//  1. values.yaml documents every value with "## @param";
//  2. helm lint --strict and helm template for several value sets, each object validated against the
//     Kubernetes schema (kubernetes-models) and the security invariants (lib/checks.mjs);
//  3. broken copies of a render are rejected (self-test), and helm template must FAIL, with the expected message, on invalid values (validateValues);
//  4. kubectl kustomize of the base and of the production overlay, validated the same way.
// Exits non-zero when anything fails. Prints "N passed, N failed" last.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { findTool } from "./lib/tools.mjs";
import { parseManifests, schemaProblems, invariantResults, id } from "./lib/checks.mjs";
import { paramProblems } from "./lib/params.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const chart = join(repo, "helm", "learnplatform");
const values = (f) => join(here, "values", f);
const NS = "learnplatform";
const KUBE_VERSION = "1.30.0"; // the chart's minimum (Chart.yaml kubeVersion)

let passed = 0;
let failed = 0;
function report(ok, what, problems = []) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  for (const p of problems) console.log(`       - ${p}`);
}

function run(cmd, args) {
  try {
    return { ok: true, out: execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 }) };
  } catch (e) {
    return { ok: false, out: `${e.stdout ?? ""}${e.stderr ?? ""}` || String(e.message) };
  }
}

async function validateSet(label, objects, expectations = () => []) {
  for (const o of objects) {
    const problems = await schemaProblems(o);
    report(!problems.length, `[${label}] schema ${id(o)}`, problems);
  }
  for (const r of invariantResults(objects, { defaultNamespace: NS })) {
    report(!r.problems.length, `[${label}] invariants ${r.subject}`, r.problems);
  }
  const missing = expectations(objects);
  report(!missing.length, `[${label}] expected objects present`, missing);
}

const envOf = (deployment, name) =>
  deployment.spec.template.spec.containers[0].env?.find((e) => e.name === name)?.value;

const has = (objects, kind, name, pred = () => true) =>
  objects.some((o) => o.kind === kind && o.metadata?.name === name && pred(o)) ? [] : [`missing ${kind}/${name}`];
const hook = (o) => o.metadata?.annotations?.["helm.sh/hook"] === "pre-install,pre-upgrade";

const helm = findTool(here, "helm");
const kubectl = findTool(here, "kubectl");
console.log(`helm ${run(helm, ["version", "--short"]).out.trim()} and kubectl ${JSON.parse(run(kubectl, ["version", "--client", "-o", "json"]).out).clientVersion.gitVersion}`);

// 1. @param coverage
{
  const { count, problems } = paramProblems(join(chart, "values.yaml"));
  report(!problems.length, `values.yaml: ${count} @param lines cover every value`, problems);
}

// 2. Valid value sets: lint, render, validate.
const scenarios = [
  {
    label: "chart: minimal values",
    args: ["-f", values("minimal.yaml")],
    expect: (o) => [
      ...has(o, "Deployment", "lp-learnplatform-api", (d) => d.spec.replicas === 2),
      ...has(o, "Deployment", "lp-learnplatform-worker", (d) => d.spec.template.spec.terminationGracePeriodSeconds === 60),
      ...has(o, "Deployment", "lp-learnplatform-worker", (d) => envOf(d, "Workflows__ShutdownGrace") === "00:00:45"),
      ...has(o, "Deployment", "lp-learnplatform-api", (d) => envOf(d, "Background__RunInApi") === "false"),
      ...has(o, "Job", "lp-learnplatform-migrations", hook),
      ...has(o, "NetworkPolicy", "lp-learnplatform-migrations", hook),
      ...has(o, "ServiceAccount", "lp-learnplatform-migrations", hook),
      ...has(o, "NetworkPolicy", "lp-learnplatform-default-deny"),
      ...has(o, "PodDisruptionBudget", "lp-learnplatform-api"),
      ...has(o, "PodDisruptionBudget", "lp-learnplatform-worker"),
      ...(o.some((x) => x.kind === "HorizontalPodAutoscaler" || x.kind === "Ingress") ? ["HPA/Ingress rendered though off by default"] : []),
    ],
  },
  {
    label: "chart: every option on",
    args: ["-f", values("minimal.yaml"), "-f", values("full.yaml")],
    expect: (o) => [
      ...has(o, "HorizontalPodAutoscaler", "lp-learnplatform-api"),
      ...has(o, "Ingress", "lp-learnplatform-api"),
      ...has(o, "Deployment", "lp-learnplatform-api", (d) => d.spec.replicas === undefined),
      ...has(o, "Deployment", "lp-learnplatform-api", (d) =>
        ["Cors__AllowedOrigins__1", "Network__TrustedProxies__0", "Network__TrustedNetworks__1"].every((n) => d.spec.template.spec.containers[0].env.some((e) => e.name === n))),
      ...has(o, "ServiceAccount", "lp-learnplatform", (s) => !!s.metadata.annotations?.["iam.gke.io/gcp-service-account"]),
      ...["api", "worker"].flatMap((c) => has(o, "Deployment", `lp-learnplatform-${c}`, (d) =>
        ["Gemini__ApiKey", "Audit__IpHashKey", "Gemini__TenantKeys__0193a5b0-0000-7000-8000-00000000d3e0"].every((p) =>
          d.spec.template.spec.volumes.find((v) => v.name === "secrets").secret.items.some((i) => i.path === p)))),
    ],
  },
  {
    label: "chart: variants",
    args: ["-f", values("minimal.yaml"), "-f", values("variants.yaml")],
    expect: (o) => [
      ...(o.some((x) => x.kind === "Job") ? ["migrations Job rendered though disabled"] : []),
      ...(o.some((x) => x.kind === "ServiceAccount") ? ["ServiceAccount rendered though create=false"] : []),
      ...has(o, "PodDisruptionBudget", "lp-learnplatform-api", (p) => p.spec.minAvailable === 1 && p.spec.maxUnavailable === undefined),
    ],
  },
];
for (const s of scenarios) {
  const lint = run(helm, ["lint", chart, "--strict", "--namespace", NS, "--kube-version", KUBE_VERSION, ...s.args]);
  report(lint.ok, `[${s.label}] helm lint --strict`, lint.ok ? [] : lint.out.trim().split("\n").slice(-8));
  const tpl = run(helm, ["template", "lp", chart, "--namespace", NS, "--kube-version", KUBE_VERSION, ...s.args]);
  report(tpl.ok, `[${s.label}] helm template`, tpl.ok ? [] : tpl.out.trim().split("\n").slice(-8));
  if (tpl.ok) await validateSet(s.label, parseManifests(tpl.out, s.label), s.expect);
}

// Self-test: broken copies of a good render must be caught, or the checks above prove nothing.
{
  const good = run(helm, ["template", "lp", chart, "--namespace", NS, "--kube-version", KUBE_VERSION, "-f", values("minimal.yaml")]);
  const base = parseManifests(good.out, "self-test");
  const api = (objs) => objs.find((o) => o.kind === "Deployment" && o.metadata.name === "lp-learnplatform-api");
  const mutations = [
    ["replicas is a string", (o) => { api(o).spec.replicas = "two"; }, "schema"],
    ["probe port is an object", (o) => { api(o).spec.template.spec.containers[0].livenessProbe.httpGet.port = { bad: true }; }, "schema"],
    ["writable root filesystem", (o) => { api(o).spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; }],
    ["runs as root", (o) => { const t = api(o).spec.template.spec; t.securityContext.runAsUser = 0; delete t.containers[0].securityContext.runAsUser; }],
    ["privilege escalation", (o) => { api(o).spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true; }],
    ["capabilities kept", (o) => { api(o).spec.template.spec.containers[0].securityContext.capabilities = { add: ["NET_ADMIN"] }; }],
    ["no NetworkPolicy", (o) => o.splice(0, o.length, ...o.filter((x) => x.kind !== "NetworkPolicy"))],
    ["emulator env", (o) => { api(o).spec.template.spec.containers[0].env.push({ name: "FIREBASE_AUTH_EMULATOR_HOST", value: "x:9099" }); }],
    ["owner connection on the API", (o) => { api(o).spec.template.spec.volumes[0].secret.items.push({ key: "k", path: "ConnectionStrings__PostgresMigrations" }); }],
    ["service account token mounted", (o) => { api(o).spec.template.spec.automountServiceAccountToken = true; }],
    ["no PodDisruptionBudget", (o) => o.splice(0, o.length, ...o.filter((x) => x.kind !== "PodDisruptionBudget"))],
  ];
  for (const [what, mutate, kind] of mutations) {
    const objs = structuredClone(base);
    mutate(objs);
    const caught = kind === "schema"
      ? (await schemaProblems(api(objs))).length > 0
      : invariantResults(objs, { defaultNamespace: NS }).some((r) => r.problems.length);
    report(caught, `[self-test] a render with "${what}" is rejected`);
  }
}

// 3. Invalid value sets: validateValues must fail with the given messages.
const min = ["-f", values("minimal.yaml")];
const refused = [
  { label: "no values", args: [], expect: [/secrets\.existingSecret/, /config\.firebase\.projectId/, /networkPolicy\.egress\.postgres\.cidrs/] },
  { label: "api.replicaCount=0", args: [...min, "--set", "api.replicaCount=0"], expect: [/api\.replicaCount: must be at least 1/] },
  { label: "worker.replicaCount=0", args: [...min, "--set", "worker.replicaCount=0"], expect: [/worker\.replicaCount: must be at least 1/] },
  {
    label: "emulator in config.extraEnv",
    args: [...min, "--set", "config.extraEnv[0].name=FIREBASE_AUTH_EMULATOR_HOST", "--set", "config.extraEnv[0].value=127.0.0.1:9099"],
    expect: [/config\.extraEnv: FIREBASE_AUTH_EMULATOR_HOST must never be set/],
  },
  {
    label: "emulator in worker.extraEnv",
    args: [...min, "--set", "worker.extraEnv[0].name=FIREBASE_AUTH_EMULATOR_HOST", "--set", "worker.extraEnv[0].value=x"],
    expect: [/worker\.extraEnv: FIREBASE_AUTH_EMULATOR_HOST must never be set/],
  },
  {
    label: "environment overridden",
    args: [...min, "--set", "api.extraEnv[0].name=ASPNETCORE_ENVIRONMENT", "--set", "api.extraEnv[0].value=Development"],
    expect: [/api\.extraEnv: ASPNETCORE_ENVIRONMENT is fixed to Production/],
  },
  {
    label: "owner connection string on the API",
    args: [...min, "--set", "api.extraEnv[0].name=ConnectionStrings__PostgresMigrations", "--set", "api.extraEnv[0].value=x"],
    expect: [/is for the migrations Job only/],
  },
  {
    label: "wildcard CORS origin",
    args: [...min, "--set", "config.corsAllowedOrigins[0]=*"],
    expect: [/config\.corsAllowedOrigins: \*: list each origin; wildcards are refused/],
  },
  { label: "PDB with both bounds", args: [...min, "--set", "api.pdb.minAvailable=1"], expect: [/api\.pdb: set minAvailable or maxUnavailable, not both/] },
  {
    label: "HPA max below min",
    args: [...min, "--set", "api.autoscaling.enabled=true", "--set", "api.autoscaling.minReplicas=4", "--set", "api.autoscaling.maxReplicas=2"],
    expect: [/api\.autoscaling\.maxReplicas: must not be below minReplicas/],
  },
];
for (const r of refused) {
  const tpl = run(helm, ["template", "lp", chart, "--namespace", NS, "--kube-version", KUBE_VERSION, ...r.args]);
  const missing = tpl.ok ? ["rendered without error"] : r.expect.filter((re) => !re.test(tpl.out)).map((re) => `message ${re} not found in: ${tpl.out.trim().slice(0, 300)}`);
  report(!missing.length, `[refused: ${r.label}] helm template fails with the expected message`, missing);
}

// 4. kustomize: the base, the production overlay, and the overlay with the GKE component.
const kustomize = (label, dir) => {
  const r = run(kubectl, ["kustomize", dir]);
  report(r.ok, `[${label}] kubectl kustomize`, r.ok ? [] : r.out.trim().split("\n").slice(-8));
  return r.ok ? parseManifests(r.out, label) : [];
};
const kexpect = (extra = () => []) => (o) => [
  ...has(o, "Deployment", "learnplatform-api"),
  ...has(o, "Deployment", "learnplatform-worker", (d) => d.spec.template.spec.terminationGracePeriodSeconds === 60),
  ...has(o, "Job", "learnplatform-migrations"),
  ...has(o, "NetworkPolicy", "learnplatform-default-deny"),
  ...extra(o),
];
const withComponent = mkdtempSync(join(tmpdir(), "learnplatform-kustomize-"));
writeFileSync(join(withComponent, "kustomization.yaml"), [
  "apiVersion: kustomize.config.k8s.io/v1beta1",
  "kind: Kustomization",
  `resources: [${JSON.stringify(relative(withComponent, join(repo, "deploy/kustomize/overlays/production")))}]`,
  `components: [${JSON.stringify(relative(withComponent, join(repo, "deploy/kustomize/components/gke-workload-identity")))}]`,
  "",
].join("\n"));
for (const [label, dir, extra] of [
  ["kustomize: base", join(repo, "deploy/kustomize/base"), undefined],
  ["kustomize: overlays/production", join(repo, "deploy/kustomize/overlays/production"),
    (o) => has(o, "Namespace", NS, (n) => n.metadata.labels?.["pod-security.kubernetes.io/enforce"] === "restricted")],
  ["kustomize: overlays/production + components/gke-workload-identity", withComponent,
    (o) => [...has(o, "NetworkPolicy", "learnplatform-gke-metadata"),
      ...has(o, "ServiceAccount", "learnplatform", (s) => !!s.metadata.annotations?.["iam.gke.io/gcp-service-account"])]],
]) {
  const objects = kustomize(label, dir);
  if (objects.length) await validateSet(label, objects, kexpect(extra));
}
rmSync(withComponent, { recursive: true, force: true });

console.log(`\nhelm chart rendered with ${relative(repo, helm)}; ${relative(repo, kubectl)} for kustomize`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
