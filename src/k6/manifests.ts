/**
 * k6-operator manifests for an exported script: a ConfigMap holding the bundle and a TestRun
 * (`k6.io/v1alpha1`) that runs it on `parallelism` pods; the operator gives each pod its execution
 * segment, so together they run the scenario's arrival schedule once.
 */
import { stringify } from 'yaml';
import { TokenstormError } from '../errors.ts';

/** A ConfigMap's data is limited to 1 MiB by Kubernetes. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

/** Options for {@link renderManifests}. */
export interface ManifestOptions {
  /** Base name (DNS-1123 label after sanitising). */
  name: string;
  /** The bundled script (script.js). */
  bundle: string;
  parallelism: number;
  /** Issuer the pods target (ISSUER in the runner's environment). */
  issuer: string;
  namespace?: string;
}

/**
 * A Kubernetes name: lower-case letters, digits and '-', at most 52 chars (the operator appends suffixes).
 *
 * @example
 * k8sName('Game Day: token/latency!'); // 'game-day-token-latency'
 */
export function k8sName(raw: string): string {
  const s = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 52)
    .replace(/-+$/g, '');
  return s || 'tokenstorm';
}

/**
 * The ConfigMap and TestRun YAML texts.
 *
 * @example
 * const { configMap, testRun } = renderManifests({ name: 'smoke', bundle, parallelism: 4, issuer: 'http://idp:3000' });
 */
export function renderManifests(o: ManifestOptions): { configMap: string; testRun: string; configMapName: string; testRunName: string } {
  if (Buffer.byteLength(o.bundle) > CONFIGMAP_MAX_BYTES) {
    throw new TokenstormError('ERR_USAGE', `the bundled script is ${Buffer.byteLength(o.bundle)} bytes, over the 1 MiB ConfigMap limit`);
  }
  const base = k8sName(`tokenstorm-${o.name}`);
  const configMapName = `${base}-script`;
  const testRunName = base;
  const meta = (name: string): Record<string, unknown> => ({ name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: { 'app.kubernetes.io/name': 'tokenstorm', 'tokenstorm.dev/scenario': k8sName(o.name) } });
  const configMap = stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(configMapName), data: { 'script.js': o.bundle } }, { lineWidth: 0 });
  // Secrets never go into the script or these manifests: the runner reads them from a Secret.
  const secretEnv = (name: string, key: string): Record<string, unknown> => ({ name, valueFrom: { secretKeyRef: { name: 'tokenstorm-k6', key, optional: true } } });
  const testRun = stringify(
    {
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: meta(testRunName),
      spec: {
        parallelism: o.parallelism,
        script: { configMap: { name: configMapName, file: 'script.js' } },
        // Raw points per runner; `tokenstorm import k6` merges them exactly (collect the files from a
        // volume you mount under /results, see the README).
        arguments: '--out json=/results/k6-out.json.gz --tag tokenstorm_scenario=' + k8sName(o.name),
        runner: {
          env: [{ name: 'ISSUER', value: o.issuer }, secretEnv('TOKENSTORM_PASSWORD', 'password'), secretEnv('TOKENSTORM_CLIENT_SECRET', 'client-secret')],
        },
      },
    },
    { lineWidth: 0 },
  );
  return { configMap, testRun, configMapName, testRunName };
}
