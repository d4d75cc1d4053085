#!/usr/bin/env node
// Runs the bundled CLI (npm run build writes dist/). Written in syntax any Node parses (no import
// statement, no optional chaining) so an old Node prints one clear line instead of a SyntaxError
// from the bundle. MIN_NODE must match package.json "engines" (a test checks that).
var MIN_NODE = [22, 12, 0];
// The young generation's semi-space size the load commands run with (see reexecWithSmallYoungGen).
var SEMI_SPACE_MB = 2;
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
  // Returns only when it did not start over (not a load command, opted out, or refused).
  reexecWithSmallYoungGen();
  import('../dist/cli/main.js').catch(function (err) {
    // Only a missing or broken build lands here; the CLI reports its own errors.
    process.stderr.write('tokenstorm: cannot load dist/cli/main.js (' + (err && err.code ? err.code : String(err)) + '); in a checkout, run `npm run build`\n');
    process.exitCode = 70;
  });
}

// V8 sizes the young generation when the process starts (up to 64 MB per semi-space on this kind
// of machine) and the load commands allocate fast enough to fill it: bench memory measured 237 MB
// peak RSS at 400 flows/s with the default, 112 MB at 100 and 200 flows/s with 8 MB semi-spaces
// and 101–103 MB with 2 MB ones, CPU per flow within run-to-run noise (1 MB made 400/s worse:
// survivors spill into the old generation). The size cannot be changed from inside, so `run` and `capacity` start over once with
// the flag (process.execve keeps the pid, the terminal and the signals), and with MALLOC_ARENA_MAX. A user's own
// --max-semi-space-size (on the command line or in NODE_OPTIONS) wins; TOKENSTORM_NO_REEXEC=1, or
// a Node without process.execve (before 23.11, Windows), runs as is.
function reexecWithSmallYoungGen() {
  var command = process.argv[2];
  if (command !== 'run' && command !== 'capacity') return;
  if (typeof process.execve !== 'function' || process.env.TOKENSTORM_NO_REEXEC) return;
  var flag = '--max-semi-space-size';
  var given = (process.env.NODE_OPTIONS || '').indexOf(flag) >= 0;
  for (var i = 0; i < process.execArgv.length; i++) if (process.execArgv[i].indexOf(flag) === 0) given = true;
  if (given) return;
  try {
    var env = Object.assign({}, process.env);
    // glibc gives every thread its own malloc arena; two are plenty here (−6 to −12 MB peak RSS at
    // 100–200 flows/s in bench memory, CPU unchanged). Other C libraries ignore the variable.
    if (env.MALLOC_ARENA_MAX === undefined) env.MALLOC_ARENA_MAX = '2';
    process.execve(process.execPath, [process.execPath, flag + '=' + SEMI_SPACE_MB].concat(process.execArgv, process.argv.slice(1)), env);
  } catch (err) {
    // Refused (a sandbox, a permission model): run with V8's default rather than not at all.
  }
}
