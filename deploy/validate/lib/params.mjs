// Reads the bitnami-style "## @param path [modifier] description" lines of values.yaml, checks that every value is
// documented (a documented object covers its children) and that every @param names an existing value.
// A modifier is optional: "[a|b|c]" an enum of strings, "[integer,string,null]" the allowed JSON types.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const JSON_TYPES = new Set(["string", "integer", "number", "boolean", "object", "array", "null"]);

function leaves(value, prefix, out) {
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push(prefix);
  }
  return out;
}

export function valueAt(values, path) {
  let v = values;
  for (const k of path.split(".")) {
    if (!v || typeof v !== "object" || !Object.hasOwn(v, k)) return { found: false };
    v = v[k];
  }
  return { found: true, value: v };
}

function parseModifier(text) {
  if (text.includes("|")) return { enum: text.split("|").map((s) => s.trim()) };
  const types = text.split(",").map((s) => s.trim());
  const unknown = types.filter((t) => !JSON_TYPES.has(t));
  return unknown.length ? { error: `unknown type(s) ${unknown.join(", ")}` } : { types };
}

// Returns { values, sections: [{ title, params: [{ path, description, enum?, types? }] }], params, problems }.
export function readParams(valuesPath) {
  const text = readFileSync(valuesPath, "utf8");
  const values = parse(text) ?? {};
  const sections = [{ title: "Parameters", params: [] }];
  const params = [];
  const problems = [];
  for (const line of text.split("\n")) {
    const section = line.match(/^\s*## @section (.+)$/);
    if (section) {
      sections.push({ title: section[1].trim(), params: [] });
      continue;
    }
    const m = line.match(/^\s*## @param (\S+)(?:\s+\[([^\]]+)\])?(.*)$/);
    if (!m) continue;
    const [, path, modifier, rest] = m;
    const param = { path, description: rest.trim() };
    if (modifier) {
      const parsed = parseModifier(modifier);
      if (parsed.error) problems.push(`@param ${path}: ${parsed.error}`);
      Object.assign(param, parsed);
    }
    if (!param.description) problems.push(`@param ${path} has no description`);
    if (!valueAt(values, path).found) problems.push(`@param ${path} names no value`);
    if (params.some((p) => p.path === path)) problems.push(`@param ${path} is documented twice`);
    params.push(param);
    sections.at(-1).params.push(param);
  }
  const documented = new Set(params.map((p) => p.path));
  for (const leaf of leaves(values, "", [])) {
    const parts = leaf.split(".");
    const covered = parts.some((_, i) => documented.has(parts.slice(0, i + 1).join(".")));
    if (!covered) problems.push(`${leaf} has no ## @param`);
  }
  return { values, sections: sections.filter((s) => s.params.length), params, problems };
}
