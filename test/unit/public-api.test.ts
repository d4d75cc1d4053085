import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.ts';

// The runtime surface of `import … from 'tokenstorm'`. Changing this list is changing the public
// API: document the new export (public-api-docs.test.ts) and the README's "Public API".
const PUBLIC_VALUES = [
  'ENDPOINT_CLASSES',
  'FAILURE_CLASSES',
  'PROBES',
  'REPORT_SCHEMA',
  'TokenstormError',
  'challengeS256',
  'compareReports',
  'defineScenario',
  'describePlan',
  'evaluateThresholds',
  'findKnee',
  'findingsAtOrAbove',
  'formatCompareTable',
  'formatSummary',
  'generatePair',
  'generateVerifier',
  'isTokenstormError',
  'loadReport',
  'loadScenario',
  'mergeReports',
  'openProbeTarget',
  'parseDuration',
  'parseThreshold',
  'pkceMetrics',
  'renderHtml',
  'renderJunit',
  'resolveScenario',
  'runPlan',
  'runProbes',
  'scanFilesForSecrets',
  'selectProbes',
  'startEmbeddedIdp',
  'validateScenario',
  'validateVerifier',
  'writeReportFiles',
];

describe('public API (src/index.ts)', () => {
  it('exports exactly the documented values', () => {
    expect(Object.keys(api).sort()).toEqual(PUBLIC_VALUES);
  });

  it('the entry points are functions and the schema constants hold their values', () => {
    for (const name of ['runPlan', 'loadScenario', 'validateScenario', 'defineScenario', 'compareReports', 'renderHtml', 'evaluateThresholds', 'generatePair', 'startEmbeddedIdp']) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(api.REPORT_SCHEMA).toBe('tokenstorm/report@1');
    expect(api.FAILURE_CLASSES).toContain('pkce_mismatch');
  });
});
