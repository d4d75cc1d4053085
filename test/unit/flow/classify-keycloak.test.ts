import { describe, expect, it } from 'vitest';
import { classifyOAuthError, refineUnknownCode } from '../../../src/flow/classify.ts';

// Keycloak 26's token-endpoint descriptions, as a real Keycloak returns them
// (test/integration/keycloak/keycloak-errors.test.ts provokes each).
describe("classifying Keycloak's token errors", () => {
  it('reads its PKCE and redirect_uri descriptions', () => {
    expect(classifyOAuthError({ status: 400, error: 'invalid_grant', description: 'PKCE verification failed: Invalid code verifier' })).toBe('pkce_mismatch');
    expect(classifyOAuthError({ status: 400, error: 'invalid_grant', description: 'PKCE code verifier not specified' })).toBe('pkce_verifier_missing');
    expect(classifyOAuthError({ status: 400, error: 'invalid_grant', description: 'Incorrect redirect_uri' })).toBe('redirect_uri_mismatch');
    expect(classifyOAuthError({ status: 400, error: 'invalid_grant', description: 'Code is expired' })).toBe('code_expired');
  });

  it('"Code not valid": reused when this harness presented the code before, expired when not', () => {
    const e = { status: 400, error: 'invalid_grant', description: 'Code not valid' };
    expect(classifyOAuthError(e)).toBe('code_reused');
    expect(refineUnknownCode(e, 'code_reused', 1, 300)).toEqual({ failureClass: 'code_reused', description: 'Code not valid' });
    expect(refineUnknownCode(e, 'code_reused', 0, 61_234)).toEqual({
      failureClass: 'code_expired',
      description: 'Code not valid (first presentation of this code, issued 61.2s before)',
    });
    // Other descriptions are left alone.
    const other = { error: 'invalid_grant', description: 'grant request is invalid' };
    expect(refineUnknownCode(other, 'other', 0, 1)).toEqual({ failureClass: 'other', description: 'grant request is invalid' });
  });
});
