// A stand-in for kubectl that answers deploy/operator-command from a rendered chart instead of a cluster:
// FAKE_KUBECTL_SET (a JSON file of the rendered objects), FAKE_KUBECTL_OUT (a folder: calls.log, created.json),
// REAL_KUBECTL (the real binary, for the offline `patch --local`). It builds the Job from the CronJob the way
// `kubectl create job --from=cronjob/...` does.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const argv = process.argv.slice(2);
const out = process.env.FAKE_KUBECTL_OUT;
appendFileSync(join(out, "calls.log"), `${JSON.stringify(argv)}\n`);
const objects = JSON.parse(readFileSync(process.env.FAKE_KUBECTL_SET, "utf8"));

let namespace = "default";
const rest = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "-n") namespace = argv[++i];
  else rest.push(argv[i]);
}
const option = (name) => rest.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? rest[rest.indexOf(`-${name}`) + 1];
const stdin = () => readFileSync(0, "utf8");
const matches = (o, selector) => selector.split(",").every((pair) => { const [k, v] = pair.split("="); return o.metadata?.labels?.[k] === v; });

if (rest[0] === "patch") {
  process.stdout.write(execFileSync(process.env.REAL_KUBECTL, argv, { input: stdin(), encoding: "utf8" }));
} else if (rest[0] === "get" && rest[1] === "cronjob") {
  const found = objects.filter((o) => o.kind === "CronJob" && o.metadata.namespace === namespace && matches(o, option("l")));
  process.stdout.write(found.map((o) => `cronjob.batch/${o.metadata.name}\n`).join(""));
} else if (rest[0] === "create" && rest[1] === "job") {
  const name = rest[2];
  const from = option("from").replace(/^cronjob(\.batch)?\//, "");
  const cronJob = objects.find((o) => o.kind === "CronJob" && o.metadata.name === from && o.metadata.namespace === namespace);
  if (!cronJob) { console.error(`Error from server (NotFound): cronjobs.batch "${from}" not found`); process.exit(1); }
  const template = cronJob.spec.jobTemplate;
  process.stdout.write(JSON.stringify({
    kind: "Job",
    apiVersion: "batch/v1",
    metadata: {
      name,
      namespace,
      labels: template.metadata?.labels,
      annotations: { "cronjob.kubernetes.io/instantiate": "manual", ...(template.metadata?.annotations ?? {}) },
      ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: from, uid: "00000000-0000-0000-0000-000000000000", controller: true }],
    },
    spec: template.spec,
    status: {},
  }, null, 2));
} else if (rest[0] === "create" && rest.includes("-f")) {
  const job = JSON.parse(stdin());
  writeFileSync(join(out, "created.json"), JSON.stringify(job, null, 2));
  console.log(`job.batch/${job.metadata.name} created`);
} else if (rest[0] === "get" && rest[1] === "job") {
  process.stdout.write(process.env.FAKE_KUBECTL_JOB_STATE ?? "1/");
} else if (rest[0] === "get" && rest[1] === "pods") {
  process.stdout.write(process.env.FAKE_KUBECTL_EXIT_CODE ?? "0");
} else if (rest[0] === "logs") {
  console.log("(operator log)");
} else {
  console.error(`fake kubectl: unexpected call ${JSON.stringify(argv)}`);
  process.exit(3);
}
