/**
 * Turns anything thrown into one line on stderr and the documented exit code. Only cli/ exits.
 */
import { stripControl } from '../metrics/redact.ts';
import { isTokenstormError } from '../errors.ts';

/** Prints `tokenstorm: <message> (<hint>)` and returns the exit code for `err`. */
export function reportError(err: unknown): number {
  if (isTokenstormError(err)) {
    const hint = err.hint ? ` (${err.hint})` : '';
    process.stderr.write(`tokenstorm: ${oneLine(err.message)}${hint}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`tokenstorm: internal error: ${oneLine(message)}\n`);
  if (process.env.TOKENSTORM_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 70;
}

// Error messages can quote target text (an issuer, a discovery field): no terminal controls.
function oneLine(s: string): string {
  return stripControl(s.replace(/\s*\n\s*/g, ' ')).replace(/ {2,}/g, ' ').trim();
}
