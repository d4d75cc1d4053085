/**
 * Checks a shell command line that calls `tokenstorm` against the commander program: every
 * subcommand must exist, every flag be registered on the command it follows, value flags have a
 * value, and the positional arguments fit. Used on the CI recipes in docs/ci/.
 */
import type { Command, Option } from 'commander';
import { parse } from 'shell-quote';

/** One `tokenstorm …` invocation found in a script: the words after `tokenstorm`. */
export interface TokenstormCall {
  line: string;
  args: string[];
}

const HELP_FLAGS = new Set(['-h', '--help']);

/**
 * Every `tokenstorm …` (or `npx tokenstorm …`) in a shell script. Line continuations are joined;
 * shell variables stay literal (`$X`); the call ends at the first operator (`&&`, `|`, `>`, `&`, `;`).
 */
export function findTokenstormCalls(script: string): TokenstormCall[] {
  const calls: TokenstormCall[] = [];
  for (const line of script.replace(/\\\n/g, ' ').split('\n')) {
    const tokens = parse(line, (name) => `$${name}`);
    let start = true; // at the start of a simple command
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (typeof t !== 'string') {
        if ('comment' in t) break;
        start = true;
        continue;
      }
      const isCall = t === 'tokenstorm' && (start || tokens[i - 1] === 'npx');
      if (isCall) {
        const args: string[] = [];
        for (let j = i + 1; j < tokens.length && typeof tokens[j] === 'string'; j++) args.push(tokens[j] as string);
        calls.push({ line: line.trim(), args });
      }
      // Words that may precede the command name without ending "start": npx, nohup, env assignments.
      start = t === 'npx' || t === 'nohup' || /^[A-Z_][A-Z0-9_]*=/.test(t);
    }
  }
  return calls;
}

function findOption(cmd: Command, flag: string): Option | undefined {
  return cmd.options.find((o) => o.long === flag || o.short === flag);
}

/** Problems with one call (empty when it would parse): each names the call and what is wrong. */
export function checkCall(program: Command, call: TokenstormCall): string[] {
  const problems: string[] = [];
  let cmd = program;
  let i = 0;
  for (; i < call.args.length; i++) {
    const next = cmd.commands.find((c) => c.name() === call.args[i] || c.aliases().includes(call.args[i]!));
    if (!next) break;
    cmd = next;
  }
  const path = ['tokenstorm', ...call.args.slice(0, i)].join(' ');
  if (cmd.commands.length > 0 && i >= call.args.length) problems.push(`${call.line}: \`${path}\` needs a subcommand`);
  const positionals: string[] = [];
  for (; i < call.args.length; i++) {
    const arg = call.args[i]!;
    if (arg.startsWith('-') && arg !== '-') {
      const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
      if (HELP_FLAGS.has(flag)) continue;
      const option = findOption(cmd, flag);
      if (!option) {
        problems.push(`${call.line}: \`${path}\` has no option ${flag}`);
        continue;
      }
      if (option.required && inline === undefined) {
        const value = call.args[i + 1];
        if (value === undefined || value.startsWith('--')) problems.push(`${call.line}: ${flag} needs a value`);
        else i++;
      }
      if (!option.required && !option.optional && inline !== undefined) problems.push(`${call.line}: ${flag} takes no value`);
      continue;
    }
    if (cmd.commands.length > 0) problems.push(`${call.line}: \`${path}\` has no subcommand ${arg}`);
    positionals.push(arg);
  }
  const declared = cmd.registeredArguments;
  const variadic = declared.at(-1)?.variadic ?? false;
  if (!variadic && positionals.length > declared.length) {
    problems.push(`${call.line}: \`${path}\` takes ${declared.length} argument(s), got ${positionals.length} (${positionals.join(' ')})`);
  }
  declared.forEach((a, k) => {
    if (a.required && positionals[k] === undefined) problems.push(`${call.line}: \`${path}\` needs <${a.name()}>`);
    const choices = a.argChoices;
    if (choices && positionals[k] !== undefined && !choices.includes(positionals[k]!)) {
      problems.push(`${call.line}: ${positionals[k]} is not one of ${choices.join(', ')}`);
    }
  });
  return problems;
}
