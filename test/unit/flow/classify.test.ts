import { describe, expect, it } from 'vitest';
import { classifyOAuthError, oauthEvidence, parseOAuthErrorBody } from '../../../src/flow/classify.ts';
import { classifySocketError } from '../../../src/flow/http.ts';

describe('classifyOAuthError', () => {
  const grant = (detail: string) => classifyOAuthError({ status: 400, error: 'invalid_grant', description: 'grant request is invalid', detail });
  it('maps oidc-provider error details to PKCE classes', () => {
    expect(grant('code_verifier does not match code_challenge')).toBe('pkce_mismatch');
    expect(grant('code_verifier must be provided')).toBe('pkce_verifier_missing');
    expect(grant('authorization code already consumed')).toBe('code_reused');
    expect(grant('authorization code is expired')).toBe('code_expired');
    expect(grant('authorization code redirect_uri mismatch')).toBe('redirect_uri_mismatch');
    expect(grant('unsupported code_challenge_method')).toBe('pkce_method_rejected');
  });
  it('keeps an unexplained invalid_grant as other', () => {
    expect(classifyOAuthError({ status: 400, error: 'invalid_grant', description: 'grant request is invalid' })).toBe('other');
  });
  it('uses status for rate limits and server errors', () => {
    expect(classifyOAuthError({ status: 429, error: 'invalid_request' })).toBe('rate_limited');
    expect(classifyOAuthError({ status: 503, error: 'whatever' })).toBe('server_error');
    expect(classifyOAuthError({ status: 401, error: 'invalid_client' })).toBe('invalid_client');
  });
  it('reads an S256 rejection from an error redirect', () => {
    expect(classifyOAuthError({ error: 'invalid_request', description: 'code_challenge_method S256 is not supported' })).toBe('pkce_method_rejected');
    expect(classifyOAuthError({ error: 'invalid_request', description: 'missing required parameter(s) (nonce)' })).toBe('invalid_request');
  });
  it('builds evidence with the detail and a 200-char cap', () => {
    const ev = oauthEvidence('token', { status: 400, error: 'invalid_grant', description: 'grant request is invalid', detail: 'authorization code is expired' });
    expect(ev).toEqual({ failureClass: 'code_expired', endpoint: 'token', status: 400, error: 'invalid_grant', description: 'grant request is invalid [authorization code is expired]' });
  });
  it('parses OAuth error bodies and rejects others', () => {
    expect(parseOAuthErrorBody('{"error":"invalid_grant","error_description":"x"}')).toEqual({ error: 'invalid_grant', description: 'x' });
    expect(parseOAuthErrorBody('<html>')).toBeUndefined();
    expect(parseOAuthErrorBody('{"foo":1}')).toBeUndefined();
  });
});

describe('classifySocketError', () => {
  const e = (code: string, cause?: unknown) => Object.assign(new Error('x'), { code, cause });
  it('maps socket and undici codes', () => {
    expect(classifySocketError(e('ECONNREFUSED'))).toEqual({ failureClass: 'connection_refused', socketCode: 'ECONNREFUSED' });
    expect(classifySocketError(e('UND_ERR_HEADERS_TIMEOUT')).failureClass).toBe('timeout_response');
    expect(classifySocketError(e('UND_ERR_CONNECT_TIMEOUT')).failureClass).toBe('timeout_connect');
    expect(classifySocketError(e('UND_ERR_SOCKET', e('ECONNRESET')))).toEqual({ failureClass: 'connection_reset', socketCode: 'ECONNRESET' });
    expect(classifySocketError(e('UND_ERR_SOCKET')).failureClass).toBe('connection_reset');
    expect(classifySocketError(Object.assign(new Error('t'), { name: 'TimeoutError' })).failureClass).toBe('timeout_response');
    expect(classifySocketError(e('EWHATEVER'))).toEqual({ failureClass: 'other', socketCode: 'EWHATEVER' });
  });
});
