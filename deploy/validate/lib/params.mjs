// Checks the bitnami convention: every value in values.yaml is documented by a "## @param path ..."
// line (a documented object covers its children), and every @param names an existing value.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

function leaves(value, prefix, out) {
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push(prefix);
  }
  return out;
}

function exists(values, path) {
  let v = values;
  for (const k of path.split(".")) {
    if (!v || typeof v !== "object" || !Object.hasOwn(v, k)) return false;
    v = v[k];
  }
  return true;
}

export function paramProblems(valuesPath) {
  const text = readFileSync(valuesPath, "utf8");
  const values = parse(text) ?? {};
  const documented = new Set();
  const problems = [];
  for (const m of text.matchAll(/^\s*## @param (\S+)(.*)$/gm)) {
    if (!m[2].trim()) problems.push(`@param ${m[1]} has no description`);
    if (!exists(values, m[1])) problems.push(`@param ${m[1]} names no value`);
    documented.add(m[1]);
  }
  for (const leaf of leaves(values, "", [])) {
    const parts = leaf.split(".");
    const covered = parts.some((_, i) => documented.has(parts.slice(0, i + 1).join(".")));
    if (!covered) problems.push(`${leaf} has no ## @param`);
  }
  return { count: documented.size, problems };
}
