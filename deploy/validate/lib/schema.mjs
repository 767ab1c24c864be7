// Parsing and schema validation of rendered Kubernetes objects: types and formats (kubernetes-models), and unknown
// fields refused at every level, like kubeconform -strict (the field lists of @kubernetes/client-node's models).
import { parseAllDocuments } from "yaml";
import * as k8sModels from "@kubernetes/client-node/dist/gen/models/ObjectSerializer.js";

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

export const id = (o) => `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name ?? "?"}`;

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  try {
    return (await import(path))[kind] ?? null;
  } catch {
    return null;
  }
}

// Types, formats and required fields. Returns a list of problems (empty when valid).
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

// Fields that no version of the object's type has (a misspelled securityContext, replicas, ...).
export function unknownFields(obj) {
  if (!obj.apiVersion || !obj.kind) return ["missing apiVersion or kind"];
  const version = obj.apiVersion.split("/").pop();
  const type = `${version[0].toUpperCase()}${version.slice(1)}${obj.kind}`;
  if (!k8sModels[type]?.attributeTypeMap) return [`no strict schema for ${obj.apiVersion} ${obj.kind}`];
  const out = [];
  walk(obj, type, "", out);
  return out;
}

function walk(value, type, path, out) {
  if (value == null) return;
  let m;
  if ((m = type.match(/^Array<(.+)>$/))) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, m[1], `${path}[${i}]`, out));
    return;
  }
  if ((m = type.match(/^\{ \[key: string\]: (.+); \}$/))) {
    if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, m[1], `${path}.${k}`, out);
    return;
  }
  const attributes = k8sModels[type]?.attributeTypeMap;
  if (!attributes || typeof value !== "object" || Array.isArray(value)) return; // a primitive, or a type error (schemaProblems)
  const fields = new Map(attributes.map((a) => [a.baseName, a.type]));
  for (const [key, child] of Object.entries(value)) {
    const where = path ? `${path}.${key}` : key;
    if (!fields.has(key)) out.push(`${where}: unknown field`);
    else walk(child, fields.get(key), where, out);
  }
}
