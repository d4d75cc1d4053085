/**
 * The one place text from outside the harness (IdP error fields and descriptions, error pages,
 * socket messages, an issuer URL) is made safe before it reaches a report, a log line, an IPC
 * message or a terminal:
 * - every secret this flow handled (verifier, code, tokens, password, client secret, assertions,
 *   cookie values) is replaced wherever it appears, however short, also in its URL-encoded forms;
 * - what still looks like a token (long base64url/hex runs) is replaced by shape, for secrets the
 *   harness never saw (another flow's code echoed back);
 * - terminal control characters (ANSI escape sequences, C0/C1 controls) are removed, so a target
 *   cannot clear or rewrite the screen through an error text or its issuer.
 */
import type { FailureEvidence } from '../report/schema.ts';

const MAX_DETAIL_CHARS = 200;
const MAX_ERROR_CHARS = 80;
/** The marker that replaces a secret. */
export const REDACTED = '[redacted]';
// Anything token-like: long base64url/hex runs (codes and verifiers are ≥ 43 chars), or shorter runs
// that contain a digit. Real detail strings are English words and parameter names.
const TOKEN_LIKE = /[A-Za-z0-9_\-.~+/=]{43,}|(?=[A-Za-z_\-.~+/=]*[0-9])[A-Za-z0-9_\-.~+/=]{20,}/g;
// ANSI CSI/OSC sequences first (so their parameters go with them), then every other control
// character, C1 included (U+0080–U+009F: a terminal may read U+009B as CSI).
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
const CONTROL = /[\x00-\x1f\x7f-\x9f]+/g;
/** A secret shorter than this is not searched for (it would match ordinary words); 4 covers short codes and passwords. */
const MIN_SECRET_CHARS = 4;

/**
 * Removes terminal control characters and ANSI sequences (each run becomes `replacement`, a space by default).
 *
 * @example
 * stripControl('http://x/\u001b[2Jissuer'); // 'http://x/ issuer'
 */
export function stripControl(text: string, replacement = ' '): string {
  return text.replace(ANSI, replacement).replace(CONTROL, replacement);
}

/**
 * Replaces every occurrence of each secret (raw, URL-encoded and form-encoded) by `[redacted]`.
 *
 * @example
 * scrubSecrets('code abc123 is invalid', ['abc123']); // 'code [redacted] is invalid'
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < MIN_SECRET_CHARS) continue;
    const forms = new Set([s, encodeURIComponent(s), encodeURIComponent(s).replace(/%20/g, '+')]);
    for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED);
  }
  return out;
}

/**
 * Makes a detail safe to put in a header, an IPC message or a report: the given secrets scrubbed,
 * one line, printable ASCII, at most 200 chars, token-like runs replaced by `[redacted]`.
 *
 * @example
 * redactDetail('code_verifier does not match code_challenge'); // unchanged
 */
export function redactDetail(detail: string, secrets: Iterable<string> = [], maxChars = MAX_DETAIL_CHARS): string {
  // Secrets first, on the raw text: stripping could split a secret the target wrapped in controls.
  return stripControl(scrubSecrets(detail, secrets))
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(TOKEN_LIKE, REDACTED)
    .trim()
    .slice(0, maxChars);
}

/**
 * Evidence as it may be kept: every target-supplied text field (description, OAuth `error`,
 * socket message) redacted with the flow's secrets. The recorder calls this on every evidence it keeps.
 *
 * @example
 * redactEvidence({ failureClass: 'other', endpoint: 'token', error: 'bad code abc123' }, ['abc123']).error; // 'bad code [redacted]'
 */
export function redactEvidence(evidence: FailureEvidence, secrets: Iterable<string> = []): FailureEvidence {
  const kept = { ...evidence };
  const list = [...secrets];
  if (kept.description !== undefined) kept.description = redactDetail(kept.description, list);
  if (kept.error !== undefined) kept.error = redactDetail(kept.error, list, MAX_ERROR_CHARS);
  if (kept.socketCode !== undefined) kept.socketCode = redactDetail(kept.socketCode, list, MAX_ERROR_CHARS);
  return kept;
}

/**
 * A URL fit to print: credentials (user:password@) removed and control characters stripped.
 *
 * @example
 * printableUrl('http://u:p@127.0.0.1:1/x'); // 'http://127.0.0.1:1/x'
 */
export function printableUrl(url: string): string {
  let text = url;
  if (URL.canParse(url)) {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
      text = u.href;
    }
  }
  return stripControl(text).slice(0, 300);
}
