import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.ts';

describe('public API (src/index.ts)', () => {
  it('re-exports the entry points by name', () => {
    for (const name of ['runPlan', 'loadScenario', 'validateScenario', 'createVerifierPool', 'startEmbeddedIdp', 'startFaultServer', 'Recorder', 'compareReports', 'renderHtml', 'evaluateThresholds', 'generatePair', 'createLoginDriver', 'createFormLogin', 'createKeycloakLogin', 'scriptLogin']) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(api.REPORT_SCHEMA).toBe('tokenstorm/report@1');
    expect(api.FAILURE_CLASSES).toContain('pkce_mismatch');
  });
});
