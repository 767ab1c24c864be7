#!/usr/bin/env node
// Writes (--write) or checks (--check, the default) helm/learnplatform/values.schema.json and the parameter table
// of helm/learnplatform/README.md, both generated from values.yaml's "## @param" lines.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSchema, readmeWithTable } from "./lib/chartdocs.mjs";

const chart = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "helm", "learnplatform");
const files = {
  values: join(chart, "values.yaml"),
  schema: join(chart, "values.schema.json"),
  readme: join(chart, "README.md"),
};

// Returns the problems, and the files that differ from what the generator produces.
export function chartDocsDrift() {
  const { schema, problems: schemaProblems } = buildSchema(files.values);
  const { readme, problems: readmeProblems } = readmeWithTable(files.readme, files.values);
  const drift = [];
  if (!existsSync(files.schema) || readFileSync(files.schema, "utf8") !== schema) drift.push("helm/learnplatform/values.schema.json");
  if (readFileSync(files.readme, "utf8") !== readme) drift.push("helm/learnplatform/README.md");
  return { problems: [...new Set([...schemaProblems, ...readmeProblems])], drift, schema, readme };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = process.argv.includes("--write");
  const { problems, drift, schema, readme } = chartDocsDrift();
  for (const p of problems) console.error(`problem: ${p}`);
  if (problems.length) process.exit(1);
  if (write) {
    writeFileSync(files.schema, schema);
    writeFileSync(files.readme, readme);
    console.log(drift.length ? `wrote ${drift.join(", ")}` : "up to date");
  } else if (drift.length) {
    console.error(`out of date: ${drift.join(", ")}; run deploy/validate/chart-docs.mjs --write`);
    process.exit(1);
  } else {
    console.log("values.schema.json and the README parameter table are up to date");
  }
}
