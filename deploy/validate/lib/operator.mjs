// Runs deploy/operator-command against a rendered chart through lib/fake-kubectl.mjs and returns the Job it
// would create, the calls it made and its exit code: the recipe itself is what gets tested.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, chmodSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function runOperatorCommand({ script, kubectl, objects, namespace, release, args, env = {} }) {
  const dir = mkdtempSync(join(tmpdir(), "learnplatform-operator-"));
  try {
    writeFileSync(join(dir, "set.json"), JSON.stringify(objects));
    const fake = join(dir, "kubectl");
    writeFileSync(fake, `#!/bin/sh\nexec node ${JSON.stringify(new URL("./fake-kubectl.mjs", import.meta.url).pathname)} "$@"\n`);
    chmodSync(fake, 0o755);
    const r = spawnSync("bash", [script, "-n", namespace, "-r", release, "--timeout", "10", "--", ...args], {
      encoding: "utf8",
      env: { ...process.env, KUBECTL: fake, REAL_KUBECTL: kubectl, FAKE_KUBECTL_SET: join(dir, "set.json"), FAKE_KUBECTL_OUT: dir, ...env },
    });
    const created = join(dir, "created.json");
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      job: existsSync(created) ? JSON.parse(readFileSync(created, "utf8")) : null,
      calls: existsSync(join(dir, "calls.log")) ? readFileSync(join(dir, "calls.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l)) : [],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
