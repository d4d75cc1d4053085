#!/usr/bin/env node
// Runs the bundled CLI (npm run build writes dist/). Written in syntax any Node parses (no import
// statement, no optional chaining) so an old Node prints one clear line instead of a SyntaxError
// from the bundle. MIN_NODE must match package.json "engines" (a test checks that).
var MIN_NODE = [22, 12, 0];
var have = process.versions.node.split('.').map(Number);
var tooOld = false;
for (var i = 0; i < 3; i++) {
  if (have[i] !== MIN_NODE[i]) {
    tooOld = have[i] < MIN_NODE[i];
    break;
  }
}
if (tooOld) {
  process.stderr.write(
    'tokenstorm: needs Node.js >= ' + MIN_NODE.join('.') + ' (this is ' + process.version + ' at ' + process.execPath + '); install a newer Node, e.g. `nvm install 24`\n',
  );
  process.exitCode = 1;
} else {
  import('../dist/cli/main.js').catch(function (err) {
    // Only a missing or broken build lands here; the CLI reports its own errors.
    process.stderr.write('tokenstorm: cannot load dist/cli/main.js (' + (err && err.code ? err.code : String(err)) + '); in a checkout, run `npm run build`\n');
    process.exitCode = 70;
  });
}
