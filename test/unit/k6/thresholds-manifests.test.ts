import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isTokenstormError } from '../../../src/errors.ts';
import { k8sName, renderManifests } from '../../../src/k6/manifests.ts';
import { translateThresholds } from '../../../src/k6/thresholds.ts';

describe('translateThresholds', () => {
  it('maps tokenstorm expressions onto the exported metrics and lists what k6 cannot gate', () => {
    const t = translateThresholds(['token:p(95)<200', 'token:med<50', 'token:min>=0', 'login:avg<100', 'token:max<=1000', 'flow:rate(failed)<0.01', 'token:count>=100', 'flow:count>10', 'token:rate(failed)<0.1', 'flow:rate(dropped)<0.05']);
    expect(t.thresholds).toEqual({
      tokenstorm_token: ['p(95)<200', 'p(50)<50', 'min>=0', 'max<=1000'],
      tokenstorm_login: ['avg<100'],
      tokenstorm_flow_failed: ['rate<0.01'],
      'http_reqs{name:token}': ['count>=100'],
      iterations: ['count>10'],
    });
    expect(t.untranslated.map((u) => u.expr)).toEqual(['token:rate(failed)<0.1', 'flow:rate(dropped)<0.05']);
  });
  it('rejects what tokenstorm rejects', () => {
    let err: unknown;
    try {
      translateThresholds(['tokn:p(95)<1']);
    } catch (e) {
      err = e;
    }
    expect(isTokenstormError(err, 'ERR_THRESHOLD_INVALID')).toBe(true);
  });
});

describe('renderManifests', () => {
  it('names are DNS labels; the ConfigMap carries the bundle; over 1 MiB is refused', () => {
    expect(k8sName('Game Day: token/latency!')).toBe('game-day-token-latency');
    expect(k8sName('***')).toBe('tokenstorm');
    const m = renderManifests({ name: 'smoke', bundle: 'export default function () {}\n', parallelism: 4, issuer: 'http://idp:3000', namespace: 'load' });
    const tr = parse(m.testRun) as { metadata: { namespace: string }; spec: { parallelism: number; runner: { env: Array<{ name: string; value?: string }> } } };
    expect(tr.metadata.namespace).toBe('load');
    expect(tr.spec.parallelism).toBe(4);
    expect(tr.spec.runner.env.find((e) => e.name === 'ISSUER')?.value).toBe('http://idp:3000');
    expect((parse(m.configMap) as { data: Record<string, string> }).data['script.js']).toBe('export default function () {}\n');
    let err: unknown;
    try {
      renderManifests({ name: 'big', bundle: 'x'.repeat(1024 * 1024 + 1), parallelism: 1, issuer: 'http://x' });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toBe('the bundled script is 1048577 bytes, over the 1 MiB ConfigMap limit');
  });
});
