/**
 * Errors of the Toxiproxy HTTP API: a message and a status, serialised exactly as Toxiproxy does
 * (`{"error":"<msg>","status":<code>}` + newline, as text/plain).
 */
export class ApiError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** Toxiproxy's `joinError(err, ErrBadRequestBody)`. */
export function badBody(detail: string): ApiError {
  return new ApiError(`bad request body: ${detail}`, 400);
}

export const PROXY_NOT_FOUND = 'proxy not found';
export const TOXIC_NOT_FOUND = 'toxic not found';
export const PROXY_EXISTS = 'proxy already exists';
export const TOXIC_EXISTS = 'toxic already exists';
export const INVALID_STREAM = 'stream was invalid, can be either upstream or downstream';
export const INVALID_TOXIC_TYPE = 'invalid toxic type';
