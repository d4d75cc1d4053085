/**
 * One error type for everything tokenstorm itself rejects or cannot reach. Failures of the
 * *target* (an IdP answering 400, a reset connection) are data for the recorder, never thrown.
 */

/** Stable error codes; each maps to one CLI exit code through {@link ERROR_TABLE}. */
export type TokenstormErrorCode =
  | 'ERR_USAGE'
  | 'ERR_SCENARIO_INVALID'
  | 'ERR_SCENARIO_NOT_FOUND'
  | 'ERR_THRESHOLD_INVALID'
  | 'ERR_REPORT_INVALID'
  | 'ERR_TARGET_UNREACHABLE'
  | 'ERR_TARGET_UNSUITABLE'
  | 'ERR_FAULT_SERVER_UNREACHABLE'
  | 'ERR_NOT_LOOPBACK'
  | 'ERR_IDP_START'
  | 'ERR_POOL_CLOSED'
  | 'ERR_INTERNAL'
  | 'ERR_INTERRUPTED'
  | 'ERR_ADDRESS_IN_USE';

interface ErrorKind {
  /** Exit code the CLI uses (DESIGN.md: 2 bad usage/input, 3 unreachable target or fault layer). */
  exitCode: 2 | 3 | 70 | 130;
  /** Default hint when the thrower gives none. */
  hint?: string;
}

/** The one table error kinds come from (STYLE.md: classes from a table, not copy-paste). */
export const ERROR_TABLE: Record<TokenstormErrorCode, ErrorKind> = {
  ERR_USAGE: { exitCode: 2, hint: 'see --help' },
  ERR_SCENARIO_INVALID: { exitCode: 2 },
  ERR_SCENARIO_NOT_FOUND: { exitCode: 2, hint: 'pass a path to a .ts, .json or .yaml scenario' },
  ERR_THRESHOLD_INVALID: { exitCode: 2, hint: "use k6 syntax, e.g. 'token:p(95)<200'" },
  ERR_REPORT_INVALID: { exitCode: 2 },
  ERR_TARGET_UNREACHABLE: { exitCode: 3 },
  ERR_TARGET_UNSUITABLE: { exitCode: 2, hint: 'check the target and client settings with `tokenstorm check`' },
  ERR_FAULT_SERVER_UNREACHABLE: { exitCode: 3 },
  ERR_NOT_LOOPBACK: { exitCode: 2, hint: 'load and fault traffic may only go to 127.0.0.1 or localhost' },
  ERR_IDP_START: { exitCode: 3 },
  ERR_POOL_CLOSED: { exitCode: 70 },
  ERR_INTERNAL: { exitCode: 70 },
  ERR_INTERRUPTED: { exitCode: 130 },
  ERR_ADDRESS_IN_USE: { exitCode: 2, hint: 'choose another port (--port) or stop the process using it' },
};

/** Options for {@link TokenstormError}. */
export interface TokenstormErrorOptions {
  cause?: unknown;
  /** What the user should do about it; printed after the message. */
  hint?: string;
}

/**
 * The base error. `message` is one line and must never contain a secret (verifier, code, token,
 * cookie value).
 *
 * @example
 * throw new TokenstormError('ERR_SCENARIO_INVALID', 'load.ratePerSec must be > 0 (got -1)');
 */
export class TokenstormError extends Error {
  readonly code: TokenstormErrorCode;
  readonly hint: string | undefined;

  constructor(code: TokenstormErrorCode, message: string, options: TokenstormErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TokenstormError';
    this.code = code;
    this.hint = options.hint ?? ERROR_TABLE[code].hint;
  }

  /** The process exit code the CLI uses for this error. */
  get exitCode(): number {
    return ERROR_TABLE[this.code].exitCode;
  }
}

/**
 * True when `err` is a {@link TokenstormError}, optionally with the given code.
 *
 * @example
 * try { await loadScenario('nosuch'); } catch (err) {
 *   if (isTokenstormError(err, 'ERR_SCENARIO_NOT_FOUND')) console.error(err.message);
 * }
 */
export function isTokenstormError(err: unknown, code?: TokenstormErrorCode): err is TokenstormError {
  return err instanceof TokenstormError && (code === undefined || err.code === code);
}
