// Runs inside the sandbox as: node -e <this file>. Reads from stdin a nonce line, then the code and each call as
// hex-encoded UTF-8 lines. Runs the code as a script in the global scope (its top-level declarations are what the
// calls see), evaluates each call there and reports JSON.stringify(value). Reports are lines on stdout framed by
// the per-run nonce: "\n<nonce> <kind> <index> <hex>\n". Expected values never enter the sandbox, so the service,
// not this script, decides what passed.
'use strict';
const fs = require('fs');
const vm = require('vm');

const MAX_ACTUAL = 2048;
const MAX_ERROR = 1000;

function describe(error) {
  try {
    const text = error instanceof Error ? (error.message ? `${error.name}: ${error.message}` : error.name) : `Uncaught ${String(error)}`;
    return text.slice(0, MAX_ERROR);
  } catch {
    return 'Uncaught exception';
  }
}

function render(value) {
  const text = JSON.stringify(value);
  return text === undefined ? 'undefined' : text;
}

// Started ahead of its request: say so, then wait for the input (the service hands it over with the request).
fs.writeSync(1, 'learnplatform-sandbox-ready\n');
const lines = fs.readFileSync(0).toString('latin1').split('\n');
const nonce = lines[0];
const code = Buffer.from(lines[1] ?? '', 'hex').toString('utf8');
const calls = lines.slice(2).filter((line) => line.length > 0).map((line) => Buffer.from(line, 'hex').toString('utf8'));
const writeSync = fs.writeSync;

function report(kind, index = -1, text = '') {
  let data = Buffer.from(`\n${nonce} ${kind} ${index} ${Buffer.from(text, 'utf8').toString('hex')}\n`, 'latin1');
  while (data.length > 0) {
    data = data.subarray(writeSync(1, data));
  }
}

(function run() {
  if (lines.length < 2) {
    return; // the service went away before handing a program over
  }
  report('started');
  try {
    vm.runInThisContext(code, { filename: 'solution.js' });
  } catch (error) {
    report('module_error', -1, describe(error));
    return;
  }
  calls.forEach((call, index) => {
    let actual;
    try {
      actual = render(vm.runInThisContext(call, { filename: 'test.js' }));
    } catch (error) {
      report('error', index, describe(error));
      return;
    }
    if (actual.length > MAX_ACTUAL) {
      report('truncated', index, actual.slice(0, MAX_ACTUAL));
    } else {
      report('value', index, actual);
    }
  });
  report('done');
})();
// Everything is reported (written synchronously): end now; nothing the program left behind (timers) runs on.
process.exit(0);
