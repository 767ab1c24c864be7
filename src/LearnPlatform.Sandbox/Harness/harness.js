// Runs inside the sandbox, started with: node -e <this file>. Reads {nonce, code, calls} from stdin, runs code
// as a script in the global scope (its top-level declarations are what the calls see), evaluates each call there
// and reports JSON.stringify(value). Reports are lines on stdout framed by the per-run nonce: "\n<nonce> <json>\n".
// Expected values never enter the sandbox, so the service, not this script, decides what passed.
'use strict';
const fs = require('fs');
const vm = require('vm');

const MAX_ACTUAL = 2048;
const MAX_ERROR = 1000;

function describe(error) {
  const text = error instanceof Error ? (error.message ? `${error.name}: ${error.message}` : error.name) : `Uncaught ${String(error)}`;
  return text.slice(0, MAX_ERROR);
}

function render(value) {
  const text = JSON.stringify(value);
  return text === undefined ? 'undefined' : text;
}

const payload = JSON.parse(fs.readFileSync(0, 'utf8'));
const nonce = payload.nonce;
const { code, calls } = payload;
const writeSync = fs.writeSync;

function report(record) {
  let data = Buffer.from(`\n${nonce} ${JSON.stringify(record).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`, 'ascii');
  while (data.length > 0) {
    data = data.subarray(writeSync(1, data));
  }
}

(function run() {
  report({ started: true });
  try {
    vm.runInThisContext(code, { filename: 'solution.js' });
  } catch (error) {
    report({ module_error: describe(error) });
    return;
  }
  calls.forEach((call, index) => {
    let actual;
    try {
      actual = render(vm.runInThisContext(call, { filename: 'test.js' }));
    } catch (error) {
      report({ i: index, error: describe(error) });
      return;
    }
    report(actual.length > MAX_ACTUAL ? { i: index, actual: actual.slice(0, MAX_ACTUAL), truncated: true } : { i: index, actual });
  });
  report({ done: true });
})();
