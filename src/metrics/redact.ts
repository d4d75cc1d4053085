/**
 * Redaction for text that comes from outside the harness (IdP error details and descriptions, error
 * pages, socket messages, harness error messages) before it reaches a report, log line or IPC
 * message: codes, verifiers and tokens are long base64url/hex runs, English words are not.
 */

const MAX_DETAIL_CHARS = 200;
// Anything token-like: long base64url/hex runs (codes and verifiers are ≥ 43 chars), or shorter runs
// that contain a digit. Real detail strings are English words and parameter names.
const TOKEN_LIKE = /[A-Za-z0-9_\-.~+/=]{43,}|(?=[A-Za-z_\-.~+/=]*[0-9])[A-Za-z0-9_\-.~+/=]{20,}/g;

/**
 * Makes a detail safe to put in a header, an IPC message or a report: one line, printable ASCII,
 * at most 200 chars, token-like runs replaced by `[redacted]`.
 *
 * @example
 * redactDetail('code_verifier does not match code_challenge'); // unchanged
 */
export function redactDetail(detail: string): string {
  return detail
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(TOKEN_LIKE, '[redacted]')
    .trim()
    .slice(0, MAX_DETAIL_CHARS);
}
